import { homedir, tmpdir } from 'node:os';
import { types } from 'node:util';

/** A line of a stack trace: `    at Foo.bar (/srv/app/dist/foo.js:12:7)`. */
const STACK_FRAME = /^[ \t]*at [^\n]*(\n|$)/gm;

/** A file of code or data, anywhere, with its line and column: `/srv/app/dist/foo.js:12:7`, `C:\app\x.ts`. */
const CODE_FILE =
  /(?:file:\/\/)?(?:[A-Za-z]:)?[\\/](?:[^\s'"`()<>:\\/]+[\\/])+[^\s'"`()<>:\\/]+\.(?:json|node|map|[cm]?[jt]s)\b(?::\d+){0,2}/g;

/** Absolute paths under the usual roots of a server's file system, and Windows drive paths. */
const SERVER_PATH =
  /(?:[A-Za-z]:\\|\/(?:home|root|usr|opt|var|tmp|work|app|srv|etc|mnt|data|run|private|Users|Volumes)\/)[^\s'"`()<>]*/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where this installation lives, whatever its root: the working folder, home and temporary folders. */
const LOCAL_ROOTS = new RegExp(
  [process.cwd(), homedir(), tmpdir()]
    .filter((root) => root.length > 1)
    .map((root) => `${escapeRegExp(root)}[^\\s'"\`()<>]*`)
    .join('|'),
  'g',
);

/** Takes stack frames and server file paths out of a text meant for the database log. */
export function withoutServerDetails(text: string): string {
  return text
    .replace(STACK_FRAME, '')
    .replace(LOCAL_ROOTS, '<path>')
    .replace(CODE_FILE, '<path>')
    .replace(SERVER_PATH, '<path>')
    .trimEnd();
}

/**
 * What a database log entry keeps of an exception: its type and message, never its stack. The log is
 * read through the API by Sales and LicenseManager too, and stack frames and file paths tell them (and
 * anyone holding their key) how the server is built and where it is installed, and nothing they can act
 * on. The stack goes to the instance's console log instead, under the same request id.
 */
export function exceptionText(exception: unknown, toJson: (value: unknown) => string): string | null {
  if (exception === undefined || exception === null) return null;
  // isNativeError too: errors made in another realm (a VM context, a worker) are not `instanceof Error` here.
  if (exception instanceof Error || types.isNativeError(exception))
    return withoutServerDetails(`${exception.name}: ${exception.message}`);
  return withoutServerDetails(typeof exception === 'string' ? exception : toJson(exception));
}
