import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * The service as `npm start` runs it, in a child process of its own process group (as a terminal runs it), from
 * the TypeScript sources (transpiled on load, so the test never runs a stale build).
 */
export class ServiceProcess {
  readonly child: ChildProcess;
  output = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: Record<string, string | undefined>) {
    const inherited = { ...process.env };
    for (const name of Object.keys(inherited)) if (name in env && env[name] === undefined) delete inherited[name];
    this.child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: ROOT,
      detached: true,
      env: {
        ...inherited,
        LOG_FORMAT: 'json',
        ...env,
        NO_COLOR: '1',
        TS_NODE_PROJECT: 'tsconfig.json',
      } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves when a line matching `pattern` has been printed; rejects if the process exits first. */
  async waitFor(pattern: RegExp, timeoutMs = 90_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((candidate) => pattern.test(candidate));
      if (line) return line;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`the service exited before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Ctrl+C in a terminal: the signal goes to the whole process group. */
  interruptGroup(): void {
    process.kill(-this.child.pid!, 'SIGINT');
  }

  kill9(): void {
    this.child.kill('SIGKILL');
  }

  exit(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return Promise.race([
      this.exited,
      new Promise<never>((_resolve, reject) =>
        setTimeout(() => reject(new Error(`no exit within ${timeoutMs} ms:\n${this.output}`)), timeoutMs).unref(),
      ),
    ]);
  }

  /** Lines printed so far: the message of each JSON log line (the service logs JSON here), other output as it is. */
  get lines(): string[] {
    return this.output.split('\n').map((line) => {
      if (!line.startsWith('{')) return line;
      try {
        const entry = JSON.parse(line) as { msg?: unknown };
        return typeof entry.msg === 'string' ? entry.msg : line;
      } catch {
        return line;
      }
    });
  }
}
