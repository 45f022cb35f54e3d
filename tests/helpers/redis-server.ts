import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Debian's redis-server (`apt-get install redis-server`), if any. */
export const findRedisServer = (): string | undefined => {
  for (const candidate of ['redis-server', '/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0 && probe.stdout.includes('Redis server')) return candidate;
  }
  return undefined;
};

/**
 * The redis-server binary for a test, or undefined with a skip message. In CI (CI=true) a missing
 * binary is an error: `.ci/run` installs it, so its absence there is a broken setup, not a skip.
 */
export const redisServerOrSkip = (what: string): string | undefined => {
  const binary = findRedisServer();
  if (binary) return binary;
  const message = `${what}: redis-server not found (Debian: apt-get install redis-server)`;
  if (process.env['CI'] === 'true') throw new Error(`${message}; CI must install it (.ci/run)`);
  console.log(`${message}: skipped`);
  return undefined;
};

/** A free loopback port (redis-server has no `--port 0`). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

export interface RunningRedis {
  port: number;
  /** `redis://127.0.0.1:PORT` (append `#KEY`). */
  url: string;
  process: ChildProcess;
  /** Stops it (SIGTERM, then SIGKILL after 3 s) and waits for the exit. */
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port, persisting nothing, and waits until it accepts connections. */
export const startRedis = async (binary: string, port?: number): Promise<RunningRedis> => {
  const chosen = port ?? (await freePort());
  const child = spawn(binary, ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${chosen}: ${output}`)), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited ${code}: ${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
};
