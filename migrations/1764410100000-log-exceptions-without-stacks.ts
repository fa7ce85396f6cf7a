import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Log entries written before exceptions were stored without their stack (src/modules/log/exception-text.ts)
 * keep only the exception's type and message: stack frames and server file paths go, as they would
 * for a new entry. Not reversible: the removed text is not kept anywhere.
 */
const STACK_FRAME = String.raw`(^|\n)[ \t]*at [^\n]*`;
const CODE_FILE = String.raw`(file://)?([A-Za-z]:)?[\\/]([^\s'"()<>:\\/]+[\\/])+[^\s'"()<>:\\/]+\.(json|node|map|[cm]?[jt]s)\M(:\d+){0,2}`;
const SERVER_PATH = String.raw`([A-Za-z]:\\|/(home|root|usr|opt|var|tmp|work|app|srv|etc|mnt|data|run|private|Users|Volumes)/)[^\s'"()<>]*`;

export class LogExceptionsWithoutStacks1764410100000 implements MigrationInterface {
  name = 'LogExceptionsWithoutStacks1764410100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `UPDATE log_entries
          SET exception = rtrim(regexp_replace(regexp_replace(regexp_replace(exception, $1, '', 'g'), $2, '<path>', 'g'), $3, '<path>', 'g'))
        WHERE exception IS NOT NULL`,
      [STACK_FRAME, CODE_FILE, SERVER_PATH],
    );
  }

  async down(): Promise<void> {
    // The stacks are gone; there is nothing to put back.
  }
}
