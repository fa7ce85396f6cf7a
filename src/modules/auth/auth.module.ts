import { Global, Inject, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../../config';
import {
  ApiKeyStrategy,
  JwtStrategy,
  PRINCIPAL_RESOLVER,
  PrincipalCache,
  configurePasswordHashing,
} from '../../common/auth';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { RoleEntity } from '../roles/role.entity';
import { UserEntity } from '../users/user.entity';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginAddressFailureEntity } from './login-address-failure.entity';
import { LoginAddressThrottle } from './login-address-throttle';
import { LoginAttemptsRepository } from './login-attempts.repository';
import { PrincipalListener } from './principal-listener';
import { PrincipalsRepository } from './principals.repository';

@Global()
@Module({
  imports: [
    PassportModule,
    TypeOrmModule.forFeature([UserEntity, ApiKeyEntity, RoleEntity, LoginAddressFailureEntity]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: config.auth.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    LoginAttemptsRepository,
    PrincipalsRepository,
    LoginAddressThrottle,
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
export class AuthModule {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    configurePasswordHashing(config.auth.passwordHashConcurrency, config.auth.passwordHashQueue);
  }
}
