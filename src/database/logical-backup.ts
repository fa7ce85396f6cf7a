import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { QueryRunner } from 'typeorm';

/**
 * A logical export of the schema's tables, made and read by this code alone: gzip'd lines, `#<table>` before the
 * rows of each table and one JSON object per row (`to_jsonb`: one line, numbers exact, bytea as hex). It needs no
 * pg_dump of the server's major version (the embedded PostgreSQL ships none, a distribution's is often older than
 * the server) and no superuser. The schema itself is not in it: a restore builds it with the same migrations.
 */
export interface ExportedTable {
  name: string;
  rows: number;
}

export interface ExportedSequence {
  name: string;
  /** As text: a bigint does not fit a JSON number. */
  lastValue: string;
  isCalled: boolean;
}

export interface DatabaseExport {
  serverVersion: string;
  /** Applied migrations, oldest first: the schema the rows belong to. */
  migrations: string[];
  tables: ExportedTable[];
  sequences: ExportedSequence[];
}

const FETCH_ROWS = 1000;
const INSERT_ROWS = 500;
const CURSOR = 'backup_rows';

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The tables of the current schema (partitions are read through their parent). */
async function listTables(queryRunner: QueryRunner): Promise<string[]> {
  const rows: Array<{ name: string }> = await queryRunner.query(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname`,
  );
  return rows.map((row) => row.name);
}

async function listSequences(queryRunner: QueryRunner): Promise<string[]> {
  const rows: Array<{ name: string }> = await queryRunner.query(
    `SELECT relname AS name FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'S'
      ORDER BY relname`,
  );
  return rows.map((row) => row.name);
}

/** How many tables the current schema has: a restore goes only into an empty database. */
export async function countTables(queryRunner: QueryRunner): Promise<number> {
  return (await listTables(queryRunner)).length;
}

/**
 * Writes every table of the current schema to `file`, all read in one REPEATABLE READ READ ONLY transaction: one
 * snapshot, so the rows agree with each other (a license and its template) while the service keeps writing.
 * Sequences are read last, at or beyond every id in the snapshot.
 */
export async function exportDatabase(queryRunner: QueryRunner, file: string): Promise<DatabaseExport> {
  const gzip = createGzip();
  const written = pipeline(gzip, createWriteStream(file, { mode: 0o600 }));
  const write = async (line: string) => {
    if (!gzip.write(`${line}\n`)) await once(gzip, 'drain');
  };
  try {
    await queryRunner.startTransaction('REPEATABLE READ');
    await queryRunner.query('SET TRANSACTION READ ONLY');
    const [{ version }]: Array<{ version: string }> = await queryRunner.query(
      `SELECT current_setting('server_version') AS version`,
    );
    const migrations: Array<{ name: string }> = await queryRunner.query('SELECT name FROM migrations ORDER BY id');
    const tables: ExportedTable[] = [];
    for (const name of await listTables(queryRunner)) {
      await write(`#${name}`);
      await queryRunner.query(
        `DECLARE ${CURSOR} NO SCROLL CURSOR FOR SELECT to_jsonb(t)::text AS row FROM ${ident(name)} t`,
      );
      let rows = 0;
      for (;;) {
        const batch: Array<{ row: string }> = await queryRunner.query(`FETCH FORWARD ${FETCH_ROWS} FROM ${CURSOR}`);
        for (const { row } of batch) await write(row);
        rows += batch.length;
        if (batch.length < FETCH_ROWS) break;
      }
      await queryRunner.query(`CLOSE ${CURSOR}`);
      tables.push({ name, rows });
    }
    const sequences: ExportedSequence[] = [];
    for (const name of await listSequences(queryRunner)) {
      const [state]: Array<{ lastValue: string; isCalled: boolean }> = await queryRunner.query(
        `SELECT last_value::text AS "lastValue", is_called AS "isCalled" FROM ${ident(name)}`,
      );
      sequences.push({ name, ...state });
    }
    await queryRunner.commitTransaction();
    gzip.end();
    await written;
    return { serverVersion: version, migrations: migrations.map((row) => row.name), tables, sequences };
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
    gzip.destroy();
    await written.catch(() => undefined);
    throw error;
  }
}

interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

/**
 * Loads an export into the current schema, which the caller has just built with the export's migrations, inside
 * the caller's transaction: either every row is in, or nothing is. The migrations' seeded rows are replaced. Foreign
 * keys are dropped while the rows go in (a table may come before the one it references) and put back after, which
 * checks every reference; the tables' own triggers (NOTIFY to the principal caches) stay off meanwhile, as owner of
 * the new tables allows without superuser.
 */
export async function importDatabase(
  queryRunner: QueryRunner,
  file: string,
  expected: Pick<DatabaseExport, 'tables' | 'sequences'>,
): Promise<number> {
  const tables = await listTables(queryRunner);
  const missing = expected.tables.filter((table) => !tables.includes(table.name));
  if (missing.length)
    throw new Error(`the backup's table ${missing[0].name} is not in the schema its migrations built`);
  const foreignKeys: ForeignKey[] = await queryRunner.query(
    `SELECT conrelid::regclass::text AS "table", conname AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY conname`,
  );
  for (const key of foreignKeys) await queryRunner.query(`ALTER TABLE ${key.table} DROP CONSTRAINT ${ident(key.name)}`);
  for (const table of tables) await queryRunner.query(`ALTER TABLE ${ident(table)} DISABLE TRIGGER USER`);
  await queryRunner.query(`TRUNCATE ${tables.map(ident).join(', ')}`);

  const counted = new Map<string, number>();
  let table: { name: string; columns: string } | undefined;
  let batch: string[] = [];
  const flush = async () => {
    if (!table || batch.length === 0) return;
    await queryRunner.query(
      `INSERT INTO ${ident(table.name)} (${table.columns}) OVERRIDING SYSTEM VALUE
       SELECT ${table.columns} FROM json_populate_recordset(NULL::${ident(table.name)}, $1::json)`,
      [`[${batch.join(',')}]`],
    );
    counted.set(table.name, (counted.get(table.name) ?? 0) + batch.length);
    batch = [];
  };
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.startsWith('#')) {
      await flush();
      const name = line.slice(1);
      if (!tables.includes(name)) throw new Error(`the backup holds rows of table ${name}, which the schema lacks`);
      const columns: Array<{ name: string }> = await queryRunner.query(
        `SELECT attname AS name FROM pg_attribute
          WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
        [ident(name)],
      );
      table = { name, columns: columns.map((column) => ident(column.name)).join(', ') };
    } else if (line) {
      if (!table) throw new Error('the backup file does not start with a table');
      batch.push(line);
      if (batch.length >= INSERT_ROWS) await flush();
    }
  }
  await flush();
  for (const { name, rows } of expected.tables) {
    if ((counted.get(name) ?? 0) !== rows)
      throw new Error(`the backup's table ${name} should hold ${rows} rows, the file has ${counted.get(name) ?? 0}`);
  }

  for (const table of tables) await queryRunner.query(`ALTER TABLE ${ident(table)} ENABLE TRIGGER USER`);
  for (const key of foreignKeys)
    await queryRunner.query(`ALTER TABLE ${key.table} ADD CONSTRAINT ${ident(key.name)} ${key.definition}`);
  for (const sequence of expected.sequences)
    await queryRunner.query('SELECT setval($1::regclass, $2::bigint, $3)', [
      ident(sequence.name),
      sequence.lastValue,
      sequence.isCalled,
    ]);
  return [...counted.values()].reduce((sum, rows) => sum + rows, 0);
}
