#!/usr/bin/env node
// The distributed benchmark: DistributedExecutor + one x-worker (async backend) against raw BullMQ
// (Queue.add / addBulk + a Worker of the same concurrency) on the same Redis, side by side in
// interleaved rounds. Measures the round trip of one tiny job at a time (p50, p99) and the
// throughput of N tiny jobs submitted at once (jobs/s end to end, every result checked).
//   node src/distributed/bench.mjs [--quick] [--rounds N] [--concurrency C] [--window W] [--also-window W2]
// Needs a Redis at REDIS_URL (default redis://127.0.0.1:6379); without one it says so and exits 0
// (exit 1 under CI=true, where .ci/run starts one).
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL, deleteKeys, redisAnswers, startProcess, xWorkerBin } from './common.mjs';
import { DistributedExecutor } from '@x/distributed';
import { task } from '@x/future';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    window: { type: 'string' },
    'also-window': { type: 'string' },
    out: { type: 'string' },
    baseline: { type: 'string' },
  },
  args: process.argv.slice(2).filter((a) => a !== '--'),
});
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 3));
const concurrency = Number(args.concurrency);
/** DistributedExecutor's maxWorkers: by default the worker's concurrency (the live capacity). */
const window = Number(args.window ?? args.concurrency);
/** `--also-window W2`: the same build measured again with maxWorkers W2, in the same rounds (what the window costs). */
const alsoWindow = args['also-window'] === undefined ? undefined : Number(args['also-window']);
const RTT_N = quick ? 30 : 400;
const BULK_N = quick ? 500 : 8000; // below BullMQ's ~10,000-entry event stream, so raw BullMQ loses nothing
const tasksUrl = new URL('../tasks.mjs', import.meta.url);
const root = new URL('../', import.meta.url);

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function check(results, n) {
  for (let i = 0; i < n; i++) if (results[i] !== i + 1) throw new Error(`wrong result for job ${i}: ${results[i]}`);
}

/**
 * `--baseline DIR`: an earlier build measured in the same run, as "ours (baseline)": DIR/distributed
 * (a copy of packages/distributed/dist where its dependencies resolve) and DIR/x-worker.js (a copy
 * of packages/concurrent/dist/x-worker.js importing that copy); see the README.
 */
const baseline =
  args.baseline === undefined
    ? undefined
    : { Executor: (await import(new URL(`file://${args.baseline}/distributed/index.js`).href)).DistributedExecutor, bin: `${args.baseline}/x-worker.js` };

async function measureOurs(build = { Executor: DistributedExecutor, bin: xWorkerBin }, maxWorkers = window) {
  const queue = `bench-x-${randomBytes(3).toString('hex')}`;
  const worker = await startProcess(process.execPath, [build.bin, '--queue', queue, '--root', fileURLToPath(root), '--concurrency', String(concurrency), '--backend', 'async'], 'serving queue');
  const ex = new build.Executor({ connection: REDIS_URL, queue, root, maxWorkers });
  const inc = task(tasksUrl, 'inc');
  try {
    for (let i = 0; i < 50; i++) await ex.submit(inc, i); // warm-up
    const rtt = [];
    for (let i = 0; i < RTT_N; i++) {
      const t0 = performance.now();
      if ((await ex.submit(inc, i)) !== i + 1) throw new Error('wrong result');
      rtt.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: BULK_N }, (_, i) => ex.submit(inc, i)));
    const seconds = (performance.now() - t0) / 1000;
    check(results, BULK_N);
    return { rtt, throughput: BULK_N / seconds };
  } finally {
    await ex.shutdown();
    await worker.stop();
    await deleteKeys(queue);
  }
}

async function measureRaw() {
  const queue = `bench-raw-${randomBytes(3).toString('hex')}`;
  const worker = await startProcess(process.execPath, [fileURLToPath(new URL('raw-worker.mjs', import.meta.url)), queue, String(concurrency)], 'ready');
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const q = new Queue(queue, { connection });
  const events = new QueueEvents(queue, { connection: { url: REDIS_URL } });
  await events.waitUntilReady();
  const opts = { removeOnComplete: true, removeOnFail: true };
  // Completions come from QueueEvents (BullMQ's way to learn a result in another process); custom
  // job ids let the waiter be registered before the job exists.
  const waiters = new Map();
  events.on('completed', ({ jobId, returnvalue }) => {
    const resolve = waiters.get(jobId);
    if (resolve !== undefined) {
      waiters.delete(jobId);
      resolve(Number(returnvalue));
    }
  });
  const waitFor = (jobId) => new Promise((resolve) => waiters.set(jobId, resolve));
  let next = 0;
  const roundTrip = async (x) => {
    const jobId = `j${next++}`;
    const done = waitFor(jobId);
    await q.add('inc', { x }, { ...opts, jobId });
    return done;
  };
  try {
    for (let i = 0; i < 50; i++) await roundTrip(i); // warm-up
    const rtt = [];
    for (let i = 0; i < RTT_N; i++) {
      const t0 = performance.now();
      if ((await roundTrip(i)) !== i + 1) throw new Error('wrong result');
      rtt.push(performance.now() - t0);
    }
    // throughput: addBulk of everything in batches of 1,000, results from the completed events
    const t0 = performance.now();
    const pending = [];
    for (let start = 0; start < BULK_N; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, BULK_N - start) }, (_, k) => {
        const jobId = `j${next++}`;
        pending.push(waitFor(jobId));
        return { name: 'inc', data: { x: start + k }, opts: { ...opts, jobId } };
      });
      await q.addBulk(batch);
    }
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`raw BullMQ: only ${BULK_N - waiters.size} of ${BULK_N} completions seen in 120 s`)), 120_000).unref());
    const results = await Promise.race([Promise.all(pending), timeout]);
    const seconds = (performance.now() - t0) / 1000;
    check(results, BULK_N);
    return { rtt, throughput: BULK_N / seconds };
  } finally {
    await events.close();
    await q.close();
    connection.disconnect();
    await worker.stop();
    await deleteKeys(queue);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  if (!(await redisAnswers())) {
    const message = `distributed bench: no Redis answers at ${REDIS_URL}; skipped (node scripts/redis.mjs --ensure starts one)`;
    console.log(message);
    return process.env.CI === 'true' ? 1 : 0;
  }
  const runs = { ours: [], raw: [], baseline: [], alsoWindow: [] };
  for (let round = 0; round < rounds; round++) {
    runs.ours.push(await measureOurs());
    if (alsoWindow !== undefined) runs.alsoWindow.push(await measureOurs(undefined, alsoWindow));
    if (baseline !== undefined) runs.baseline.push(await measureOurs(baseline));
    runs.raw.push(await measureRaw());
  }
  const summarize = (list) => {
    const rtts = list.flatMap((r) => r.rtt).sort((a, b) => a - b);
    return { p50: percentile(rtts, 50), p99: percentile(rtts, 99), throughput: median(list.map((r) => r.throughput)) };
  };
  const ours = summarize(runs.ours);
  const raw = summarize(runs.raw);
  const before = baseline === undefined ? undefined : summarize(runs.baseline);
  const wider = alsoWindow === undefined ? undefined : summarize(runs.alsoWindow);
  const rows = [
    ['', 'round trip p50 (ms)', 'round trip p99 (ms)', `throughput, ${BULK_N} tiny jobs (jobs/s)`],
    ['DistributedExecutor + x-worker --backend async', ours.p50.toFixed(2), ours.p99.toFixed(2), ours.throughput.toFixed(0)],
    ...(wider === undefined
      ? []
      : [
          [`the same, window (maxWorkers) ${alsoWindow} (--also-window)`, wider.p50.toFixed(2), wider.p99.toFixed(2), wider.throughput.toFixed(0)],
          ['that / raw (cost)', (wider.p50 / raw.p50).toFixed(2), (wider.p99 / raw.p99).toFixed(2), (raw.throughput / wider.throughput).toFixed(2)],
        ]),
    ...(before === undefined
      ? []
      : [
          ['the same, baseline build (--baseline)', before.p50.toFixed(2), before.p99.toFixed(2), before.throughput.toFixed(0)],
          ['baseline / raw (cost)', (before.p50 / raw.p50).toFixed(2), (before.p99 / raw.p99).toFixed(2), (raw.throughput / before.throughput).toFixed(2)],
        ]),
    ['raw BullMQ (Queue.add/addBulk + Worker)', raw.p50.toFixed(2), raw.p99.toFixed(2), raw.throughput.toFixed(0)],
    ['ours / raw (cost; lower is better)', (ours.p50 / raw.p50).toFixed(2), (ours.p99 / raw.p99).toFixed(2), (raw.throughput / ours.throughput).toFixed(2)],
  ];
  const table = [`| ${rows[0].join(' | ')} |`, `|${rows[0].map(() => ' --- ').join('|')}|`, ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`)].join('\n');
  console.log(`\nDistributed: worker concurrency ${concurrency}, executor window (maxWorkers) ${window}, ${rounds} round(s), ${RTT_N} round trips and ${BULK_N} jobs per round, Redis at ${REDIS_URL}\n`);
  console.log(table);
  const outDir = new URL(`../../${args.out ?? (quick ? 'results/quick' : 'results')}/`, import.meta.url);
  await mkdir(outDir, { recursive: true });
  await writeFile(
    new URL('distributed.json', outDir),
    `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.availableParallelism(), node: process.version }, concurrency, window, alsoWindow, rounds, rttN: RTT_N, bulkN: BULK_N, ours, raw, baseline: before, wider, table }, null, 2)}\n`,
  );
  return 0;
}

process.exitCode = await main();
