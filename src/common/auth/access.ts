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

export const PERMISSION_NAMES: Record<Permission, string> = {
  [Permission.Read]: 'Read',
  [Permission.Write]: 'Write',
  [Permission.Delete]: 'Delete',
  [Permission.Create]: 'Create',
};

/** What a route does to its area: the four record operations every area has, and actions some areas add. */
export type RecordOperation = 'read' | 'create' | 'update' | 'delete';
export type Operation = RecordOperation | 'send';

/**
 * Areas of the Management API and which roles may do what in each, besides Administrator.
 * `authenticated` admits every signed-in principal; the service then checks ownership where needed.
 * An action (`send`) exists only in the areas that list it, so `@Access('commerce', 'send')` does not compile.
 */
const { LicenseManager: LM, Sales: S, Customer: C, Application: APP } = Role;
const EVERYONE = [LM, S, C, APP];
export const AREA_ROLES = {
  licenses: { read: [LM, S], create: [LM, S], update: [LM, S], delete: [LM] },
  licensing: { read: [LM], create: [LM], update: [LM], delete: [LM] },
  commerce: { read: [S], create: [S], update: [S], delete: [S] },
  products: { read: [LM, S], create: [LM], update: [LM], delete: [LM] },
  operations: { read: [LM, S], create: [LM], update: [LM], delete: [] },
  administration: { read: [], create: [], update: [], delete: [], send: [] },
  audit: { read: [LM], create: [], update: [], delete: [] },
  webhooks: { read: [], create: [], update: [], delete: [], send: [] },
  /** The customer portal: the service scopes every answer to the caller's own customer. */
  portal: { read: [C], create: [C], update: [C], delete: [C] },
  authenticated: { read: EVERYONE, create: EVERYONE, update: EVERYONE, delete: EVERYONE },
} satisfies Record<string, Record<RecordOperation, Role[]> & Partial<Record<Operation, Role[]>>>;
export type Area = keyof typeof AREA_ROLES;
/** The operations a route of area A may declare. */
export type AreaOperation<A extends Area> = keyof (typeof AREA_ROLES)[A] & Operation;

/**
 * The API key bit each operation needs. Sending mail stores and changes no record, so it is not a Create
 * (the bit a key gets to insert records); it acts on the server's behalf, which is what Write allows.
 */
const PERMISSION_BY_OPERATION: Record<Operation, Permission> = {
  read: Permission.Read,
  create: Permission.Create,
  update: Permission.Write,
  delete: Permission.Delete,
  send: Permission.Write,
};

/** The record operation an HTTP method means when a route declares none. */
const OPERATION_BY_METHOD: Record<string, RecordOperation> = {
  GET: 'read',
  HEAD: 'read',
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

export function operationOf(httpMethod: string): RecordOperation {
  const operation = OPERATION_BY_METHOD[httpMethod.toUpperCase()];
  if (!operation) throw new Error(`HTTP method ${httpMethod} has no default operation; declare one with @Access`);
  return operation;
}

export function permissionFor(operation: Operation): Permission {
  return PERMISSION_BY_OPERATION[operation];
}

/** Administrator plus the area's roles for the operation; `@Access` type-checks that the area has it. */
export function rolesAllowed(area: Area, operation: Operation): readonly Role[] {
  const others = (AREA_ROLES[area] as Partial<Record<Operation, Role[]>>)[operation];
  if (!others) throw new Error(`Area ${area} has no operation ${operation}`);
  return [Role.Administrator, ...others];
}
