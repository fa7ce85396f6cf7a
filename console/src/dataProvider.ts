import { HttpError, type DataProvider } from 'react-admin';
import { ApiError, call } from './api';
import { RESOURCES, type ResourceDef } from './resources';

type Row = Record<string, unknown>;

function definition(resource: string): ResourceDef {
  const found = RESOURCES[resource];
  if (!found) throw new Error(`No such resource: ${resource}`);
  return found;
}

/** `licenseeName` → `LicenseeName`: the QueryOptions field names (they match in any case). */
const field = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * react-admin's filter values as one QueryOptions filter (README "Lists"): `q` searches the kind's text fields,
 * `name_gte` / `name_lte` bound dates and numbers, any other value (an enum, a flag, an id) must equal the field.
 */
export function toFilter(def: ResourceDef, filter: Row): string | undefined {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === null || value === '') continue;
    if (key === 'q') {
      const text = quote(String(value));
      parts.push(`(${def.search.map((name) => `${name}.Contains(${text})`).join(' || ')})`);
    } else if (key.endsWith('_gte') || key.endsWith('_lte')) {
      const name = field(key.slice(0, -4));
      const operator = key.endsWith('_gte') ? '>=' : '<=';
      parts.push(`${name} ${operator} ${typeof value === 'number' ? value : quote(String(value))}`);
    } else if (Array.isArray(value)) {
      if (value.length > 0) parts.push(`${field(key)} in (${value.map((item) => literal(item, def)).join(', ')})`);
    } else {
      parts.push(`${field(key)} == ${literal(value, def)}`);
    }
  }
  return parts.length > 0 ? parts.join(' && ') : undefined;
}

function literal(value: unknown, def: ResourceDef): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!def.stringIds && /^\d+$/.test(String(value))) return String(value);
  return quote(String(value));
}

/** The list member and the total of a list answer (`licenses` + `totalLicensesCount`, …). */
function pageOf(answer: Row): { rows: Row[]; total: number } {
  const rows = Object.values(answer).find(Array.isArray) as Row[] | undefined;
  const totalKey = Object.keys(answer).find((key) => key.startsWith('total') && key.endsWith('Count'));
  return { rows: rows ?? [], total: totalKey ? Number(answer[totalKey]) : (rows?.length ?? 0) };
}

/**
 * A refusal as react-admin shows it: the API's message, and when it names a member of the body
 * (`license.maxAllowedSites must not be less than 0`), that message beside the field too.
 */
function toHttpError(error: unknown, wrapper?: string): unknown {
  if (!(error instanceof ApiError)) return error;
  const errors: Record<string, string> = {};
  const named = /\b([a-z][A-Za-z]*)\.([a-z][A-Za-z0-9]*)\b/g;
  for (const match of error.message.matchAll(named)) {
    if (!wrapper || match[1] === wrapper) errors[match[2]] ??= error.message;
  }
  return new HttpError(error.message, error.status, { ...error.body, errors });
}

async function run<T>(request: Promise<{ data?: unknown; error?: unknown; response?: Response }>, wrapper?: string) {
  try {
    return (await call(request)) as T;
  } catch (error) {
    throw toHttpError(error, wrapper);
  }
}

const WRAPPERS: Record<string, string> = {
  licenses: 'license',
  customers: 'customer',
  contacts: 'contact',
  orders: 'order',
  products: 'product',
  releases: 'release',
  'license-templates': 'licenseTemplate',
  resources: 'resource',
  users: 'user',
  'api-keys': 'apiKey',
  webhooks: 'webhook',
};

async function listRows(resource: string, query: Row, scope: Row = {}) {
  const def = definition(resource);
  const answer = await run<Row>(def.list(query, scope));
  return pageOf(answer);
}

async function getOne(resource: string, id: unknown): Promise<Row> {
  const def = definition(resource);
  const { rows } = await listRows(resource, { filter: `Id == ${literal(id, def)}`, take: 1 });
  if (rows.length === 0) throw new HttpError(`No ${resource} has id ${String(id)}`, 404);
  return rows[0];
}

export const dataProvider: DataProvider = {
  async getList(resource, params) {
    const def = definition(resource);
    const { page = 1, perPage = 25 } = params.pagination ?? {};
    const sort =
      params.sort?.field && params.sort.field !== 'id'
        ? `${params.sort.field} ${params.sort.order === 'ASC' ? 'asc' : 'desc'}`
        : params.sort?.field === 'id'
          ? `Id ${params.sort.order === 'ASC' ? 'asc' : 'desc'}`
          : def.defaultSort;
    const { productId, ...filter } = (params.filter ?? {}) as Row;
    const scope = resource === 'releases' ? { productId } : {};
    const rest = resource === 'releases' ? filter : (params.filter as Row);
    const { rows, total } = await listRows(
      resource,
      { filter: toFilter(def, rest ?? {}), sort, take: perPage, skip: (page - 1) * perPage },
      scope,
    );
    return { data: rows as never[], total };
  },
  async getOne(resource, params) {
    return { data: (await getOne(resource, params.id)) as never };
  },
  async getMany(resource, params) {
    const def = definition(resource);
    if (params.ids.length === 0) return { data: [] };
    const { rows } = await listRows(resource, {
      filter: `Id in (${params.ids.map((id) => literal(id, def)).join(', ')})`,
      take: 1000,
    });
    return { data: rows as never[] };
  },
  async getManyReference(resource, params) {
    return dataProvider.getList(resource, {
      ...params,
      filter: { ...params.filter, [params.target]: params.id },
    });
  },
  async create(resource, params) {
    const def = definition(resource);
    if (!def.insert) throw new HttpError(`${resource} cannot be created here`, 405);
    const answer = await run<Row>(def.insert(params.data as Row), WRAPPERS[resource]);
    const id = def.insertedId ? answer[def.insertedId] : undefined;
    const record = id !== undefined ? await getOne(resource, id).catch(() => ({ ...params.data, id })) : params.data;
    // What the API shows once (an API key's value) goes with the record to the page that shows it.
    return { data: { ...record, ...answer, id } as never };
  },
  async update(resource, params) {
    const def = definition(resource);
    if (!def.update) throw new HttpError(`${resource} cannot be changed here`, 405);
    // Only what the form changed: an absent member keeps its value (README "Updates"), and the embedded records of
    // a read are not input.
    const data = params.data as Row;
    const previous = (params.previousData ?? {}) as Row;
    const changed = Object.fromEntries(
      Object.entries(data).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(previous[key])),
    );
    const keep = 'productId' in data ? { productId: data.productId } : {};
    // An edit page's id comes from its URL, a string; the API's integer ids must be sent as numbers.
    const id = def.stringIds ? params.id : Number(params.id);
    await run(def.update({ ...changed, ...keep, id }), WRAPPERS[resource]);
    return { data: (await getOne(resource, params.id)) as never };
  },
  async updateMany(resource, params) {
    for (const id of params.ids) await dataProvider.update(resource, { id, data: params.data, previousData: { id } });
    return { data: params.ids };
  },
  async delete(resource, params) {
    const def = definition(resource);
    if (!def.remove) throw new HttpError(`${resource} cannot be deleted here`, 405);
    await run(def.remove({ ...(params.previousData ?? {}), id: params.id }));
    return { data: (params.previousData ?? { id: params.id }) as never };
  },
  async deleteMany(resource, params) {
    for (const id of params.ids) await dataProvider.delete(resource, { id });
    return { data: params.ids };
  },
};
