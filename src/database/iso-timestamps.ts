import { types } from 'pg';
import type { CustomTypesConfig } from 'pg';

/** PostgreSQL's type oid of `timestamp with time zone`. */
const TIMESTAMPTZ_OID = 1184;

/** `2026-11-28 01:16:07.123456+00`, the text form of a timestamptz (seconds of the offset are never sent for real zones). */
const TIMESTAMPTZ_TEXT = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-])(\d\d)(?::(\d\d))?$/;

const defaultTimestamptz = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => unknown;

/**
 * A timestamptz as its ISO-8601 UTC string, exactly what `toISOString()` of the Date that pg would
 * build answers (milliseconds truncated as a Date truncates them), without building it: for a page of
 * wide rows, parsing each timestamp into a Date and formatting it again cost a tenth of the list
 * endpoint's CPU (bench/licenses-list.bench.ts). Anything unusual (infinity, BC, years before 100)
 * goes through pg's own parser.
 */
export function timestamptzToIso(text: string): unknown {
  const match = TIMESTAMPTZ_TEXT.exec(text);
  if (!match) return isoOf(defaultTimestamptz(text));
  const [, year, month, day, hour, minute, second, fraction = '', sign, offsetHours, offsetMinutes] = match;
  const milliseconds = (fraction + '000').slice(0, 3);
  if (offsetHours === '00' && (offsetMinutes === undefined || offsetMinutes === '00')) {
    return `${year}-${month}-${day}T${hour}:${minute}:${second}.${milliseconds}Z`;
  }
  // Date.UTC reads years below 100 as 19xx; such dates take pg's own way.
  if (Number(year) < 100) return isoOf(defaultTimestamptz(text));
  const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes ?? 0));
  const utc = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute) - offset,
    Number(second),
    Number(milliseconds),
  );
  return isoOf(new Date(utc));
}

/** What the Date pg builds formats to; values that are no valid Date (infinity) stay as pg answers them. */
function isoOf(value: unknown): unknown {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : value;
}

/** pg's parsers, but timestamptz columns arrive as ISO strings (see timestamptzToIso). */
export const ISO_TIMESTAMP_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMPTZ_OID && format !== 'binary'
      ? timestamptzToIso
      : types.getTypeParser(oid, format as 'text')) as CustomTypesConfig['getTypeParser'],
};
