import { DefaultNamingStrategy, NamingStrategyInterface, Table } from 'typeorm';

function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** Tables and columns in snake_case, so hand-written SQL (reports, benchmarks) reads naturally. */
export class SnakeNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override columnName(propertyName: string, customName: string | undefined, embeddedPrefixes: string[]): string {
    return snakeCase(embeddedPrefixes.concat(customName ?? propertyName).join('_'));
  }

  override relationName(propertyName: string): string {
    return snakeCase(propertyName);
  }

  override joinColumnName(relationName: string, referencedColumnName: string): string {
    return snakeCase(`${relationName}_${referencedColumnName}`);
  }

  // Constraint names as PostgreSQL itself picks them, the names the hand-written migrations got.
  override primaryKeyName(tableOrName: Table | string): string {
    return `${this.tableOf(tableOrName)}_pkey`;
  }

  override foreignKeyName(tableOrName: Table | string, columnNames: string[]): string {
    return `${this.tableOf(tableOrName)}_${columnNames.join('_')}_fkey`;
  }

  override uniqueConstraintName(tableOrName: Table | string, columnNames: string[]): string {
    return `${this.tableOf(tableOrName)}_${columnNames.join('_')}_key`;
  }

  /**
   * `CREATE INDEX ON t (a, b)` without a name: PostgreSQL calls it t_a_b_idx. Entities name their indexes
   * explicitly; this covers the ones TypeORM adds by itself (the column indexes of many-to-many join tables).
   */
  override indexName(tableOrName: Table | string, columnNames: string[]): string {
    return `${this.tableOf(tableOrName)}_${columnNames.join('_')}_idx`;
  }

  private tableOf(tableOrName: Table | string): string {
    const name = typeof tableOrName === 'string' ? tableOrName : tableOrName.name;
    return name.split('.').pop()!;
  }

  override joinTableColumnName(tableName: string, propertyName: string, columnName?: string): string {
    return snakeCase(`${tableName}_${columnName ?? propertyName}`);
  }
}
