/** The seeded roles (DESIGN.md §5). Administrator passes every check. */
export enum Role {
  Administrator = 'Administrator',
  LicenseManager = 'LicenseManager',
  Sales = 'Sales',
  Customer = 'Customer',
  Application = 'Application',
}

/** API key permission bits; 15 = all. */
export enum Permission {
  Read = 1,
  Write = 2,
  Delete = 4,
  Create = 8,
}
export const ALL_PERMISSIONS = Permission.Read | Permission.Write | Permission.Delete | Permission.Create;

export type Operation = 'read' | 'create' | 'update' | 'delete';

/**
 * Areas of the Management API and which roles may do what in each, besides Administrator.
 * `authenticated` admits every signed-in principal; the service then checks ownership where needed.
 */
const { LicenseManager: LM, Sales: S, Customer: C, Application: APP } = Role;
export const AREA_ROLES = {
  licenses: { read: [LM, S], create: [LM, S], update: [LM, S], delete: [LM] },
  licensing: { read: [LM], create: [LM], update: [LM], delete: [LM] },
  commerce: { read: [S], create: [S], update: [S], delete: [S] },
  products: { read: [LM, S], create: [LM], update: [LM], delete: [LM] },
  operations: { read: [LM, S], create: [LM], update: [LM], delete: [] },
  administration: { read: [], create: [], update: [], delete: [] },
  authenticated: { read: [LM, S, C, APP], create: [LM, S, C, APP], update: [LM, S, C, APP], delete: [LM, S, C, APP] },
} satisfies Record<string, Record<Operation, Role[]>>;
export type Area = keyof typeof AREA_ROLES;

const OPERATION_BY_METHOD: Record<string, Operation> = {
  GET: 'read',
  HEAD: 'read',
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};
const PERMISSION_BY_OPERATION: Record<Operation, Permission> = {
  read: Permission.Read,
  create: Permission.Create,
  update: Permission.Write,
  delete: Permission.Delete,
};

export function operationOf(httpMethod: string): Operation {
  return OPERATION_BY_METHOD[httpMethod.toUpperCase()] ?? 'update';
}

export function permissionFor(operation: Operation): Permission {
  return PERMISSION_BY_OPERATION[operation];
}

export function rolesAllowed(area: Area, operation: Operation): readonly Role[] {
  return [Role.Administrator, ...AREA_ROLES[area][operation]];
}
