import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { ApiResponseDto } from '../../common/envelope';

@ApiSchema({ name: 'Management.AppSetting' })
export class AppSettingDto {
  @ApiProperty({ example: 'Licensing' }) @IsString() @MaxLength(64) group: string;
  @ApiProperty({ example: 'UserKeyFormat' }) @IsString() @MaxLength(128) name: string;
  @ApiPropertyOptional({ description: 'Answered; ignored on input (the server knows each type)', example: 'KeyFormat' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  type?: string;
  @ApiProperty({
    description: 'Typed value: string, number or boolean. Write-only settings answer null.',
    // OpenAPI 3.0 allows nullable only beside a type, so null is a (nullable) string here.
    oneOf: [{ type: 'string', nullable: true }, { type: 'number' }, { type: 'boolean' }],
  })
  @Allow()
  value: unknown;
  @ApiPropertyOptional({ description: 'Answered; ignored on input' }) @IsOptional() @IsString() description?: string;
  @ApiPropertyOptional({ description: 'Answered; ignored on input' }) @IsOptional() readOnly?: boolean;
  @ApiPropertyOptional({ description: 'For write-only settings: whether a value is stored' })
  @IsOptional()
  isSet?: boolean;
}

@ApiSchema({ name: 'Management.GetSettingsResponse' })
export class GetSettingsResponse extends ApiResponseDto {
  @ApiProperty({ type: [AppSettingDto] }) settings: AppSettingDto[];
}

@ApiSchema({ name: 'Management.UpdateSettingsRequest' })
export class UpdateSettingsRequest {
  @ApiProperty({ type: [AppSettingDto] })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => AppSettingDto)
  settings: AppSettingDto[];
}

@ApiSchema({ name: 'Management.UpdateSettingsResponse' })
export class UpdateSettingsResponse extends ApiResponseDto {}
