import { LOG_LEVELS, LogLevelName } from '../settings/setting-definitions';

export { LOG_LEVELS, LogLevelName };

/** Stored as the index in LOG_LEVELS, so levels order and filter as numbers (`Level >= "Warning"`). */
export const LOG_LEVEL_VALUES: Record<LogLevelName, number> = Object.fromEntries(
  LOG_LEVELS.map((name, index) => [name, index]),
) as Record<LogLevelName, number>;

export function levelName(value: number): LogLevelName {
  return LOG_LEVELS[value] ?? 'Information';
}

export function levelValue(name: string): number | undefined {
  const index = LOG_LEVELS.findIndex((level) => level.toLowerCase() === name.toLowerCase());
  return index < 0 ? undefined : index;
}
