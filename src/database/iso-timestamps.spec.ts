import { types } from 'pg';
import { ISO_TIMESTAMP_TYPES, timestamptzToIso } from './iso-timestamps';

const pgDate = types.getTypeParser(1184, 'text') as (text: string) => unknown;
/** What the mapper made of pg's Date before: its toISOString, or the value itself when it is no Date. */
const throughDate = (text: string) => {
  const value = pgDate(text);
  return value instanceof Date ? value.toISOString() : value;
};

describe('timestamptzToIso', () => {
  it.each([
    '2026-11-28 01:16:07.123456+00',
    '2026-11-28 01:16:07+00',
    '2026-11-28 01:16:07.1+00',
    '2026-11-28 01:16:07.999999+00',
    '2026-12-31 23:59:59.5-05',
    '2026-01-01 00:30:00+05:30',
    '2026-03-29 02:15:00.25-03:30',
    '1999-12-31 23:59:59+14',
    '0044-03-15 12:00:00+00',
    '0044-03-15 12:00:00+02',
    '0044-03-15 12:00:00+00 BC',
    '10000-01-01 00:00:00+00',
    'infinity',
    '-infinity',
  ])("answers for %s what toISOString of pg's Date answers", (text) => {
    expect(timestamptzToIso(text)).toEqual(throughDate(text));
  });

  it('is what ISO_TIMESTAMP_TYPES gives for timestamptz, and leaves the other types to pg', () => {
    expect(ISO_TIMESTAMP_TYPES.getTypeParser(1184, 'text')).toBe(timestamptzToIso);
    expect(ISO_TIMESTAMP_TYPES.getTypeParser(1114, 'text')).toBe(types.getTypeParser(1114, 'text'));
    expect(ISO_TIMESTAMP_TYPES.getTypeParser(23, 'text')).toBe(types.getTypeParser(23, 'text'));
  });
});
