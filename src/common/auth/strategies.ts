import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { ExtractJwt, Strategy as JwtPassportStrategy } from 'passport-jwt';
import { APP_CONFIG, AppConfig } from '../../config';
import { ApiException, ErrorCode } from '../errors';
import { PRINCIPAL_RESOLVER, Principal, PrincipalResolver } from './principal';

export const JWT_STRATEGY = 'jwt';
export const API_KEY_STRATEGY = 'api-key';

export interface JwtClaims {
  sub: string;
  name: string;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(JwtPassportStrategy, JWT_STRATEGY) {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(PRINCIPAL_RESOLVER) private readonly resolver: PrincipalResolver,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.auth.jwtSecret,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  /** Looked up on every call so that a deleted user or a changed role takes effect at once. */
  async validate(claims: JwtClaims): Promise<Principal> {
    const principal = await this.resolver.fromUserId(claims.sub);
    if (!principal) throw ApiException.unauthorized('The user of this token no longer exists', ErrorCode.TokenInvalid);
    return principal;
  }
}

@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, API_KEY_STRATEGY) {
  constructor(@Inject(PRINCIPAL_RESOLVER) private readonly resolver: PrincipalResolver) {
    super({ header: 'x-api-key', prefix: '' }, false);
  }

  validate(apiKey: string): Promise<Principal> {
    return this.resolver.fromApiKey(apiKey);
  }
}
