import { chooseGroupBy } from './log.service';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('chooseGroupBy', () => {
  it.each([
    [HOUR, 60, 'minute'],
    [DAY, 24, 'hour'],
    [DAY, 30, 'hour'],
    [7 * DAY, 7, 'day'],
    [30 * DAY, 24, 'day'],
    [31 * DAY, 30, 'day'],
    [365 * DAY, 52, 'week'],
    [365 * DAY, 12, 'month'],
    [10 * 365 * DAY, 24, 'month'],
    [1000, 1000, 'minute'],
  ])('a range of %d ms in %d intervals is bucketed by %s', (range, intervals, expected) => {
    expect(chooseGroupBy(range, intervals)).toBe(expected);
  });
});
