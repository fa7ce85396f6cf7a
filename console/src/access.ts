// What each role may do, as the service's guard decides it (src/common/auth/access.ts, README "Authentication"):
// the console hides what the signed-in user's roles may not do. The service still checks every call.
export type Area =
  | 'licenses'
  | 'licensing'
  | 'commerce'
  | 'products'
  | 'operations'
  | 'administration'
  | 'audit'
  | 'webhooks'
  | 'portal';
export type Operation = 'read' | 'create' | 'update' | 'delete';

const LM = 'LicenseManager';
const S = 'Sales';
const C = 'Customer';

const AREA_ROLES: Record<Area, Record<Operation, string[]>> = {
  licenses: { read: [LM, S], create: [LM, S], update: [LM, S], delete: [LM] },
  licensing: { read: [LM], create: [LM], update: [LM], delete: [LM] },
  commerce: { read: [S], create: [S], update: [S], delete: [S] },
  products: { read: [LM, S], create: [LM], update: [LM], delete: [LM] },
  operations: { read: [LM, S], create: [LM], update: [LM], delete: [] },
  administration: { read: [], create: [], update: [], delete: [] },
  audit: { read: [LM], create: [], update: [], delete: [] },
  webhooks: { read: [], create: [], update: [], delete: [] },
  portal: { read: [C], create: [C], update: [C], delete: [C] },
};

export function can(roles: readonly string[] | undefined, area: Area, operation: Operation = 'read'): boolean {
  if (!roles) return false;
  if (roles.includes('Administrator')) return area !== 'portal';
  return AREA_ROLES[area][operation].some((role) => roles.includes(role));
}

/** A user whose only way in is the customer portal. */
export function isPortalUser(roles: readonly string[] | undefined): boolean {
  return Boolean(roles?.includes(C)) && !roles?.some((role) => role !== C && role !== 'Application');
}
