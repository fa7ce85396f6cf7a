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

  it('derives the operation and API key bit from the HTTP method', () => {
    expect(['GET', 'POST', 'PUT', 'DELETE'].map((method) => permissionFor(operationOf(method)))).toEqual([
      Permission.Read,
      Permission.Create,
      Permission.Write,
      Permission.Delete,
    ]);
  });
});
