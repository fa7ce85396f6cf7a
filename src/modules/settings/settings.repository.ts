import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppSettingEntity } from './app-setting.entity';

/** One stored setting, keyed by group and name. */
export type StoredSetting = Pick<AppSettingEntity, 'group' | 'name' | 'value'>;

@Injectable()
export class SettingsRepository {
  constructor(@InjectRepository(AppSettingEntity) private readonly settings: Repository<AppSettingEntity>) {}

  findAll(): Promise<AppSettingEntity[]> {
    return this.settings.find();
  }

  /** Inserts or replaces every row in one transaction: all of them are written or none. */
  async upsertAll(rows: StoredSetting[]): Promise<void> {
    await this.settings.manager.transaction(async (manager) => {
      for (const row of rows) await manager.upsert(AppSettingEntity, row, ['group', 'name']);
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
