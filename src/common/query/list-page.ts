import type { Role } from '../auth/access';
import { type Page, parseInclude, parseSelect, pickFields } from './query-compiler';
import type { QueryEntity } from './query-entity';
import type { QueryOptions } from './query-options';

/** What the client asked to see: `select`'s canonical field names (undefined for all) and `include`'s relations. */
export interface ListedFields {
  select: string[] | undefined;
  include: string[];
}

export interface ListPageSteps<Row, Dto extends object> {
  /** Reads the page (usually a repository's `findPage`); runs only after select and include were validated. */
  read: (fields: ListedFields) => Promise<Page<Row>>;
  /** The page's rows as response DTOs, with the included relations loaded for the whole page at once. */
  toDtos: (rows: Row[], include: string[]) => Dto[] | Promise<Dto[]>;
  /** Needed when a relation of `entity` has a `readArea`: whose roles decide whether it may be included. */
  reader?: { roles: readonly Role[] };
}

/**
 * Every list endpoint's sequence: validate `select` and `include` (a 400 before any query), read the page,
 * map it to DTOs and keep only the selected members plus the included relations.
 */
export async function listPage<Row, Dto extends object>(
  entity: QueryEntity,
  options: Pick<QueryOptions, 'select' | 'include'>,
  steps: ListPageSteps<Row, Dto>,
): Promise<Page<Partial<Dto>>> {
  const select = parseSelect(entity, options.select);
  const include = parseInclude(entity, options.include, steps.reader);
  const { items, total, nextCursor } = await steps.read({ select, include });
  const dtos = await steps.toDtos(items, include);
  const fields = select && [...select, ...include];
  return { items: dtos.map((dto) => pickFields(dto, fields)), total, nextCursor };
}
