#!/usr/bin/env node
// CPU time per job of each of the three processes (the submitting process, the worker process,
// redis-server), DistributedExecutor + one x-worker (async backend) against raw BullMQ (and an
// earlier build with --baseline DIR, prepared as for bench.mjs), on the same tiny task. Every side
// is set up once, against one private redis-server started for the run (no other client's commands
// in its CPU time), and warmed up with a burst; then rounds in which each side in turn runs
// `--bursts` bursts of `--bulk` jobs submitted at once, the order rotating with the round. Prints
// each side's median over the rounds (µs per job; jobs/s of the bursts, wall clock) and the
// ratios to raw BullMQ. CPU time hardly depends on what else the machine runs; wall clock does.
//   node src/distributed/cpu.mjs [--rounds N] [--bursts N] [--bulk N] [--concurrency C] [--baseline DIR]
// Needs `redis-server` on the PATH (or REDIS_SERVER=path) and Linux's /proc; without redis-server
// it says so and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { REDIS_SERVER, processCpuMs, redisCpuMs, startRedis } from './common.mjs';
import { oursSide, rawSide } from './sides.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    bursts: { type: 'string', default: '2' },
    bulk: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    baseline: { type: 'string' },
  },
  args: process.argv.slice(2).filter((a) => a !== '--'),
});
const ROUNDS = Number(args.rounds);
const BURSTS = Number(args.bursts);
const BULK = Number(args.bulk);
const concurrency = Number(args.concurrency);

/** An earlier build's executor and x-worker (see bench.mjs's --baseline). */
async function baselineBuild(dir) {
  const missing = ['distributed/index.js', 'x-worker.js'].filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length > 0) throw new Error(`--baseline ${dir}: no ${missing.join(' nor ')} there (prepare it as for bench.mjs --baseline)`);
  return { Executor: (await import(pathToFileURL(path.join(dir, 'distributed/index.js')).href)).DistributedExecutor, bin: path.join(dir, 'x-worker.js') };
}

/** The CPU each process spent on `BURSTS` bursts of `side`, in µs per job, and the bursts' rate. */
async function measure(side, redis) {
  const before = { me: process.cpuUsage(), worker: processCpuMs(side.workerPid), redis: await redisCpuMs(redis) };
  const t0 = performance.now();
  for (let i = 0; i < BURSTS; i++) await side.bulk(BULK);
  const seconds = (performance.now() - t0) / 1000;
  const me = process.cpuUsage(before.me);
  const jobs = BULK * BURSTS;
  const row = {
    submitter: (me.user + me.system) / jobs,
    worker: ((processCpuMs(side.workerPid) - before.worker) * 1000) / jobs,
    redis: (((await redisCpuMs(redis)) - before.redis) * 1000) / jobs,
    rate: jobs / seconds,
  };
  return { ...row, all: row.submitter + row.worker + row.redis };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  if (spawnSync(REDIS_SERVER, ['--version']).status !== 0) {
    console.log(`distributed cpu: no ${REDIS_SERVER} to start a private Redis; skipped (set REDIS_SERVER=/path/to/redis-server)`);
    return 0;
  }
  const baseline = args.baseline === undefined ? undefined : await baselineBuild(path.resolve(args.baseline));
  const server = await startRedis();
  const redis = new Redis(server.url);
  const sides = [];
  try {
    sides.push({ key: 'DistributedExecutor + x-worker --backend async', side: await oursSide({ url: server.url, concurrency }) });
    if (baseline !== undefined) sides.push({ key: 'the same, baseline build (--baseline)', side: await oursSide({ url: server.url, concurrency, build: baseline }) });
    sides.push({ key: 'raw BullMQ (Queue.add/addBulk + Worker)', side: await rawSide({ url: server.url, concurrency }) });
    for (const { side } of sides) await side.bulk(BULK); // warm-up: compiled code, connections, scripts loaded
    const rows = new Map(sides.map(({ key }) => [key, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let j = 0; j < sides.length; j++) {
        const { key, side } = sides[(round + j) % sides.length];
        rows.get(key).push(await measure(side, redis));
      }
    }
    const fields = ['submitter', 'worker', 'redis', 'all', 'rate'];
    const medians = new Map([...rows].map(([key, list]) => [key, Object.fromEntries(fields.map((f) => [f, median(list.map((r) => r[f]))]))]));
    const raw = medians.get(sides.at(-1).key);
    const table = [
      ['', 'submitting process', 'worker process', 'redis-server', 'all three', 'jobs/s'],
      ...[...medians].flatMap(([key, m]) => [
        [key, ...fields.map((f) => m[f].toFixed(f === 'rate' ? 0 : 1))],
        ...(m === raw ? [] : [[`${key.startsWith('the same') ? 'baseline' : 'ours'} / raw`, ...fields.map((f) => (f === 'rate' ? raw.rate / m.rate : m[f] / raw[f]).toFixed(2))]]),
      ]),
    ];
    console.log(`\nCPU time per job (µs), medians of ${ROUNDS} interleaved rounds of ${BURSTS} burst(s) of ${BULK} tiny jobs per side (private redis-server ${server.version}, worker concurrency ${concurrency}; jobs/s: wall clock, its ratio raw / side)\n`);
    console.log([`| ${table[0].join(' | ')} |`, `|${table[0].map(() => ' --- ').join('|')}|`, ...table.slice(1).map((row) => `| ${row.join(' | ')} |`)].join('\n'));
    return 0;
  } finally {
    for (const { side } of sides) await side.close();
    redis.disconnect();
    await server.stop();
  }
}

process.exitCode = await main();
