import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../../config';
import { ApiKeyStrategy, JwtStrategy, PRINCIPAL_RESOLVER } from '../../common/auth';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { RoleEntity } from '../roles/role.entity';
import { UserEntity } from '../users/user.entity';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { PrincipalCache } from './principal-cache';
import { PrincipalListener } from './principal-listener';

@Global()
@Module({
  imports: [
    PassportModule,
    TypeOrmModule.forFeature([UserEntity, ApiKeyEntity, RoleEntity]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: config.auth.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    { provide: PRINCIPAL_RESOLVER, useExisting: AuthService },
    JwtStrategy,
    ApiKeyStrategy,
    {
      provide: PrincipalCache,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new PrincipalCache({ maxAgeMs: config.auth.principalCacheSeconds * 1000 }),
    },
    PrincipalListener,
  ],
  exports: [PRINCIPAL_RESOLVER, PrincipalCache],
})
export class AuthModule {}
