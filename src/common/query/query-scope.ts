import type { EntityMetadata, ObjectLiteral, RelationMetadata, SelectQueryBuilder } from 'typeorm';

type ColumnMetadata = EntityMetadata['columns'][number];
import type { QueryEntity, QueryField, QueryRelation } from './query-entity';

/**
 * Where a member path has got to: an alias inside a query builder (the root query or an EXISTS
 * sub-query) together with the TypeORM metadata and the whitelist that apply to that alias.
 */
export interface QueryScope {
  qb: SelectQueryBuilder<ObjectLiteral>;
  alias: string;
  metadata: EntityMetadata;
  entity: QueryEntity;
  /** Reached through a LEFT JOIN, so every column may read NULL when the related row is missing. */
  optional: boolean;
}

export function rootScope(qb: SelectQueryBuilder<ObjectLiteral>, alias: string, entity: QueryEntity): QueryScope {
  return { qb, alias, metadata: qb.expressionMap.findAliasByName(alias).metadata, entity, optional: false };
}

export function columnMetadataOf(scope: QueryScope, field: QueryField): ColumnMetadata {
  const column = scope.metadata.findColumnWithPropertyPath(field.property);
  if (!column) {
    throw new Error(
      `QueryEntity ${scope.entity.name}: "${field.property}" is not a column property of ${scope.metadata.name}`,
    );
  }
  return column;
}

/** `"alias"."column_name"`, with the name the naming strategy gave the column. */
export function columnSql(scope: QueryScope, field: QueryField): string {
  return `${scope.qb.escape(scope.alias)}.${scope.qb.escape(columnMetadataOf(scope, field).databaseName)}`;
}

/** `alias.property`, the form TypeORM's orderBy needs to page correctly over joined rows. */
export function propertyReference(scope: QueryScope, field: QueryField): string {
  return `${scope.alias}.${columnMetadataOf(scope, field).propertyPath}`;
}

export function relationMetadataOf(scope: QueryScope, relation: QueryRelation): RelationMetadata {
  const metadata = scope.metadata.findRelationWithPropertyPath(relation.property);
  if (!metadata) {
    throw new Error(
      `QueryEntity ${scope.entity.name}: "${relation.property}" is not a relation property of ${scope.metadata.name}`,
    );
  }
  const isToMany = metadata.isOneToMany || metadata.isManyToMany;
  if (relation.many !== undefined && relation.many !== isToMany) {
    throw new Error(
      `QueryEntity ${scope.entity.name}: relation "${relation.property}" is declared many: ${relation.many} ` +
        `but TypeORM maps it as ${metadata.relationType}`,
    );
  }
  return metadata;
}

export function isToMany(relation: RelationMetadata): boolean {
  return relation.isOneToMany || relation.isManyToMany;
}

/**
 * Left-joins a to-one relation once per builder, reusing a join the caller already made (for
 * example to load an `include`), so a path used several times adds a single join.
 */
export function joinToOne(scope: QueryScope, relation: QueryRelation): QueryScope {
  const metadata = relationMetadataOf(scope, relation);
  const joinPath = `${scope.alias}.${relation.property}`;
  const existing = scope.qb.expressionMap.joinAttributes.find((join) => join.entityOrProperty === joinPath);
  const alias = existing?.alias.name ?? `${scope.alias}_${relation.property}`;
  if (!existing) scope.qb.leftJoin(joinPath, alias);
  return {
    qb: scope.qb,
    alias,
    metadata: metadata.inverseEntityMetadata,
    entity: relation.target(),
    optional: scope.optional || existing?.direction !== 'INNER',
  };
}

/**
 * Opens `SELECT 1 FROM <owner> JOIN <relation> WHERE <owner is the outer row>` for a to-many
 * relation. The owner table is repeated so TypeORM's own join logic covers one-to-many and
 * many-to-many alike; conditions added to the returned scope's builder go inside the sub-query,
 * which the caller wraps in EXISTS so the outer rows are never multiplied.
 */
export function openToManyScope(scope: QueryScope, relation: QueryRelation): QueryScope {
  const metadata = relationMetadataOf(scope, relation);
  const itemsAlias = `${scope.alias}_${relation.property}`;
  const ownerAlias = `${itemsAlias}_owner`;
  const escape = (name: string) => scope.qb.escape(name);
  const sameOwner = scope.metadata.primaryColumns
    .map((column) => {
      const name = escape(column.databaseName);
      return `${escape(ownerAlias)}.${name} = ${escape(scope.alias)}.${name}`;
    })
    .join(' AND ');
  const subQuery = scope.qb
    .subQuery()
    .select('1')
    .from(scope.metadata.target, ownerAlias)
    .innerJoin(`${ownerAlias}.${relation.property}`, itemsAlias)
    .where(sameOwner);
  return {
    qb: subQuery,
    alias: itemsAlias,
    metadata: metadata.inverseEntityMetadata,
    entity: relation.target(),
    optional: false,
  };
}
