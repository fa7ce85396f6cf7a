/**
 * The per-entity whitelist a list endpoint exposes to `filter`, `sort`, `select` and `include`.
 * Keys of `fields` and `relations` are the public camelCase names (the names of the response DTO's
 * members); clients may spell them in any case.
 */

import type { Area } from '../auth/access';

export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'uuid' | 'enum' | 'decimal';

export interface QueryField {
  /** TypeORM property name on the entity; the database column is taken from its metadata. */
  property: string;
  /**
   * How filter literals are checked: `number` is a whole number (int32), `decimal` any number kept
   * exact, `date` an ISO-8601 string compared as an instant, `enum` an integer or a name.
   */
  type: FieldType;
  /** For `enum` fields: name → stored integer. Names match case-insensitively. */
  enumValues?: Record<string, number>;
  /** Defaults to true. */
  filterable?: boolean;
  /** Defaults to true. */
  sortable?: boolean;
}

export interface QueryRelation {
  /** TypeORM relation property on the entity. */
  property: string;
  /** A thunk so entities can refer to each other regardless of declaration order. */
  target: () => QueryEntity;
  /**
   * Whether the relation is to-many. TypeORM metadata is authoritative; when given, this must
   * agree with it (a mismatch is a programming error reported on first use).
   */
  many?: boolean;
  /** Whether `include` may name it. Defaults to true. */
  includable?: boolean;
  /**
   * The role-table area (DESIGN.md §5) whose read right embedding it needs, when it shows records the
   * list's own readers may not see (a Sales user listing licenses must not embed their templates).
   */
  readArea?: Area;
}

export interface QueryEntity {
  /** Used in messages to developers, e.g. "Customer". */
  name: string;
  fields: Record<string, QueryField>;
  relations?: Record<string, QueryRelation>;
  /** Public name of the field used as the sort tiebreak. Defaults to 'id'. */
  idField?: string;
}

/** What a module writes: `property` may be left out where it equals the public name. */
export interface QueryEntityDefinition {
  name: string;
  fields: Record<string, Omit<QueryField, 'property'> & { property?: string }>;
  relations?: Record<string, Omit<QueryRelation, 'property'> & { property?: string }>;
  idField?: string;
}

/**
 * Checks a whitelist and fills in each omitted `property` with the public name, so a mistake fails
 * at startup rather than on the first request that happens to use it.
 */
const definedByName = new Map<string, QueryEntity[]>();

export function defineQueryEntity(written: QueryEntityDefinition): QueryEntity {
  const withProperties = <T extends { property?: string }>(
    entries: Record<string, T>,
  ): Record<string, T & { property: string }> =>
    Object.fromEntries(
      Object.entries(entries).map(([name, entry]) => [name, { ...entry, property: entry.property ?? name }]),
    );
  const definition: QueryEntity = {
    ...written,
    fields: withProperties(written.fields),
    relations: written.relations && withProperties(written.relations),
  };
  const publicNames = [...Object.keys(definition.fields), ...Object.keys(definition.relations ?? {})];
  const seen = new Set<string>();
  for (const name of publicNames) {
    if (seen.has(name.toLowerCase())) {
      throw new Error(`QueryEntity ${definition.name}: "${name}" is declared twice (names are case-insensitive)`);
    }
    seen.add(name.toLowerCase());
  }
  for (const [name, field] of Object.entries(definition.fields)) {
    if (field.type === 'enum' && !field.enumValues) {
      throw new Error(`QueryEntity ${definition.name}: enum field "${name}" needs enumValues`);
    }
  }
  if (!findField(definition, idFieldName(definition))) {
    throw new Error(
      `QueryEntity ${definition.name}: the id field "${idFieldName(definition)}" is not among its fields`,
    );
  }
  definedByName.set(definition.name, [...(definedByName.get(definition.name) ?? []), definition]);
  return definition;
}

/**
 * A relation target named instead of imported, for two aggregates whose shapes embed each other (a product lists
 * its order lines, an order line embeds its product): one side names the other so that their modules do not
 * import each other in a circle. Resolved on first use, once every module has been loaded.
 */
export function namedQueryEntity(name: string): () => QueryEntity {
  return () => {
    const found = definedByName.get(name) ?? [];
    if (found.length !== 1) {
      throw new Error(`QueryEntity "${name}" is ${found.length ? 'defined more than once' : 'not defined'}`);
    }
    return found[0];
  };
}

export function idFieldName(entity: QueryEntity): string {
  return entity.idField ?? 'id';
}

/** Case-insensitive lookup; returns the canonical public name with the field. */
export function findField(entity: QueryEntity, name: string): [string, QueryField] | undefined {
  return findByName(entity.fields, name);
}

export function findRelation(entity: QueryEntity, name: string): [string, QueryRelation] | undefined {
  return findByName(entity.relations ?? {}, name);
}

function findByName<T>(entries: Record<string, T>, name: string): [string, T] | undefined {
  const wanted = name.toLowerCase();
  const key = Object.keys(entries).find((candidate) => candidate.toLowerCase() === wanted);
  return key === undefined ? undefined : [key, entries[key]];
}
