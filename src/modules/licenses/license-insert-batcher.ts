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

/** The audit parameters the statement takes per row: all of auditParameters' but the entity id (the new row's). */
const AUDIT_COLUMNS = 8;
/** Per row after all the license values: its license id, then its audit parameters. */
export const AUDIT_PARAMETERS_PER_ROW = AUDIT_COLUMNS + 1;

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
/** The SQL type of each column, for the arrays the INSERT unnests. */
const COLUMN_TYPES: Record<(typeof LICENSE_COLUMNS)[number], string> = {
  license_id: 'varchar',
  license_type: 'varchar',
  format: 'smallint',
  description: 'text',
  issue_date: 'timestamptz',
  expire_date: 'timestamptz',
  support_expire_date: 'timestamptz',
  revoked: 'boolean',
  trace: 'boolean',
  license_key: 'text',
  max_allowed_sites: 'int',
  user_key: 'varchar',
  licensing_mode: 'smallint',
  licensee_name: 'varchar',
  licensee_company: 'varchar',
  licensee_email: 'varchar',
  hash: 'text',
  meta: 'text',
  generate_key_info: 'boolean',
  template_id: 'int',
  signature_keys_id: 'int',
  signing_key_id: 'varchar',
  customer_id: 'int',
  order_id: 'int',
  product_id: 'int',
  product: 'jsonb',
  licensee: 'jsonb',
  components: 'jsonb',
  assemblies: 'jsonb',
  fields: 'jsonb',
  features: 'jsonb',
  restrictions: 'jsonb',
};

/** The SQL types of an audit event's AUDIT_COLUMNS parameters (action … changes), after the license id that joins it to its row. */
const AUDIT_TYPES = ['varchar', 'varchar', 'varchar', 'text', 'varchar', 'varchar', 'varchar', 'jsonb'];

/** At most this many rows per statement, and this many statements in flight at once. */
const MAX_BATCH = 64;
const MAX_IN_FLIGHT = 2;

interface Pending {
  row: LicenseRowParameters;
  resolve: (id: number | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * The INSERT of any number of licenses and their audit events, in one statement of one shape: each column arrives as
 * an array and is unnested, so that PostgreSQL parses and plans one prepared statement per connection whatever the
 * batch size (a VALUES list has a shape per row count, planned again for each; planning a 64-row one cost more than
 * inserting it).
 */
export const LICENSE_INSERT_SQL = (() => {
  const columns = LICENSE_COLUMNS.map((column, index) => `$${index + 1}::${COLUMN_TYPES[column]}[]`);
  const audit = AUDIT_TYPES.map((type, index) => `$${LICENSE_COLUMNS.length + index + 2}::${type}[]`);
  // The audit rows are part of the same statement, so they commit with the licenses they record.
  return `WITH inserted AS (
      INSERT INTO licenses (${LICENSE_COLUMNS.join(', ')})
      SELECT * FROM unnest(${columns.join(', ')})
      ON CONFLICT DO NOTHING RETURNING id, license_id),
    context AS (
      SELECT * FROM unnest($${LICENSE_COLUMNS.length + 1}::varchar[], ${audit.join(', ')})
        AS c (license_id, action, entity_type, actor_type, actor_id, actor_name, address, request_id, changes)),
    audited AS (
      INSERT INTO audit_events (action, entity_type, entity_id, actor_type, actor_id, actor_name, address, request_id, changes)
      SELECT c.action, c.entity_type, i.id::text, c.actor_type, c.actor_id, c.actor_name, c.address, c.request_id, c.changes
        FROM inserted i JOIN context c ON c.license_id = i.license_id)
    SELECT id, license_id FROM inserted`;
})();

/** LICENSE_INSERT_SQL's parameters for `rows`: one array per column, then the license ids and audit columns. */
export function licenseInsertParameters(rows: LicenseRowParameters[]): unknown[][] {
  const column = (pick: (row: LicenseRowParameters) => unknown) => rows.map(pick);
  return [
    ...LICENSE_COLUMNS.map((_, index) => column((row) => row.values[index])),
    column((row) => row.licenseId),
    ...AUDIT_TYPES.map((_, index) => column((row) => row.audit[index])),
  ];
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
    const inserted = await queryPrepared<{ id: number; license_id: string }>(
      this.dataSource,
      'licensing_insert_licenses',
      LICENSE_INSERT_SQL,
      licenseInsertParameters(rows),
    );
    return new Map(inserted.map((row) => [row.license_id, row.id]));
  }
}
