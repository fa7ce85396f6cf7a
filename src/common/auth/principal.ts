import { Role } from './access';

/** Who is calling, however they authenticated. */
export interface Principal {
  kind: 'user' | 'apiKey';
  userId: string;
  userName: string;
  roles: Role[];
  /** API key bits; 15 for a signed-in user. */
  permissions: number;
  apiKeyId?: number;
}

export function isAdministrator(principal: Principal): boolean {
  return principal.roles.includes(Role.Administrator);
}

/** Looks principals up; implemented by the auth module so that common code needs no entities. */
export interface PrincipalResolver {
  fromUserId(userId: string): Promise<Principal | null>;
  fromApiKey(plainKey: string): Promise<Principal>;
}
export const PRINCIPAL_RESOLVER = Symbol('PRINCIPAL_RESOLVER');
