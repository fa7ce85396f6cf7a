import { Controller, Delete, Get, Post, Put, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../bootstrap';
import { PERMISSION_NAMES, Permission, Role } from './access';
import { Access, Public } from './decorators';
import { RouteAccess, resolveRouteAccess } from './route-access';

/** One line of the committed route-access table: what a reviewer needs to see change. */
interface RouteAccessRow {
  route: string;
  area: string;
  operation: string | null;
  operationFrom: string | null;
  roles: string;
  apiKeyPermission: string | null;
}

const SNAPSHOT = join(__dirname, 'route-access.snapshot.json');
const METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function joinPath(...parts: string[]): string {
  const path = parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment))
    .join('/');
  return `/${path}`;
}

function row(route: string, access: RouteAccess): RouteAccessRow {
  if (access.isPublic)
    return { route, area: 'public', operation: null, operationFrom: null, roles: 'anyone', apiKeyPermission: null };
  return {
    route,
    area: access.declared ? access.area : `${access.area} (undeclared)`,
    operation: access.operation,
    operationFrom: access.operationFrom,
    roles: access.roles.join(', '),
    apiKeyPermission: `${PERMISSION_NAMES[access.permission]} (${access.permission})`,
  };
}

/** Every route the application registers, read from the controllers of every module as Nest mounts them. */
async function routeAccessTable(): Promise<RouteAccessRow[]> {
  const app = await createApp({ logger: false, preview: true });
  try {
    const reflector = new Reflector();
    const rows: RouteAccessRow[] = [];
    const seen = new Set<Function>();
    for (const module of app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as Function;
        if (seen.has(controller)) continue;
        seen.add(controller);
        const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[name] as Function;
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (method === undefined) continue;
          const access = resolveRouteAccess(reflector, handler, controller);
          for (const prefix of prefixes)
            for (const path of [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat() as string[])
              rows.push(row(`${RequestMethod[method]} ${joinPath(prefix, path)}`, access));
        }
      }
    }
    const key = (route: string) => {
      const [method, path] = route.split(' ');
      return `${path} ${METHOD_ORDER.indexOf(method)}`;
    };
    return rows.sort((a, b) => key(a.route).localeCompare(key(b.route)));
  } finally {
    await app.close();
  }
}

describe('route access', () => {
  let table: RouteAccessRow[];
  beforeAll(async () => {
    table = await routeAccessTable();
  });

  it('matches the committed snapshot (UPDATE_ROUTE_ACCESS=1 rewrites it; review the diff)', () => {
    if (process.env.UPDATE_ROUTE_ACCESS === '1') writeFileSync(SNAPSHOT, `${JSON.stringify(table, null, 2)}\n`);
    const committed = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as RouteAccessRow[];
    expect(table).toEqual(committed);
  });

  it('covers every route once, and every route declares its access', () => {
    const routes = table.map((entry) => entry.route);
    expect(new Set(routes).size).toBe(routes.length);
    // The 83 reference endpoints, login, the two health probes and the seven client Licensing API routes.
    expect(routes.length).toBeGreaterThanOrEqual(93);
    expect(table.filter((entry) => entry.area.includes('undeclared'))).toEqual([]);
  });

  it('derives the operation from the HTTP method only for the record operations it names', () => {
    const byMethod: Record<string, string> = { GET: 'read', POST: 'create', PUT: 'update', DELETE: 'delete' };
    for (const entry of table.filter((candidate) => candidate.operationFrom === 'method')) {
      expect({ route: entry.route, operation: entry.operation }).toEqual({
        route: entry.route,
        operation: byMethod[entry.route.split(' ')[0]],
      });
    }
  });
});

describe('resolveRouteAccess', () => {
  @Access('commerce')
  @Controller('orders')
  class OrdersLike {
    @Get() list() {}
    @Post() insert() {}
    @Put() update() {}
    @Delete(':id') remove() {}
    @Post('mail') @Access('administration', 'send') mail() {}
    @Get('mine') @Access('authenticated') mine() {}
    @Get('open') @Public() open() {}
  }
  @Controller('bare')
  class Undeclared {
    @Get() list() {}
  }

  const reflector = new Reflector();
  const resolve = (controller: Function, name: string) =>
    resolveRouteAccess(reflector, controller.prototype[name] as Function, controller);

  it.each([
    ['list', 'read', Permission.Read, [Role.Administrator, Role.Sales]],
    ['insert', 'create', Permission.Create, [Role.Administrator, Role.Sales]],
    ['update', 'update', Permission.Write, [Role.Administrator, Role.Sales]],
    ['remove', 'delete', Permission.Delete, [Role.Administrator, Role.Sales]],
  ] as const)('the class area with the method default: %s is %s', (name, operation, permission, roles) => {
    expect(resolve(OrdersLike, name)).toEqual({
      isPublic: false,
      declared: true,
      area: 'commerce',
      operation,
      operationFrom: 'method',
      roles,
      permission,
    });
  });

  it('lets a handler declare its own area and operation', () => {
    expect(resolve(OrdersLike, 'mail')).toMatchObject({
      area: 'administration',
      operation: 'send',
      operationFrom: 'declared',
      roles: [Role.Administrator],
      permission: Permission.Write,
    });
    expect(resolve(OrdersLike, 'mine')).toMatchObject({ area: 'authenticated', operation: 'read' });
    expect(resolve(OrdersLike, 'open')).toEqual({ isPublic: true, declared: true });
  });

  it('admits administrators only where nothing is declared', () => {
    expect(resolve(Undeclared, 'list')).toMatchObject({
      declared: false,
      area: 'administration',
      roles: ['Administrator'],
    });
  });
});
