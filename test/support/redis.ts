import { spawn, spawnSync } from 'node:child_process';
import { unusedPort } from './ports';

/** The redis-server binary on this machine, or '' (specs that need one are skipped without it). */
export const REDIS_SERVER = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();

/** A throw-away Redis on a free loopback port, without persistence; `stop()` kills it. */
export async function startRedis(): Promise<{ url: string; stop(): void }> {
  const port = await unusedPort();
  const redis = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { url: `redis://127.0.0.1:${port}`, stop: () => redis.kill() };
}
