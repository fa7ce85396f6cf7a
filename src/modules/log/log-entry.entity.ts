import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** bigint comes back from pg as text; ids stay well inside Number.MAX_SAFE_INTEGER. */
const bigintAsNumber = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** Rows are inserted in batches by DatabaseLogService with plain SQL; the entity serves reads and filters. */
@Entity('log_entries')
@Index('log_entries_time_stamp_idx', ['timeStamp'])
@Index('log_entries_level_time_stamp_idx', ['level', 'timeStamp'])
@Check('log_entries_level_check', '"level" BETWEEN 0 AND 5')
export class LogEntryEntity {
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  id: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  timeStamp: Date;

  /** Index in LOG_LEVELS: 0 Verbose … 5 Fatal. */
  @Column({ type: 'smallint' })
  level: number;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'text' })
  messageTemplate: string;

  @Column({ type: 'text', nullable: true })
  exception: string | null;

  /** JSON object text. */
  @Column({ type: 'text', nullable: true })
  properties: string | null;
}
