#!/usr/bin/env node
// The distributed benchmark: DistributedExecutor + one x-worker (async backend) against raw BullMQ
// (Queue.add / addBulk + a Worker of the same concurrency) on the same Redis, side by side (see
// sides.mjs). Measures the round trip of one tiny job at a time (p50, p99) and the throughput of
// N tiny jobs submitted at once (jobs/s end to end, every result checked). Every side runs at
// once: round trips are paired (one of each side in turn, the order rotating), so a change of the
// machine's load hits every side alike; bursts take turns, the order rotating with the round.
//   node src/distributed/bench.mjs [--quick] [--rounds N] [--concurrency C] [--window W] [--also-window W2] [--baseline DIR] [--out DIR]
// Needs a Redis at REDIS_URL (default redis://127.0.0.1:6379); without one it says so and exits 0
// (exit 1 under CI=true, where .ci/run starts one).
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REDIS_URL, redisAnswers } from './common.mjs';
import { oursSide, rawSide } from './sides.mjs';

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
/**
 * DistributedExecutor's maxWorkers: by default none, as an executor is usually made (its window is
 * then the capacity the live workers register, with as many jobs again sent ahead).
 */
const window = args.window === undefined ? undefined : Number(args.window);
/** `--also-window W2`: the same build measured again with maxWorkers W2, in the same rounds (what the window costs). */
const alsoWindow = args['also-window'] === undefined ? undefined : Number(args['also-window']);
const RTT_N = quick ? 30 : 400;
const BULK_N = quick ? 500 : 8000; // below BullMQ's ~10,000-entry event stream, so raw BullMQ loses nothing
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * `--baseline DIR`: an earlier build measured in the same run, as "ours (baseline)": DIR/distributed
 * (a copy of packages/distributed/dist where its dependencies resolve) and DIR/x-worker.js (a copy
 * of packages/concurrent/dist/x-worker.js importing that copy); see the README.
 */
const baselineDir = args.baseline === undefined ? undefined : path.resolve(args.baseline);
if (baselineDir !== undefined) {
  const missing = ['distributed/index.js', 'x-worker.js'].filter((file) => !existsSync(path.join(baselineDir, file)));
  if (missing.length > 0) {
    console.error(
      `--baseline ${baselineDir}: no ${missing.join(' nor ')} there. Prepare it from a built clone B of the earlier commit ` +
        '(see the README, "Distributed"):\n' +
        '  D=B/packages/concurrent/baseline; mkdir -p $D; ln -s ../../distributed/dist $D/distributed\n' +
        "  sed \"s#'@x/distributed'#'./distributed/index.js'#\" B/packages/concurrent/dist/x-worker.js > $D/x-worker.js",
    );
    process.exit(2);
  }
}
const baseline =
  baselineDir === undefined
    ? undefined
    : {
        Executor: (await import(new URL(`file://${baselineDir}/distributed/index.js`).href)).DistributedExecutor,
        bin: `${baselineDir}/x-worker.js`,
      };

/**
 * One round: every side set up at once and warmed up; RTT_N round trips, one of each side in
 * turn; then each side's burst of BULK_N jobs in turn. Returns each side's round trips and throughput.
 */
async function measureRound(round) {
  const specs = [
    ['ours', () => oursSide({ url: REDIS_URL, concurrency, maxWorkers: window })],
    ...(alsoWindow === undefined ? [] : [['alsoWindow', () => oursSide({ url: REDIS_URL, concurrency, maxWorkers: alsoWindow })]]),
    ...(baseline === undefined ? [] : [['baseline', () => oursSide({ url: REDIS_URL, concurrency, maxWorkers: window, build: baseline })]]),
    ['raw', () => rawSide({ url: REDIS_URL, concurrency })],
  ];
  const sides = [];
  try {
    for (const [key, make] of specs) sides.push({ key, side: await make() });
    for (const { side } of sides) for (let i = 0; i < 50; i++) await side.roundTrip(i); // warm-up
    const rtt = Object.fromEntries(sides.map(({ key }) => [key, []]));
    for (let i = 0; i < RTT_N; i++) {
      for (let j = 0; j < sides.length; j++) {
        const { key, side } = sides[(i + j) % sides.length];
        const t0 = performance.now();
        await side.roundTrip(i);
        rtt[key].push(performance.now() - t0);
      }
    }
    const throughput = {};
    for (let j = 0; j < sides.length; j++) {
      const { key, side } = sides[(round + j) % sides.length];
      const t0 = performance.now();
      await side.bulk(BULK_N);
      throughput[key] = BULK_N / ((performance.now() - t0) / 1000);
    }
    return Object.fromEntries(sides.map(({ key }) => [key, { rtt: rtt[key], throughput: throughput[key] }]));
  } finally {
    for (const { side } of sides) await side.close();
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
    for (const [key, result] of Object.entries(await measureRound(round))) runs[key].push(result);
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
  console.log(`\nDistributed: worker concurrency ${concurrency}, executor window (maxWorkers) ${window ?? 'not given (the live capacity, plus jobs sent ahead)'}, ${rounds} round(s), ${RTT_N} round trips and ${BULK_N} jobs per round, Redis at ${REDIS_URL}\n`);
  console.log(table);
  // --out DIR: an absolute path as it is, a relative one from apps/bench (as the main bench's --out)
  const outDir = path.resolve(fileURLToPath(new URL('../../', import.meta.url)), args.out ?? (quick ? 'results/quick' : 'results'));
  await mkdir(outDir, { recursive: true });
  await writeFile(
    path.join(outDir, 'distributed.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.availableParallelism(), node: process.version }, concurrency, window, alsoWindow, rounds, rttN: RTT_N, bulkN: BULK_N, ours, raw, baseline: before, wider, table }, null, 2)}\n`,
  );
  return 0;
}

process.exitCode = await main();
