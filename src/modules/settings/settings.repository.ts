import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditRecorder, REDACTED, isSecretMember } from '../../common/audit';
import { AppSettingEntity } from './app-setting.entity';

/** One stored setting, keyed by group and name. */
export type StoredSetting = Pick<AppSettingEntity, 'group' | 'name' | 'value'>;

@Injectable()
export class SettingsRepository {
  constructor(
    @InjectRepository(AppSettingEntity) private readonly settings: Repository<AppSettingEntity>,
    private readonly audit: AuditRecorder,
  ) {}

  findAll(): Promise<AppSettingEntity[]> {
    return this.settings.find();
  }

  /**
   * Inserts or replaces every row in one transaction: all of them are written or none, each change with its
   * audit event (`setting.updated`, entity id "Group.Name"; secret settings' values as "[redacted]").
   */
  async upsertAll(rows: StoredSetting[]): Promise<void> {
    await this.settings.manager.transaction(async (manager) => {
      for (const row of rows) {
        const before = await manager.findOneBy(AppSettingEntity, { group: row.group, name: row.name });
        await manager.upsert(AppSettingEntity, row, ['group', 'name']);
        const from = before?.value ?? null;
        if (JSON.stringify(from) === JSON.stringify(row.value)) continue;
        const secret = isSecretMember(row.name);
        await this.audit.record(manager, {
          action: 'setting.updated',
          entityType: 'setting',
          entityId: `${row.group}.${row.name}`,
          changes: { value: secret ? { from: REDACTED, to: REDACTED } : { from, to: row.value } },
        });
      }
    });
  }

  /** The name of the newest migration run on this database, or null before the first. */
  async latestMigrationName(): Promise<string | null> {
    const rows: Array<{ name: string }> = await this.settings.query(
      'SELECT name FROM migrations ORDER BY id DESC LIMIT 1',
    );
    return rows[0]?.name ?? null;
  }
}
