import { Permission, Role, operationOf, permissionFor, rolesAllowed } from './access';

describe('access table (DESIGN.md §5)', () => {
  it.each([
    ['licenses', 'read', [Role.LicenseManager, Role.Sales]],
    ['licenses', 'delete', [Role.LicenseManager]],
    ['commerce', 'delete', [Role.Sales]],
    ['products', 'create', [Role.LicenseManager]],
    ['operations', 'read', [Role.LicenseManager, Role.Sales]],
    ['operations', 'delete', []],
    ['administration', 'read', []],
  ] as const)('%s %s: Administrator plus %j', (area, operation, others) => {
    expect([...rolesAllowed(area, operation)].sort()).toEqual([Role.Administrator, ...others].sort());
  });

  it('derives the record operation and API key bit from the HTTP method', () => {
    expect(['GET', 'POST', 'PUT', 'DELETE'].map((method) => permissionFor(operationOf(method)))).toEqual([
      Permission.Read,
      Permission.Create,
      Permission.Write,
      Permission.Delete,
    ]);
  });

  it('gives sending mail the Write bit, not the Create bit of an insert', () => {
    expect(permissionFor('send')).toBe(Permission.Write);
    expect(rolesAllowed('administration', 'send')).toEqual([Role.Administrator]);
  });

  it('refuses an operation an area does not have, and a method with no default operation', () => {
    expect(() => rolesAllowed('commerce', 'send')).toThrow(/commerce has no operation send/);
    expect(() => operationOf('OPTIONS')).toThrow(/declare one with @Access/);
  });
});
