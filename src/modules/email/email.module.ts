import { MailerModule } from '@nestjs-modules/mailer';
import { Module } from '@nestjs/common';
import { EmailController } from './email.controller';
import { EmailRepository } from './email.repository';
import { EmailService } from './email.service';
import { LicenseEmailService } from './license-email.service';
import { SmtpMailer } from './smtp-mailer.service';

@Module({
  // No static transport: SmtpMailer adds one from the Email settings at send time.
  imports: [MailerModule.forRoot({ transports: {} })],
  controllers: [EmailController],
  providers: [EmailRepository, SmtpMailer, EmailService, LicenseEmailService],
  exports: [SmtpMailer],
})
export class EmailModule {}
