import { AuditRecorder } from '../../common/audit';
import { HttpStatus, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config';
import {
  ALL_PERMISSIONS,
  ApiKeyRecord,
  JwtClaims,
  PasswordHashingBusyException,
  Principal,
  PrincipalCache,
  PrincipalResolver,
  Role,
  hashApiKey,
  hashPassword,
  passwordHashingHasRoom,
  verifyPassword,
} from '../../common/auth';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { LoginResponse } from './auth.dto';
import { LoginAddressThrottle } from './login-address-throttle';
import { AccountCheck, LoginAttemptsRepository } from './login-attempts.repository';
import { PrincipalsRepository } from './principals.repository';

@Injectable()
export class AuthService implements PrincipalResolver, OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');
  private decoy?: Promise<string>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly principalRows: PrincipalsRepository,
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly principals: PrincipalCache,
    private readonly attempts: LoginAttemptsRepository,
    private readonly addressThrottle: LoginAddressThrottle,
    private readonly audit: AuditRecorder,
  ) {}

  /**
   * Refusals cost no password check: a full hashing queue (503) before anything is counted, an address
   * over its failure limit (429), a locked account (401). Every other attempt counts as a failure of
   * the address and of the account until its password proves right.
   */
  async login(userName: string, password: string, clientAddress: string): Promise<Payload<LoginResponse>> {
    if (!passwordHashingHasRoom()) throw new PasswordHashingBusyException();
    const address = await this.addressThrottle.reserve(clientAddress);
    if (!address.granted) {
      throw new ApiException(
        ErrorCode.TooManyFailedLogins,
        `Too many failed logins from this address; try again in ${address.retryAfterSeconds} s`,
        HttpStatus.TOO_MANY_REQUESTS,
        { retryAfterSeconds: address.retryAfterSeconds },
      );
    }
    let failed = true;
    const attempt: { userId: string | null } = { userId: null };
    try {
      const user = await this.checkPassword(userName, password, attempt);
      failed = false;
      const actor = { type: 'user', id: user.userId, name: user.userName } as const;
      await this.audit.recordIf(
        { action: 'user.login', entityType: 'user', entityId: user.userId, actor, address: clientAddress },
        async (manager) => {
          await this.attempts.recordSuccessfulLogin(user.userId, manager);
          return true;
        },
      );
      const claims: JwtClaims = { sub: user.userId, name: user.userName };
      const token = await this.jwt.signAsync(claims, { expiresIn: this.config.auth.jwtTtlSeconds });
      const expiresAt = new Date(Date.now() + this.config.auth.jwtTtlSeconds * 1000).toISOString();
      return { token, expiresAt };
    } catch (error) {
      // Not checked for want of a hashing slot: not a failure of this caller.
      if (error instanceof PasswordHashingBusyException) failed = false;
      else if (error instanceof ApiException) await this.recordFailure(userName, attempt.userId, clientAddress, error);
      throw error;
    } finally {
      if (!failed)
        await address.release().catch((error: Error) => this.logger.warn(`Login throttle release: ${error.message}`));
    }
  }

  /** A wrong password or a locked account, in the trail; the user id when the name is a user's. */
  private async recordFailure(
    userName: string,
    userId: string | null,
    clientAddress: string,
    error: ApiException,
  ): Promise<void> {
    await this.audit
      .recordAlone({
        action: 'user.login_failed',
        entityType: 'user',
        entityId: userId,
        actor: { type: 'user', id: userId, name: userName.slice(0, 256) },
        address: clientAddress,
        changes: { reason: { from: null, to: ErrorCode[error.errorCode] ?? error.errorCode } },
      })
      .catch((failure: Error) => this.logger.warn(`Could not record a failed login: ${failure.message}`));
  }

  /** `attempt.userId` learns whose account the name is, for the trail. */
  private async checkPassword(
    userName: string,
    password: string,
    attempt: { userId: string | null },
  ): Promise<AccountCheck> {
    const { maxFailedLogins, lockoutSeconds } = this.config.auth;
    const account = await this.attempts.reserveAccountCheck(userName, maxFailedLogins, lockoutSeconds);
    attempt.userId = account?.userId ?? null;
    if (!account) {
      // As long as a real check, so the answer's timing does not tell which user names exist.
      await verifyPassword(await this.decoyHash(), password);
      throw ApiException.unauthorized('Wrong user name or password', ErrorCode.InvalidCredentials);
    }
    if (!account.granted) {
      throw ApiException.unauthorized(
        `The account is locked after too many failed logins; try again in ${account.lockSeconds} s`,
        ErrorCode.AccountLocked,
      );
    }
    let valid: boolean;
    try {
      valid = await verifyPassword(account.passwordHash, password);
    } catch (error) {
      if (error instanceof PasswordHashingBusyException) await this.attempts.releaseAccountCheck(account);
      throw error;
    }
    if (!valid) throw ApiException.unauthorized('Wrong user name or password', ErrorCode.InvalidCredentials);
    return account;
  }

  /** A hash of a random password, verified against when the user name is unknown. */
  private decoyHash(): Promise<string> {
    return (this.decoy ??= hashPassword(randomBytes(16).toString('hex')).catch((error: unknown) => {
      this.decoy = undefined;
      throw error;
    }));
  }

  /** Answered from the principal cache when it can; a user that does not exist is never cached. */
  async fromUserId(userId: string): Promise<Principal | null> {
    const cached = this.principals.getUser(userId);
    if (cached) return cached;
    const generation = this.principals.generation;
    const rows = await this.principalRows.findUserRoles(userId);
    if (!rows.length) return null;
    const principal: Principal = {
      kind: 'user',
      userId,
      userName: rows[0].user_name,
      roles: rows.flatMap((row) => (row.role ? [row.role as Role] : [])),
      permissions: ALL_PERMISSIONS,
    };
    this.principals.setUser(userId, principal, generation);
    return principal;
  }

  /** Answered from the principal cache (by the key's hash) when it can; revocation and expiry are checked on every use. */
  async fromApiKey(plainKey: string): Promise<Principal> {
    const keyHash = hashApiKey(plainKey);
    const cached = this.principals.getApiKey(keyHash);
    if (cached) return this.usable(cached);
    const generation = this.principals.generation;
    const rows = await this.principalRows.findApiKeyRoles(keyHash);
    if (!rows.length) throw ApiException.unauthorized('The API key is not valid', ErrorCode.Unauthorized);
    const key = rows[0];
    const record: ApiKeyRecord = {
      revoked: key.revoked,
      expiresAt: key.expire_date ? key.expire_date.getTime() : null,
      principal: {
        kind: 'apiKey',
        userId: key.owner_id,
        userName: key.user_name,
        roles: rows.flatMap((row) => (row.role ? [row.role as Role] : [])),
        permissions: key.permissions,
        apiKeyId: key.id,
      },
    };
    const principal = this.usable(record);
    this.principals.setApiKey(keyHash, record, generation);
    return principal;
  }

  private usable(key: ApiKeyRecord): Principal {
    if (key.revoked) throw ApiException.unauthorized('The API key has been revoked', ErrorCode.ApiKeyRevoked);
    if (key.expiresAt !== null && key.expiresAt <= Date.now())
      throw ApiException.unauthorized('The API key has expired', ErrorCode.ApiKeyExpired);
    return key.principal;
  }

  /** The first start creates the administrator; later starts leave users alone. */
  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Two instances starting together must not both create an administrator.
      await this.principalRows.lockAdministratorCreation(manager);
      if (await this.principalRows.hasUsers(manager)) return;
      const generated = !this.config.admin.password;
      const password = this.config.admin.password ?? randomBytes(12).toString('base64url');
      await this.principalRows.insertAdministrator(manager, {
        userName: this.config.admin.userName,
        email: this.config.admin.email,
        firstName: 'Administrator',
        passwordHash: await hashPassword(password),
      });
      if (generated) {
        this.logger.warn(
          `Created administrator "${this.config.admin.userName}" with generated password: ${password}  (shown once; change it with PUT /v1/users)`,
        );
      } else {
        this.logger.log(`Created administrator "${this.config.admin.userName}" from ADMIN_USERNAME / ADMIN_PASSWORD`);
      }
    });
  }
}
