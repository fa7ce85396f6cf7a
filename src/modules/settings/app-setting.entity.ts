import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Only settings that differ from their default are stored. */
@Entity('app_settings')
export class AppSettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  group: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'jsonb', nullable: true })
  value: string | number | boolean | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
