import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { ApiResponseDto } from '../../common/envelope';

@ApiSchema({ name: 'Auth.LoginRequest' })
export class LoginRequest {
  @ApiProperty({ example: 'admin' }) @IsString() @MinLength(1) @MaxLength(128) userName: string;
  @ApiProperty({ example: 'correct horse battery staple' }) @IsString() @MinLength(1) @MaxLength(256) password: string;
}

@ApiSchema({ name: 'Auth.LoginResponse' })
export class LoginResponse extends ApiResponseDto {
  @ApiProperty({ description: 'HS256 JWT; send as "Authorization: Bearer <token>"' }) token: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}
