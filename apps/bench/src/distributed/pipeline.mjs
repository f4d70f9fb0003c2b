#!/usr/bin/env node
// Where a burst of tiny jobs waits: DistributedExecutor + one x-worker (async backend) against raw
// BullMQ (and an earlier build with --baseline DIR, prepared as for bench.mjs), each side in turn
// running bursts of `--bulk` jobs submitted at once against one private redis-server. Per burst
// and side it prints jobs/s, the CPU µs per job of the three processes (the worker's split into
// user and system time), and how the worker's BullMQ fetched (pipeline-probe.mjs, preloaded into
// the worker processes): fetches that found the wait list empty, and jobs handed over per
// event-loop turn; for our executor, the `addBulk` calls and result reads per burst.
//   node src/distributed/pipeline.mjs [--rounds N] [--bulk N] [--concurrency C] [--window W] [--baseline DIR]
// Run it under `chrt -r 10` (root) on a loaded machine to see the numbers of a quiet one: the
// processes then take the cores before other work. Needs `redis-server` (or REDIS_SERVER=path).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { REDIS_SERVER, redisCpuMs, startRedis } from './common.mjs';
import { oursSide, rawSide } from './sides.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    bulk: { type: 'string', default: '8000' },
    concurrency: { type: 'string', default: '16' },
    window: { type: 'string' },
    baseline: { type: 'string' },
  },
  args: process.argv.slice(2).filter((a) => a !== '--'),
});
const ROUNDS = Number(args.rounds);
const BULK = Number(args.bulk);
const concurrency = Number(args.concurrency);
const window = args.window === undefined ? undefined : Number(args.window);
const probeDir = mkdtempSync(path.join(os.tmpdir(), 'x-pipeline-'));
const env = {
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(fileURLToPath(new URL('pipeline-probe.mjs', import.meta.url))).href}`,
  PIPELINE_PROBE_OUT: probeDir,
};

/** The `Session` class of a build's `@x/distributed` dist, patched to count its adds and reads into `counts.current`. */
const counts = { current: undefined };
async function countSessions(distDir) {
  const { Session } = await import(pathToFileURL(path.join(distDir, 'session.js')).href);
  const add = Session.prototype.add;
  Session.prototype.add = function (items) {
    if (counts.current !== undefined) counts.current.adds++;
    return add.call(this, items);
  };
  const run = Session.prototype.run;
  Session.prototype.run = function (hooks, checkInterval) {
    let reading = false;
    const receive = (data) => {
      if (!reading && counts.current !== undefined) {
        reading = true;
        counts.current.reads++;
        queueMicrotask(() => (reading = false));
      }
      hooks.receive(data);
    };
    return run.call(this, { ...hooks, receive }, checkInterval);
  };
}

/** What the probe in worker `pid` counted since it was last asked (it answers into a file). */
async function probe(pid) {
  const file = path.join(probeDir, `${pid}.json`);
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 500 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 10));
  return JSON.parse(readFileSync(file, 'utf8').trim().split('\n').pop());
}

async function main() {
  if (spawnSync(REDIS_SERVER, ['--version']).status !== 0) {
    console.log(`distributed pipeline: no ${REDIS_SERVER} to start a private Redis; skipped (set REDIS_SERVER=/path/to/redis-server)`);
    return 0;
  }
  const ownDist = path.dirname(fileURLToPath(import.meta.resolve('@x/distributed')));
  await countSessions(ownDist);
  let baseline;
  if (args.baseline !== undefined) {
    const dir = path.resolve(args.baseline);
    if (!existsSync(path.join(dir, 'distributed/index.js'))) throw new Error(`--baseline ${dir}: prepare it as for bench.mjs --baseline`);
    await countSessions(realpathSync(path.join(dir, 'distributed')));
    baseline = { Executor: (await import(pathToFileURL(path.join(dir, 'distributed/index.js')).href)).DistributedExecutor, bin: path.join(dir, 'x-worker.js') };
  }
  const server = await startRedis();
  const redis = new Redis(server.url);
  const sides = [];
  try {
    sides.push({ key: 'ours', side: await oursSide({ url: server.url, concurrency, maxWorkers: window, env }) });
    if (baseline !== undefined) sides.push({ key: 'baseline', side: await oursSide({ url: server.url, concurrency, maxWorkers: window, build: baseline, env }) });
    sides.push({ key: 'raw', side: await rawSide({ url: server.url, concurrency, env }) });
    for (const { side } of sides) await side.bulk(Math.min(BULK, 2000)); // warm-up
    console.log(`bursts of ${BULK} tiny jobs, worker concurrency ${concurrency}, window ${window ?? 'default'}; CPU in µs per job`);
    console.log('side      jobs/s  submitter  worker (user+sys)  redis   all   empty fetches/job  jobs/turn  adds  reads');
    for (let round = 0; round < ROUNDS; round++) {
      for (let j = 0; j < sides.length; j++) {
        const { key, side } = sides[(round + j) % sides.length];
        const mine = { adds: 0, reads: 0 };
        counts.current = mine;
        await probe(side.workerPid);
        const me = process.cpuUsage();
        const redis0 = await redisCpuMs(redis);
        const t0 = performance.now();
        await side.bulk(BULK);
        const seconds = (performance.now() - t0) / 1000;
        const used = process.cpuUsage(me);
        const redisUs = (((await redisCpuMs(redis)) - redis0) * 1000) / BULK;
        const w = await probe(side.workerPid);
        counts.current = undefined;
        const submitter = (used.user + used.system) / BULK;
        const worker = (w.userUs + w.sysUs) / BULK;
        console.log(
          [
            key.padEnd(9),
            String(Math.round(BULK / seconds)).padStart(6),
            submitter.toFixed(1).padStart(10),
            `${worker.toFixed(1)} (${(w.userUs / BULK).toFixed(1)}+${(w.sysUs / BULK).toFixed(1)})`.padStart(18),
            redisUs.toFixed(1).padStart(6),
            (submitter + worker + redisUs).toFixed(0).padStart(5),
            (w.emptyFetches / BULK).toFixed(3).padStart(18),
            (w.jobs / Math.max(1, w.turns)).toFixed(1).padStart(10),
            key === 'raw' ? '    -      -' : `${String(mine.adds).padStart(5)}  ${String(mine.reads).padStart(5)}`,
          ].join(' '),
        );
      }
    }
  } finally {
    for (const { side } of sides) await side.close();
    redis.disconnect();
    await server.stop();
    rmSync(probeDir, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = await main();
