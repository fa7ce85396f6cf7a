import { Injectable } from '@nestjs/common';
import type { Attachment } from 'nodemailer/lib/mailer';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { base64DecodedLength, decodeBase64 } from '../reports/base64';
import { SendEmailRequest, SendEmailResponse } from './email.dto';
import { SmtpMailer, SmtpSettings } from './smtp-mailer.service';

/** Subject, body and attachments (decoded), the way Email.MaxMessageBytes counts a message. */
export function messageBytes(parts: {
  subject?: string;
  body?: string;
  attachments?: Array<{ content: Buffer | string }>;
}): number {
  const text = Buffer.byteLength(parts.subject ?? '') + Buffer.byteLength(parts.body ?? '');
  return (
    text +
    (parts.attachments ?? []).reduce(
      (sum, attachment) =>
        sum +
        (typeof attachment.content === 'string' ? Buffer.byteLength(attachment.content) : attachment.content.length),
      0,
    )
  );
}

export function assertWithinLimit(bytes: number, smtp: SmtpSettings): void {
  if (bytes > smtp.maxMessageBytes) {
    throw ApiException.badRequest(
      `The message is ${bytes} bytes (subject, body and decoded attachments), more than Email.MaxMessageBytes (${smtp.maxMessageBytes})`,
      ErrorCode.PayloadTooLarge,
    );
  }
}

@Injectable()
export class EmailService {
  constructor(private readonly mailer: SmtpMailer) {}

  async send(request: SendEmailRequest): Promise<Payload<SendEmailResponse>> {
    const smtp = await this.mailer.smtpSettings();
    const declared = (request.attachments ?? []).reduce(
      (sum, attachment) => sum + base64DecodedLength(attachment.content),
      0,
    );
    // Checked before decoding so an oversized request costs no memory.
    assertWithinLimit(Buffer.byteLength(request.subject) + Buffer.byteLength(request.body) + declared, smtp);
    const attachments: Attachment[] = (request.attachments ?? []).map((attachment, index) => {
      const content = decodeBase64(attachment.content);
      if (!content)
        throw ApiException.badRequest(`attachments[${index}].content (${attachment.fileName}) is not valid base64`);
      return { filename: attachment.fileName, content, contentType: attachment.contentType ?? undefined };
    });
    const to = request.to.map((recipient) => ({ name: recipient.name?.trim() ?? '', address: recipient.email.trim() }));
    await this.mailer.send(
      {
        to,
        subject: request.subject,
        ...(request.isHtml ? { html: request.body } : { text: request.body }),
        attachments,
      },
      smtp,
    );
    return { message: `The email was sent to ${to.length} recipient${to.length === 1 ? '' : 's'}` };
  }
}
