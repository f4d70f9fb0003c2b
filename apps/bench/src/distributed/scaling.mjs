#!/usr/bin/env node
// CPU-bound scaling of the distributed executor: the same batch of CPU-bound tasks (`spin` of
// src/tasks.mjs, calibrated to ~50 ms each on this machine) through one DistributedExecutor,
// served by one x-worker, then by two, each `--backend thread --concurrency 1` (one core each),
// and for reference by one x-worker of concurrency 2 (two threads in one process). Configurations
// take turns in interleaved rounds; each measurement starts its workers fresh, warms them up and
// times the batch end to end (submit to the last result); every result is checked. Speedup =
// median time with one x-worker / median time of the configuration.
//   node src/distributed/scaling.mjs [--quick] [--rounds N] [--tasks N] [--ms MS]
// Writes results/distributed-scaling.json and results/distributed-scaling.svg (--quick:
// results/quick/). Needs a Redis at REDIS_URL; without one it says so and exits 0 (1 under CI=true).
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DistributedExecutor } from '@x/distributed';
import { task } from '@x/future';
import { barChart } from '../svg.mjs';
import { spin } from '../tasks.mjs';
import { REDIS_URL, deleteKeys, redisAnswers, startProcess, xWorkerBin } from './common.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    tasks: { type: 'string' },
    ms: { type: 'string', default: '50' },
    out: { type: 'string' },
  },
  args: process.argv.slice(2).filter((a) => a !== '--'),
});
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 5));
const TASKS = Number(args.tasks ?? (quick ? 8 : 40));
const root = new URL('../', import.meta.url);
const spinTask = task(new URL('../tasks.mjs', import.meta.url), 'spin');

/** The configurations: x-workers (each one `--concurrency`) serving the queue. */
const configs = [
  { id: 'one', label: '1 x-worker, 1 thread', workers: 1, concurrency: 1 },
  { id: 'two', label: '2 x-workers, 1 thread each', workers: 2, concurrency: 1 },
  { id: 'one-x2', label: '1 x-worker, 2 threads', workers: 1, concurrency: 2 },
];

/** Spin count for about `ms` milliseconds of CPU on this thread (best of 3 timings). */
function calibrate(ms) {
  const probe = 2_000_000;
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    spin([i, probe]);
    best = Math.min(best, performance.now() - t0);
  }
  return Math.max(1000, Math.round((probe * ms) / best));
}

/** One measurement: fresh workers, a warm-up, then the batch timed end to end. */
async function measure(config, n) {
  const queue = `bench-scale-${randomBytes(3).toString('hex')}`;
  const workers = await Promise.all(
    Array.from({ length: config.workers }, () =>
      startProcess(
        process.execPath,
        [xWorkerBin, '--queue', queue, '--root', fileURLToPath(root), '--concurrency', String(config.concurrency), '--backend', 'thread'],
        'serving queue',
      ),
    ),
  );
  // no maxWorkers: the window is the capacity the workers registered
  const ex = new DistributedExecutor({ connection: REDIS_URL, queue, root });
  try {
    const slots = config.workers * config.concurrency;
    await Promise.all(Array.from({ length: 2 * slots }, (_, i) => ex.submit(spinTask, [i, 1000]))); // every thread started
    const inputs = Array.from({ length: TASKS }, (_, i) => [i + 1, n]);
    const t0 = performance.now();
    const results = await Promise.all(inputs.map((input) => ex.submit(spinTask, input)));
    const seconds = (performance.now() - t0) / 1000;
    inputs.forEach((input, i) => {
      if (results[i] !== spin(input)) throw new Error(`${config.id}: wrong result for task ${i}`);
    });
    return seconds;
  } finally {
    await ex.shutdown();
    await Promise.all(workers.map((w) => w.stop()));
    await deleteKeys(queue);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  if (!(await redisAnswers())) {
    console.log(`distributed scaling bench: no Redis answers at ${REDIS_URL}; skipped (node scripts/redis.mjs --ensure starts one)`);
    return process.env.CI === 'true' ? 1 : 0;
  }
  const n = calibrate(Number(args.ms));
  const t0 = performance.now();
  spin([0, n]);
  const taskMs = performance.now() - t0;
  const times = Object.fromEntries(configs.map((c) => [c.id, []]));
  for (let round = 0; round < rounds; round++) {
    for (const config of configs) times[config.id].push(await measure(config, n));
    console.log(`round ${round + 1}/${rounds}: ${configs.map((c) => `${c.id} ${times[c.id].at(-1).toFixed(2)} s`).join(', ')}`);
  }
  const base = median(times.one);
  const rows = configs.map((c) => {
    const m = median(times[c.id]);
    return { ...c, median: m, min: Math.min(...times[c.id]), max: Math.max(...times[c.id]), speedup: base / m, range: [base / Math.max(...times[c.id]), base / Math.min(...times[c.id])] };
  });
  const load = os.loadavg()[0].toFixed(1);
  const header = `${TASKS} CPU-bound tasks of ~${taskMs.toFixed(0)} ms each (spin, ${n} steps), ${rounds} interleaved round(s), ${os.availableParallelism()} cores, load average ${load}`;
  const table = [
    '| served by | batch time, median (s) | min–max (s) | speedup vs 1 x-worker |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.label} | ${r.median.toFixed(2)} | ${r.min.toFixed(2)}–${r.max.toFixed(2)} | ${r.speedup.toFixed(2)}x |`),
  ].join('\n');
  console.log(`\nDistributed CPU-bound scaling: ${header}\n`);
  console.log(table);
  const outDir = new URL(`../../${args.out ?? (quick ? 'results/quick' : 'results')}/`, import.meta.url);
  await mkdir(outDir, { recursive: true });
  const svg = barChart({
    title: 'DistributedExecutor: CPU-bound scaling from one x-worker to two',
    subtitle: `${header}; bar = speedup vs 1 x-worker (median), line = spread`,
    groups: [{ label: `${TASKS} tasks of ~${taskMs.toFixed(0)} ms`, bars: rows.map((r) => ({ label: r.label, value: r.speedup, range: r.range, text: `${r.speedup.toFixed(2)}x (${r.median.toFixed(2)} s)` })) }],
  });
  await writeFile(new URL('distributed-scaling.svg', outDir), svg);
  await writeFile(
    new URL('distributed-scaling.json', outDir),
    `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.availableParallelism(), node: process.version, loadavg: os.loadavg() }, tasks: TASKS, spinSteps: n, taskMs, rounds, times, rows, table }, null, 2)}\n`,
  );
  return 0;
}

process.exitCode = await main();
