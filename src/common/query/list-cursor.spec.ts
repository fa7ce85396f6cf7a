import { ErrorCode } from '../errors';
import {
  cursorFor,
  decodeCursor,
  encodeCursor,
  keysetPredicate,
  keysetSegments,
  useCursorSecret,
  type KeysetColumn,
} from './list-cursor';
import { apiErrorOf } from './testing/api-error';

function refusal(action: () => unknown): { code: ErrorCode; status: number; message: string } {
  const error = apiErrorOf(action);
  return { code: error.errorCode, status: error.getStatus(), message: error.message };
}

describe('list cursors', () => {
  beforeEach(() => useCursorSecret('a secret of at least thirty-two characters'));

  it('decode what they encode: sort values of every kind, NULL included', () => {
    const values = ['2026-12-02 02:19:46.123456+00', 42, true, null, 'Ünïcode "quoted"', 7];
    const text = encodeCursor({ shape: 'shape-1', values });
    expect(text).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(decodeCursor(text)).toEqual({ shape: 'shape-1', values });
  });

  it('refuse a cursor whose payload or signature was changed, or that another secret signed', () => {
    const text = encodeCursor({ shape: 'shape-1', values: [10] });
    const [payload, signature] = text.split('.');
    const forged = Buffer.from(JSON.stringify([1, 'shape-1', [999]])).toString('base64url');
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    for (const altered of [`${forged}.${signature}`, `${payload}.${flipped}`, `${payload}.${signature.slice(2)}`]) {
      expect(refusal(() => decodeCursor(altered))).toEqual({
        code: ErrorCode.InvalidCursor,
        status: 400,
        message: expect.stringMatching(/altered or not issued by this server/),
      });
    }
    useCursorSecret('another secret of at least thirty-two characters');
    expect(refusal(() => decodeCursor(text)).code).toBe(ErrorCode.InvalidCursor);
  });

  it('refuse what is not a cursor at all', () => {
    for (const malformed of ['', 'abc', 'a.b.c', 'has space.sig', '%%%.sig']) {
      expect(refusal(() => decodeCursor(malformed))).toEqual({
        code: ErrorCode.InvalidCursor,
        status: 400,
        message: expect.stringMatching(/cursor is malformed/),
      });
    }
  });

  it('refuse a cursor of another list shape (filter, sort) with the mismatch code', () => {
    const text = encodeCursor({ shape: 'shape-1', values: [10, 3] });
    expect(cursorFor(text, 'shape-1', 2).values).toEqual([10, 3]);
    expect(refusal(() => cursorFor(text, 'shape-2', 2))).toEqual({
      code: ErrorCode.CursorQueryMismatch,
      status: 400,
      message: expect.stringMatching(/another list, filter or sort/),
    });
    expect(refusal(() => cursorFor(text, 'shape-1', 3)).code).toBe(ErrorCode.CursorQueryMismatch);
  });
});

describe('keysetPredicate', () => {
  const id: KeysetColumn = { sql: 'id', descending: false, nullable: false };
  const column = (sql: string, descending: boolean, nullable: boolean): KeysetColumn => ({ sql, descending, nullable });

  it('continues an id sort with one index condition', () => {
    expect(keysetPredicate([id], [17])).toEqual({ sql: 'id > :cursor_0', parameters: { cursor_0: 17 } });
    expect(keysetPredicate([{ ...id, descending: true }], [17]).sql).toBe('id < :cursor_0');
  });

  it('bounds the first column in front of the OR so that an index scan starts there', () => {
    expect(keysetPredicate([column('created', false, false), id], ['2026-01-01', 5])).toEqual({
      sql: 'created >= :cursor_0 AND ((created > :cursor_0) OR (created = :cursor_0 AND id > :cursor_1))',
      parameters: { cursor_0: '2026-01-01', cursor_1: 5 },
    });
    expect(keysetPredicate([column('created', true, false), id], ['2026-01-01', 5]).sql).toBe(
      'created <= :cursor_0 AND ((created < :cursor_0) OR (created = :cursor_0 AND id > :cursor_1))',
    );
  });

  it('places NULLs last ascending: after a value come greater values and every NULL', () => {
    expect(keysetPredicate([column('rating', false, true), id], [4, 5]).sql).toBe(
      '((rating > :cursor_0 OR rating IS NULL)) OR (rating = :cursor_0 AND id > :cursor_1)',
    );
    // Inside the NULLs that end the order, only the tiebreak moves on.
    expect(keysetPredicate([column('rating', false, true), id], [null, 5])).toEqual({
      sql: 'rating IS NULL AND id > :cursor_1',
      parameters: { cursor_1: 5 },
    });
  });

  it('places NULLs first descending: after a NULL come the other NULLs by id and then every value', () => {
    expect(keysetPredicate([column('rating', true, true), id], [null, 5]).sql).toBe(
      '(rating IS NOT NULL) OR (rating IS NULL AND id > :cursor_1)',
    );
    expect(keysetPredicate([column('rating', true, true), id], [4, 5]).sql).toBe(
      'rating <= :cursor_0 AND ((rating < :cursor_0) OR (rating = :cursor_0 AND id > :cursor_1))',
    );
  });

  it('chains ties over several columns in their own directions', () => {
    expect(keysetPredicate([column('a', true, false), column('b', false, true), id], [1, null, 9]).sql).toBe(
      'a <= :cursor_0 AND ((a < :cursor_0) OR (a = :cursor_0 AND b IS NULL AND id > :cursor_2))',
    );
  });

  it('answers nothing after the last possible key', () => {
    expect(keysetPredicate([column('rating', false, true)], [null]).sql).toBe('FALSE');
  });
});

describe('keysetSegments', () => {
  const id: KeysetColumn = { sql: 'id', descending: false, nullable: false };
  const expires = (descending: boolean): KeysetColumn => ({ sql: 'expires', descending, nullable: true });
  const sqlOf = (segments: ReturnType<typeof keysetSegments>) =>
    segments.map((segment) => [segment.predicate.sql, segment.firstColumnNull]);

  it('keeps one segment for a column that holds no NULL', () => {
    expect(sqlOf(keysetSegments([{ ...expires(false), nullable: false }, id], ['2026-01-01', 3]))).toEqual([
      ['expires >= :cursor_0 AND ((expires > :cursor_0) OR (expires = :cursor_0 AND id > :cursor_1))', false],
    ]);
  });

  it('ascending past a value: the rest of the values from an index bound, then every NULL by id', () => {
    const segments = keysetSegments([expires(false), id], ['2026-01-01', 3]);
    expect(sqlOf(segments)).toEqual([
      ['expires >= :cursor_0 AND ((expires > :cursor_0) OR (expires = :cursor_0 AND id > :cursor_1))', false],
      ['expires IS NULL', true],
    ]);
    expect(segments[0].predicate.parameters).toEqual({ cursor_0: '2026-01-01', cursor_1: 3 });
  });

  it('ascending inside the NULLs that end the order: only the rest of them', () => {
    const segments = keysetSegments([expires(false), id], [null, 3]);
    expect(sqlOf(segments)).toEqual([['expires IS NULL AND (id > :cursor_r0)', true]]);
    expect(segments[0].predicate.parameters).toEqual({ cursor_r0: 3 });
  });

  it('descending inside the NULLs that start the order: the rest of them, then every value', () => {
    expect(sqlOf(keysetSegments([expires(true), id], [null, 3]))).toEqual([
      ['expires IS NULL AND (id > :cursor_r0)', true],
      ['expires IS NOT NULL', false],
    ]);
  });

  it('descending past a value: the smaller values only, the NULLs came first', () => {
    expect(sqlOf(keysetSegments([expires(true), id], ['2026-01-01', 3]))).toEqual([
      ['expires <= :cursor_0 AND ((expires < :cursor_0) OR (expires = :cursor_0 AND id > :cursor_1))', false],
    ]);
  });
});
