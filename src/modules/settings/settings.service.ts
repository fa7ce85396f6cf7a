import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { isIP } from 'node:net';
import { Payload } from '../../common/envelope';
import { validateKeyFormat } from '../../common/key-format';
import { ApiException, ErrorCode } from '../../common/errors';
import { APP_CONFIG, AppConfig, ConfigurationError } from '../../config';
import { SETTING_DEFINITIONS, SettingDefinition, SettingKey, SettingValue, settingKey } from './setting-definitions';
import { AppSettingDto, GetSettingsResponse } from './settings.dto';
import { SettingsRepository } from './settings.repository';

/** Other instances pick up a change within this many milliseconds; this one at once. */
const CACHE_TTL_MS = 5000;
const EMAIL_PATTERN = /^[^\s@<>]+@[^\s@<>]+$/;
const HOST_PATTERN =
  /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

const DEFINITIONS = new Map<string, SettingDefinition>(
  SETTING_DEFINITIONS.map((definition) => [settingKey(definition.group, definition.name), definition]),
);

/**
 * Application settings: typed, range-checked, cached, and in force without a restart. Services read
 * them with `get('Licensing.UserKeyFormat')`.
 */
@Injectable()
export class SettingsService implements OnModuleInit {
  /** `resolved`: the values asked for, by the key as callers spell it (a constant), so a hit allocates nothing. */
  private cache?: { values: Map<string, SettingValue>; loadedAt: number; resolved: Map<SettingKey, SettingValue> };
  private loading?: Promise<Map<string, SettingValue>>;
  private generation = 0;
  /** Defaults given by SETTINGS__<GROUP>__<NAME> variables (deployments wire e.g. the SMTP host this way). */
  private readonly defaults = new Map<string, SettingValue>();

  constructor(
    private readonly settings: SettingsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    for (const [variable, raw] of Object.entries(this.config.settingDefaults)) {
      const [, group, name] = variable.split('__');
      const definition = DEFINITIONS.get(settingKey(group ?? '', name ?? ''));
      if (!definition || definition.readOnly)
        throw new ConfigurationError(
          `${variable} names no writable setting; see GET /v1/settings for the groups and names`,
        );
      try {
        this.defaults.set(settingKey(definition.group, definition.name), this.coerce(definition, raw, variable));
      } catch (error) {
        throw new ConfigurationError(error instanceof Error ? error.message : String(error));
      }
    }
  }

  async get<T extends SettingValue = SettingValue>(key: SettingKey): Promise<T> {
    return this.resolve(await this.load(), key) as T;
  }

  /**
   * The value without waiting, while the cache is fresh (it is on all but one call in several seconds under load);
   * undefined when it must be read first, which `get` does. For hooks that run on every request.
   */
  peek<T extends SettingValue = SettingValue>(key: SettingKey): T | undefined {
    const cache = this.cache;
    if (!cache || Date.now() - cache.loadedAt >= CACHE_TTL_MS) return undefined;
    if (cache.resolved.has(key)) return cache.resolved.get(key) as T;
    const value = this.resolve(cache.values, key);
    cache.resolved.set(key, value);
    return value as T;
  }

  private resolve(values: Map<string, SettingValue>, key: SettingKey): SettingValue {
    const normalized = key.toLowerCase();
    if (values.has(normalized)) return values.get(normalized)!;
    const definition = DEFINITIONS.get(normalized);
    if (!definition) throw new Error(`Unknown setting ${key}`);
    return this.defaultOf(definition);
  }

  private defaultOf(definition: SettingDefinition): SettingValue {
    const key = settingKey(definition.group, definition.name);
    return this.defaults.has(key) ? this.defaults.get(key)! : definition.default;
  }

  async list(group?: string): Promise<Payload<GetSettingsResponse>> {
    const wanted = group?.trim().toLowerCase();
    if (wanted && !SETTING_DEFINITIONS.some((definition) => definition.group.toLowerCase() === wanted)) {
      throw ApiException.badRequest(
        `Unknown settings group "${group}"; groups are ${[...new Set(SETTING_DEFINITIONS.map((d) => d.group))].join(', ')}`,
      );
    }
    const values = new Map(await this.load());
    values.set(settingKey('Application', 'DatabaseVersion'), await this.settings.latestMigrationName());
    const settings: AppSettingDto[] = SETTING_DEFINITIONS.filter(
      (definition) => !wanted || definition.group.toLowerCase() === wanted,
    ).map((definition) => {
      const key = settingKey(definition.group, definition.name);
      const value = values.has(key) ? values.get(key)! : this.defaultOf(definition);
      return {
        group: definition.group,
        name: definition.name,
        type: definition.type,
        value: 'secret' in definition && definition.secret ? null : value,
        description: definition.description,
        readOnly: 'readOnly' in definition ? definition.readOnly : false,
        isSet: 'secret' in definition && definition.secret ? Boolean(value) : undefined,
      };
    });
    return { settings };
  }

  /** Validates every entry first, then writes them all in one transaction: all or nothing. */
  async update(entries: Array<{ group?: string | null; name?: string | null; value?: unknown }>): Promise<void> {
    if (!entries.length) throw ApiException.badRequest('settings must contain at least one setting');
    const rows = entries.map((entry, index) => {
      const label = `${entry.group ?? '?'}.${entry.name ?? '?'}`;
      const definition = DEFINITIONS.get(settingKey(entry.group ?? '', entry.name ?? ''));
      if (!definition)
        throw ApiException.badRequest(`settings[${index}]: unknown setting ${label}`, ErrorCode.ValidationFailed);
      if (definition.readOnly)
        throw ApiException.badRequest(`settings[${index}]: ${label} is read-only`, ErrorCode.ValidationFailed);
      return {
        group: definition.group,
        name: definition.name,
        value: this.coerce(definition, entry.value, `settings[${index}] ${label}`),
      };
    });
    await this.settings.upsertAll(rows);
    this.cache = undefined;
    this.loading = undefined;
    this.generation++;
  }

  private coerce(definition: SettingDefinition, raw: unknown, label: string): SettingValue {
    const fail = (expected: string) =>
      ApiException.badRequest(`${label} must be ${expected}, got ${JSON.stringify(raw)}`);
    const text = typeof raw === 'string' ? raw.trim() : raw;
    switch (definition.type) {
      case 'Int32':
      case 'Double': {
        const value = typeof text === 'string' && text !== '' ? Number(text) : text;
        if (
          typeof value !== 'number' ||
          !Number.isFinite(value) ||
          (definition.type === 'Int32' && !Number.isInteger(value))
        ) {
          throw fail(definition.type === 'Int32' ? 'a whole number' : 'a number');
        }
        if (
          (definition.min !== undefined && value < definition.min) ||
          (definition.max !== undefined && value > definition.max)
        ) {
          throw fail(`between ${definition.min} and ${definition.max}`);
        }
        return value;
      }
      case 'Boolean':
        if (typeof text === 'boolean') return text;
        if (text === 'true' || text === 'false') return text === 'true';
        throw fail('true or false');
      case 'Enum': {
        const match = definition.values?.find((value) => value.toLowerCase() === String(text).toLowerCase());
        if (typeof text !== 'string' || !match) throw fail(`one of ${definition.values?.join(', ')}`);
        return match;
      }
      case 'KeyFormat':
        if (typeof text !== 'string' || !text) throw fail('a key format such as {TOKEN:5}-{TOKEN:5}');
        validateKeyFormat(text);
        return text;
      case 'Email':
        if (typeof text !== 'string' || !EMAIL_PATTERN.test(text)) throw fail('an email address');
        return text;
      case 'Host':
        if (typeof text !== 'string' || !(HOST_PATTERN.test(text) || isIP(text)))
          throw fail('a host name or IP address');
        return text;
      default:
        if (text === null && definition.default === null) return null;
        if (typeof raw !== 'string') throw fail('a string');
        if (definition.max !== undefined && raw.length > definition.max)
          throw fail(`at most ${definition.max} characters`);
        return raw;
    }
  }

  /** One query refreshes the cache however many callers find it stale at once. */
  private load(): Promise<Map<string, SettingValue>> {
    if (this.cache && Date.now() - this.cache.loadedAt < CACHE_TTL_MS) return Promise.resolve(this.cache.values);
    if (this.loading) return this.loading;
    const generation = this.generation;
    const loading = this.settings
      .findAll()
      .then((rows) => {
        const values = new Map(rows.map((row) => [settingKey(row.group, row.name), row.value]));
        // A load that started before an update must not bring the old values back.
        if (generation === this.generation) this.cache = { values, loadedAt: Date.now(), resolved: new Map() };
        return values;
      })
      .finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
    this.loading = loading;
    return loading;
  }
}
