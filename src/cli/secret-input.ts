import { CliError } from './cli-error';

/**
 * A secret typed at the terminal: nothing is echoed, the question goes to stderr (stdout stays the command's
 * answer). Ctrl+C cancels.
 */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) throw new CliError('no terminal to ask for the password on: use --password-stdin or --generate', 2);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') return finish();
        if (character === '\u0003') return finish(new CliError('cancelled', 130));
        if (character === '\u007f' || character === '\b') typed = typed.slice(0, -1);
        else if (character >= ' ') typed += character;
      }
    };
    process.stderr.write(question);
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}

/** A secret piped in (`--password-stdin`): all of stdin, without the one line break that ends it. */
export async function readSecretFromStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new CliError('--password-stdin reads a pipe or a file, not the terminal: echo … | or < file', 2);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (/[\r\n]/.test(text)) throw new CliError('the password read from stdin spans several lines; send one line', 2);
  if (!text) throw new CliError('stdin was empty: send the password on it', 2);
  return text;
}
