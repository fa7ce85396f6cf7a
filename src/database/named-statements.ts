/**
 * Whether hot-path statements are sent as named prepared statements (DATABASE_NAMED_STATEMENTS). Off, they go as
 * unnamed statements, parsed and planned on every call: needed behind a pooler that cannot keep a connection's
 * prepared statements (PgBouncer before 1.21 in transaction mode). Set once at start from the configuration.
 */
let namedStatements = true;

export function useNamedStatements(enabled: boolean): void {
  namedStatements = enabled;
}

/** The name to prepare a statement under, or undefined when named statements are off. */
export function statementName(name: string): string | undefined {
  return namedStatements ? name : undefined;
}
