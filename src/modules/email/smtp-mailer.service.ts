import { ISendMailOptions, MailerService } from '@nestjs-modules/mailer';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { SentMessageInfo } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { ApiException, ErrorCode } from '../../common/errors';
import { DatabaseLogService } from '../log/database-log.service';
import { SettingsService } from '../settings/settings.service';

export interface SmtpSettings {
  enabled: boolean;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  fromAddress: string;
  fromName: string;
  maxMessageBytes: number;
}

export type OutgoingMessage = Pick<ISendMailOptions, 'to' | 'cc' | 'bcc' | 'subject' | 'html' | 'text' | 'attachments'>;

/** Seconds matter more than minutes here: a caller is waiting for the answer. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

function addressesOf(field: ISendMailOptions['to']): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.map((entry) => (typeof entry === 'string' ? entry : entry.address));
}

/**
 * Sends through @nestjs-modules/mailer with the SMTP server of the Email settings, read at every send
 * so a change applies without a restart. The nodemailer transport is cached under a fingerprint of
 * those settings and replaced when they change.
 */
@Injectable()
export class SmtpMailer {
  private transport?: { fingerprint: string; name: string };
  private generation = 0;

  constructor(
    private readonly mailer: MailerService,
    private readonly settings: SettingsService,
    private readonly log: DatabaseLogService,
  ) {}

  async smtpSettings(): Promise<SmtpSettings> {
    const get = this.settings.get.bind(this.settings);
    return {
      enabled: await get<boolean>('Email.Enabled'),
      host: await get<string>('Email.SmtpHost'),
      port: await get<number>('Email.SmtpPort'),
      secure: await get<boolean>('Email.SmtpSecure'),
      user: await get<string>('Email.SmtpUser'),
      password: await get<string>('Email.SmtpPassword'),
      fromAddress: await get<string>('Email.FromAddress'),
      fromName: await get<string>('Email.FromName'),
      maxMessageBytes: await get<number>('Email.MaxMessageBytes'),
    };
  }

  /** 409 when email is switched off, so callers can check before they do any work. */
  assertEnabled(smtp: SmtpSettings): void {
    if (!smtp.enabled) {
      throw ApiException.conflict(
        'Email is disabled: set the Email.Enabled setting to true (PUT /v1/settings) and configure the SMTP server to send email',
        ErrorCode.EmailDisabled,
      );
    }
  }

  /** Sends or throws 502 with the SMTP server's reason; nothing is retried. */
  async send(
    message: OutgoingMessage,
    smtp?: SmtpSettings,
    logProperties: Record<string, unknown> = {},
  ): Promise<SentMessageInfo> {
    smtp ??= await this.smtpSettings();
    this.assertEnabled(smtp);
    const recipients = [...addressesOf(message.to), ...addressesOf(message.cc), ...addressesOf(message.bcc)];
    try {
      const info = await this.mailer.sendMail({
        ...message,
        from: { name: smtp.fromName, address: smtp.fromAddress },
        transporterName: this.transporterFor(smtp),
      });
      this.log.information('Email {Subject} sent to {Recipients} through {SmtpServer}', {
        Subject: message.subject,
        Recipients: recipients,
        SmtpServer: `${smtp.host}:${smtp.port}`,
        MessageId: info?.messageId ?? null,
        ...logProperties,
      });
      return info;
    } catch (error) {
      const reason = describeSmtpError(error);
      this.log.error(
        'Email {Subject} to {Recipients} failed at {SmtpServer}: {Reason}',
        {
          Subject: message.subject,
          Recipients: recipients,
          SmtpServer: `${smtp.host}:${smtp.port}`,
          Reason: reason,
          ...logProperties,
        },
        error,
      );
      throw new ApiException(
        ErrorCode.UpstreamFailure,
        `The SMTP server ${smtp.host}:${smtp.port} did not accept the message: ${reason}`,
        HttpStatus.BAD_GATEWAY,
      );
    }
  }

  private transporterFor(smtp: SmtpSettings): string {
    const fingerprint = JSON.stringify([smtp.host, smtp.port, smtp.secure, smtp.user, smtp.password]);
    if (this.transport?.fingerprint === fingerprint) return this.transport.name;
    if (this.transport) this.mailer.removeTransporter(this.transport.name);
    const options: SMTPTransport.Options = {
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
      ...TIMEOUTS,
    };
    const name = `smtp-${++this.generation}`;
    this.mailer.addTransporter(name, options);
    this.transport = { fingerprint, name };
    return name;
  }
}

/** The server's own answer when there is one ("550 5.1.1 mailbox unavailable"), else the socket error. */
export function describeSmtpError(error: unknown): string {
  const smtpError = error as { response?: string; responseCode?: number; code?: string; message?: string };
  if (smtpError?.response) return smtpError.response.trim();
  const code = smtpError?.code && !smtpError.message?.includes(smtpError.code) ? ` (${smtpError.code})` : '';
  return `${smtpError?.message ?? String(error)}${code}`;
}
