import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOG, errorCodes, renderErrorCodeTable } from './error-catalog';
import { ErrorCode } from './error-code';

describe('ERROR_CATALOG', () => {
  it('describes every code of ErrorCode with a status, a meaning, an action and a message', () => {
    const members = Object.values(ErrorCode).filter((value) => typeof value === 'number');
    expect(
      Object.keys(ERROR_CATALOG)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(errorCodes());
    expect(errorCodes()).toHaveLength(members.length);
    for (const code of errorCodes()) {
      const entry = ERROR_CATALOG[code];
      expect({ code, statuses: entry.statuses.length > 0 }).toEqual({ code, statuses: true });
      const errorStatuses = entry.statuses.every((status) => status >= 400 && status < 600);
      expect({ code, errorStatuses }).toEqual({ code, errorStatuses: code !== ErrorCode.Success });
      expect({ code, meaning: entry.meaning.trim() !== '', action: entry.action.trim() !== '' }).toEqual({
        code,
        meaning: true,
        action: true,
      });
      expect({ code, example: entry.example.trim() !== '' }).toEqual({ code, example: true });
    }
  });

  it('the README holds the table as ERROR_CATALOG renders it (npm run errors:table writes it)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(renderErrorCodeTable());
  });
});
