// What the distributed benchmarks share: the Redis they use, whether it answers, x-worker
// processes started and stopped, and a queue's keys deleted afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The redis-server a benchmark starts for itself (`commands.mjs`, `cpu.mjs`). */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';
/** `dist/x-worker.js` of the installed `@x/concurrent`. */
export const xWorkerBin = fileURLToPath(import.meta.resolve('@x/concurrent/package.json').replace(/package\.json$/u, 'dist/x-worker.js'));

/** Whether a Redis answers at REDIS_URL within a second. */
export async function redisAnswers() {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Starts a worker process (REDIS_URL in its environment, or `env`'s) and waits for `readyText` on its stdout. */
export async function startProcess(command, argv, readyText, env = {}) {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDIS_URL, ...env } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 30_000);
    child.stdout.on('data', () => {
      if (output.includes(readyText)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}):\n${output}`));
    });
  });
  return {
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', resolve);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Deletes every key of `queue` (BullMQ's and ours) in the Redis at `url`. */
export async function deleteKeys(queue, url = REDIS_URL) {
  const redis = new Redis(url);
  for (const pattern of [`bull:${queue}:*`, `x:${queue}:*`]) {
    const keys = await redis.keys(pattern);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of our own, on a free port, no persistence; stopped by `stop()`. */
export async function startRedis() {
  const port = await freePort();
  const dir = `${os.tmpdir()}/x-commands-${randomBytes(3).toString('hex')}`;
  await mkdir(dir, { recursive: true });
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch (error) {
      probe.disconnect();
      if (i > 50) throw new Error(`redis-server did not start on port ${port}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const info = new Redis(url);
  const version = /redis_version:(\S+)/u.exec(await info.info('server'))?.[1];
  info.disconnect();
  return {
    url,
    version,
    stop: async () => {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** CPU milliseconds a process spent so far (Linux: /proc/<pid>/stat utime + stime, in clock ticks of 10 ms). */
export function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** CPU milliseconds redis-server spent so far (INFO cpu). */
export async function redisCpuMs(redis) {
  const info = await redis.info('cpu');
  const field = (name) => Number(new RegExp(`${name}:([\\d.]+)`, 'u').exec(info)?.[1]);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}
