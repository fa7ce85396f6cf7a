import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { RequiredReference } from '../../common/dto';
import { ApiResponseDto } from '../../common/envelope';

export const MAX_RECIPIENTS = 100;
export const MAX_ATTACHMENTS = 50;
const NO_LINE_BREAKS = /^[^\r\n]*$/;

@ApiSchema({ name: 'Management.EmailAddress' })
export class EmailAddressDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 256, description: 'Display name' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(256)
  @Matches(NO_LINE_BREAKS, { message: '$property must be on one line' })
  name?: string | null;

  @ApiProperty({ type: String, format: 'email', maxLength: 256 })
  @IsString()
  @MaxLength(256)
  @IsEmail({}, { message: '$property must be a valid email address, got "$value"' })
  email: string;
}

@ApiSchema({ name: 'Management.EmailAttachment' })
export class EmailAttachmentDto {
  @ApiProperty({ type: String, maxLength: 255 })
  @IsString()
  @MaxLength(255)
  @Matches(/^[^\r\n\\/]+$/, { message: '$property must be a file name without line breaks or slashes' })
  fileName: string;

  @ApiProperty({ type: String, format: 'byte', description: 'The file, base64' })
  @IsString()
  content: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'e.g. application/xml; derived from the file name when omitted',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(128)
  @Matches(/^[\w.+-]+\/[\w.+-]+$/, { message: '$property must be a MIME type such as application/xml' })
  contentType?: string | null;
}

@ApiSchema({ name: 'Management.SendEmailRequest' })
export class SendEmailRequest {
  @ApiProperty({ type: [EmailAddressDto] })
  @IsArray()
  @ArrayMinSize(1, { message: 'to must name at least one recipient' })
  @ArrayMaxSize(MAX_RECIPIENTS)
  @ValidateNested({ each: true })
  @Type(() => EmailAddressDto)
  to: EmailAddressDto[];

  @ApiProperty({ type: String, maxLength: 998 })
  @IsString()
  @MaxLength(998)
  @Matches(NO_LINE_BREAKS, { message: '$property must be on one line' })
  subject: string;

  @ApiProperty({ type: String, description: 'HTML when isHtml is true, plain text otherwise' })
  @IsString()
  body: string;

  @ApiPropertyOptional({ type: Boolean, nullable: true, default: false })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsBoolean()
  isHtml?: boolean | null;

  @ApiPropertyOptional({ type: [EmailAttachmentDto], nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsArray()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @ValidateNested({ each: true })
  @Type(() => EmailAttachmentDto)
  attachments?: EmailAttachmentDto[] | null;
}

@ApiSchema({ name: 'Management.SendEmailResponse' })
export class SendEmailResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.SendLicenseEmailRequest' })
export class SendLicenseEmailRequest {
  @RequiredReference('Id of the license (the number, not the licenseId text)') licenseId: number;
  @RequiredReference('Id of a Resource of type "email" holding the template') resourceId: number;
}

@ApiSchema({ name: 'Management.SendLicenseEmailResponse' })
export class SendLicenseEmailResponse extends ApiResponseDto {}
