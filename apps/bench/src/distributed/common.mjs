// What the distributed benchmarks share: the Redis they use, whether it answers, x-worker
// processes started and stopped, and a queue's keys deleted afterwards.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
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

