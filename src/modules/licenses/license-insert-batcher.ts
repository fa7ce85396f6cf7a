import { DataSource } from 'typeorm';
import { queryPrepared } from '../license-templates/prepared-query';

/** One licenses row as INSERT parameters, in LICENSE_COLUMNS order, with its unique keys. */
export interface LicenseRowParameters {
  licenseId: string;
  userKey: string;
  values: unknown[];
  /** The license.created audit event, as AuditRecorder's parameters (taken in the caller's request context). */
  audit: unknown[];
}

/**
 * Per row after all the license values: its license id, then its audit parameters (all of auditParameters' but the
 * entity id, which is the new row's), with their SQL types.
 */
const AUDIT_CONTEXT: ReadonlyArray<[column: string, type: string]> = [
  ['license_id', 'varchar'],
  ['action', 'varchar'],
  ['entity_type', 'varchar'],
  ['actor_type', 'varchar'],
  ['actor_id', 'text'],
  ['actor_name', 'varchar'],
  ['address', 'varchar'],
  ['request_id', 'varchar'],
  ['changes', 'jsonb'],
];
export const AUDIT_PARAMETERS_PER_ROW = AUDIT_CONTEXT.length;

export const LICENSE_COLUMNS = [
  'license_id',
  'license_type',
  'format',
  'description',
  'issue_date',
  'expire_date',
  'support_expire_date',
  'revoked',
  'trace',
  'license_key',
  'max_allowed_sites',
  'user_key',
  'licensing_mode',
  'licensee_name',
  'licensee_company',
  'licensee_email',
  'hash',
  'meta',
  'generate_key_info',
  'template_id',
  'signature_keys_id',
  'signing_key_id',
  'customer_id',
  'order_id',
  'product_id',
  'product',
  'licensee',
  'components',
  'assemblies',
  'fields',
  'features',
  'restrictions',
] as const;
/** Columns whose parameters arrive as JSON text: those from `product` on. */
const JSONB_COLUMNS = new Set<string>(LICENSE_COLUMNS.slice(LICENSE_COLUMNS.indexOf('product')));

/** At most this many rows per statement, and this many statements in flight at once. */
const MAX_BATCH = 64;
const MAX_IN_FLIGHT = 2;

interface Pending {
  row: LicenseRowParameters;
  resolve: (id: number | undefined) => void;
  reject: (error: unknown) => void;
}

/** A prepared statement: its name, SQL and parameters. */
export interface LicenseInsertStatement {
  name: string;
  text: string;
  values: unknown[];
}

const insertSqlByRowCount = new Map<number, string>();

function insertSql(rows: number): string {
  const tuples = Array.from({ length: rows }, (_, row) => {
    const offset = row * LICENSE_COLUMNS.length;
    return `(${LICENSE_COLUMNS.map((column, index) => `$${offset + index + 1}${JSONB_COLUMNS.has(column) ? '::jsonb' : ''}`).join(', ')})`;
  });
  const base = rows * LICENSE_COLUMNS.length;
  const audits = Array.from({ length: rows }, (_, row) => {
    const at = base + row * AUDIT_PARAMETERS_PER_ROW;
    return `(${AUDIT_CONTEXT.map(([, type], index) => `$${at + index + 1}::${type}`).join(', ')})`;
  });
  // The audit rows are part of the same statement, so they commit with the licenses they record.
  return `WITH inserted AS (
      INSERT INTO licenses (${LICENSE_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}
      ON CONFLICT DO NOTHING RETURNING id, license_id),
    context (${AUDIT_CONTEXT.map(([column]) => column).join(', ')}) AS (
      VALUES ${audits.join(', ')}),
    audited AS (
      INSERT INTO audit_events (action, entity_type, entity_id, actor_type, actor_id, actor_name, address, request_id, changes)
      SELECT c.action, c.entity_type, i.id::text, c.actor_type, c.actor_id, c.actor_name, c.address, c.request_id, c.changes
        FROM inserted i JOIN context c ON c.license_id = i.license_id)
    SELECT id, license_id FROM inserted`;
}

/**
 * The INSERT of `rows` and their audit events: a VALUES list with each value a parameter of its own, one prepared
 * statement per row count. Each column as an unnested array (one statement for every row count) cost more where it
 * runs every time: pg escaped every element into array text (11 µs per license in a generation profile) and
 * PostgreSQL parsed it back (7 % more CPU per row at 16 rows a statement), against planning each row count's
 * statement on the first few uses on a connection.
 */
export function licenseInsertStatement(rows: LicenseRowParameters[]): LicenseInsertStatement {
  let text = insertSqlByRowCount.get(rows.length);
  if (!text) insertSqlByRowCount.set(rows.length, (text = insertSql(rows.length)));
  return {
    name: `licensing_insert_licenses_${rows.length}`,
    text,
    values: [...rows.flatMap((row) => row.values), ...rows.flatMap((row) => [row.licenseId, ...row.audit])],
  };
}

/**
 * Inserts new licenses, several to a statement when several requests generate licenses at the same
 * time: each INSERT is a commit, and a commit waits for the write-ahead log to reach the disk, so one
 * commit for many rows is what lets generation keep up. Alone, a row is inserted at once; while
 * MAX_IN_FLIGHT statements are running, rows wait and go together in the next one.
 *
 * Each caller learns its own outcome: the row id, or undefined when its license id or user key was
 * taken (ON CONFLICT DO NOTHING), so it can retry with new ones. Rows that share a license id or user
 * key never share a statement. If a statement fails as a whole, its rows are tried one by one so that
 * only the row at fault fails.
 */
export class LicenseInsertBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  constructor(private readonly dataSource: DataSource) {}

  insert(row: LicenseRowParameters): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The first rows of the queue whose license ids and user keys differ from each other. */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const later: Pending[] = [];
    const licenseIds = new Set<string>();
    const userKeys = new Set<string>();
    for (const pending of this.queue) {
      if (batch.length < MAX_BATCH && !licenseIds.has(pending.row.licenseId) && !userKeys.has(pending.row.userKey)) {
        batch.push(pending);
        licenseIds.add(pending.row.licenseId);
        userKeys.add(pending.row.userKey);
      } else {
        later.push(pending);
      }
    }
    this.queue = later;
    return batch;
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const ids = await this.execute(batch.map((pending) => pending.row));
      for (const pending of batch) pending.resolve(ids.get(pending.row.licenseId));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      for (const pending of batch) {
        await this.execute([pending.row]).then(
          (ids) => pending.resolve(ids.get(pending.row.licenseId)),
          pending.reject,
        );
      }
    }
  }

  private async execute(rows: LicenseRowParameters[]): Promise<Map<string, number>> {
    const { name, text, values } = licenseInsertStatement(rows);
    const inserted = await queryPrepared<{ id: number; license_id: string }>(this.dataSource, name, text, values);
    return new Map(inserted.map((row) => [row.license_id, row.id]));
  }
}
