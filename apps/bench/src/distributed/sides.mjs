// The two sides the distributed benchmarks compare, each ready to run the same tiny task (`inc` of
// src/tasks.mjs): DistributedExecutor + one x-worker (async backend), and raw BullMQ (Queue.add /
// addBulk + a Worker of the same concurrency in its own process, results from QueueEvents, the
// usual way to learn a result in another process). Each side has its own queue, checks every
// result, and deletes its queue's keys on close().
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { DistributedExecutor } from '@x/distributed';
import { task } from '@x/future';
import { deleteKeys, startProcess, xWorkerBin } from './common.mjs';

const root = new URL('../', import.meta.url);
const tasksUrl = new URL('../tasks.mjs', import.meta.url);

function check(results, n) {
  for (let i = 0; i < n; i++) if (results[i] !== i + 1) throw new Error(`wrong result for job ${i}: ${results[i]}`);
}

/**
 * DistributedExecutor (`build.Executor`, window `maxWorkers`) + one x-worker (`build.bin`) of
 * `concurrency`, against the Redis at `url` (`env`: more environment for the worker process).
 * `role(connectionName)` names a connection for reports.
 */
export async function oursSide({ url, concurrency, maxWorkers, build = { Executor: DistributedExecutor, bin: xWorkerBin }, label = 'DistributedExecutor + x-worker --backend async', env = {} }) {
  const queue = `bench-x-${randomBytes(3).toString('hex')}`;
  const worker = await startProcess(process.execPath, [build.bin, '--connection', url, '--queue', queue, '--root', fileURLToPath(root), '--concurrency', String(concurrency), '--backend', 'async'], 'serving queue', { REDIS_URL: url, ...env });
  const ex = new build.Executor({ connection: url, queue, root, maxWorkers });
  const inc = task(tasksUrl, 'inc');
  return {
    label,
    workerPid: worker.pid,
    // BullMQ names the worker's blocking connection `bull:<queue in base64>`
    role: (name) => (name.startsWith('x-executor') ? 'executor' : name.startsWith('x-worker') ? (name.endsWith('-control') ? 'worker (control)' : 'worker') : name.startsWith('bull:') ? 'worker (blocking)' : name),
    roundTrip: async (x) => {
      if ((await ex.submit(inc, x)) !== x + 1) throw new Error('wrong result');
    },
    bulk: async (n) => {
      check(await Promise.all(Array.from({ length: n }, (_, i) => ex.submit(inc, i))), n);
    },
    close: async () => {
      try {
        await ex.shutdown();
        await worker.stop();
      } finally {
        await deleteKeys(queue, url);
      }
    },
  };
}

/** Raw BullMQ: Queue.add / addBulk + a Worker of `concurrency` (raw-worker.mjs), results from QueueEvents (`env`: as for oursSide). */
export async function rawSide({ url, concurrency, label = 'raw BullMQ (Queue.add/addBulk + Worker)', env = {} }) {
  const queue = `bench-raw-${randomBytes(3).toString('hex')}`;
  const worker = await startProcess(process.execPath, [fileURLToPath(new URL('raw-worker.mjs', import.meta.url)), queue, String(concurrency)], 'ready', { REDIS_URL: url, ...env });
  const connection = new Redis(url, { maxRetriesPerRequest: null, connectionName: 'raw-submitter' });
  const q = new Queue(queue, { connection });
  const events = new QueueEvents(queue, { connection: { url } });
  await events.waitUntilReady();
  const opts = { removeOnComplete: true, removeOnFail: true };
  // custom job ids let the waiter be registered before the job exists
  const waiters = new Map();
  events.on('completed', ({ jobId, returnvalue }) => {
    waiters.get(jobId)?.(Number(returnvalue));
    waiters.delete(jobId);
  });
  const waitFor = (jobId) => new Promise((resolve) => waiters.set(jobId, resolve));
  let next = 0;
  return {
    label,
    workerPid: worker.pid,
    // BullMQ's duplicated connections (the worker's blocking one, QueueEvents') have no name: XREAD is QueueEvents'
    role: (name, command) => (name === 'raw-submitter' ? 'submitter' : command === 'xread' ? 'submitter (events)' : 'worker'),
    roundTrip: async (x) => {
      const jobId = `j${next++}`;
      const done = waitFor(jobId);
      await q.add('inc', { x }, { ...opts, jobId });
      if ((await done) !== x + 1) throw new Error('wrong result');
    },
    // addBulk of everything in batches of 1,000, results from the completed events
    bulk: async (n) => {
      const pending = [];
      for (let start = 0; start < n; start += 1000) {
        const batch = Array.from({ length: Math.min(1000, n - start) }, (_, k) => {
          const jobId = `j${next++}`;
          pending.push(waitFor(jobId));
          return { name: 'inc', data: { x: start + k }, opts: { ...opts, jobId } };
        });
        await q.addBulk(batch);
      }
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`raw BullMQ: only ${n - waiters.size} of ${n} completions seen in 120 s`)), 120_000).unref());
      check(await Promise.race([Promise.all(pending), timeout]), n);
    },
    close: async () => {
      try {
        await events.close();
        await q.close();
        connection.disconnect();
        await worker.stop();
      } finally {
        await deleteKeys(queue, url);
      }
    },
  };
}
