#!/usr/bin/env node
// Bytes one tiny job (`inc(1)` of src/tasks.mjs) takes in Redis while it waits: its BullMQ job
// hash (HGETALL: field by field, and MEMORY USAGE), ours (DistributedExecutor, no worker running)
// against raw BullMQ (Queue.add('inc', { x: 1 }, { removeOnComplete, removeOnFail, jobId })).
// BullMQ's add and completion scripts read and write that hash: its size is Redis's work per job.
//   node src/distributed/job-bytes.mjs [--baseline DIR]   (DIR: a built copy's packages/concurrent/baseline, whose distributed/ is the old build)
// Against the Redis at REDIS_URL (default redis://127.0.0.1:6379), on queues of its own it deletes after.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DistributedExecutor } from '@x/distributed';
import { task } from '@x/future';
import { deleteKeys } from './common.mjs';

const { values: args } = parseArgs({ options: { baseline: { type: 'string' } } });
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(url);
const root = new URL('../', import.meta.url);
const inc = task(new URL('../tasks.mjs', import.meta.url), 'inc');

/** The job hash `bull:<queue>:<jobId>`: its fields' bytes, and Redis's MEMORY USAGE of it. */
async function hashOf(queue, jobId) {
  const key = `bull:${queue}:${jobId}`;
  for (let i = 0; i < 200 && (await redis.exists(key)) === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const fields = await redis.hgetall(key);
  const bytes = Object.entries(fields).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  return { fields, bytes, memory: await redis.call('MEMORY', 'USAGE', key) };
}

async function ours(Executor, label) {
  const queue = `bytes-x-${randomBytes(3).toString('hex')}`;
  const ex = new Executor({ connection: url, queue, root, maxWorkers: 1 });
  const future = ex.submit(inc, 1);
  try {
    const [jobId] = await (async () => {
      for (;;) {
        const ids = await redis.lrange(`bull:${queue}:wait`, 0, -1);
        if (ids.length > 0) return ids;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    return { label, ...(await hashOf(queue, jobId)) };
  } finally {
    future.cancel();
    await ex.shutdown({ wait: false, cancelFutures: true }).catch(() => undefined);
    await deleteKeys(queue, url);
  }
}

async function raw() {
  const queue = `bytes-raw-${randomBytes(3).toString('hex')}`;
  const q = new Queue(queue, { connection: { url } });
  try {
    await q.add('inc', { x: 1 }, { removeOnComplete: true, removeOnFail: true, jobId: 'j0' });
    return { label: 'raw BullMQ', ...(await hashOf(queue, 'j0')) };
  } finally {
    await q.close();
    await deleteKeys(queue, url);
  }
}

const sides = [await raw()];
if (args.baseline !== undefined) {
  const base = await import(resolve(args.baseline, 'distributed/index.js'));
  sides.push(await ours(base.DistributedExecutor, 'DistributedExecutor (baseline)'));
}
sides.push(await ours(DistributedExecutor, 'DistributedExecutor (this build)'));
for (const side of sides) {
  console.log(`${side.label}: ${side.bytes} bytes of fields, MEMORY USAGE ${side.memory}`);
  for (const [k, v] of Object.entries(side.fields)) console.log(`  ${k} = ${v}`);
}
const rawBytes = sides[0].bytes;
for (const side of sides.slice(1)) console.log(`${side.label}: +${side.bytes - rawBytes} bytes per job over raw`);
await redis.quit();
