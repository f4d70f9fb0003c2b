#!/usr/bin/env node
// Redis commands per job, ours against raw BullMQ: a load-independent proxy for the distributed
// benchmark (wall-clock numbers on a shared machine are noise; command counts are not). The same
// tiny task (`inc` of src/tasks.mjs) goes through DistributedExecutor + one x-worker (async
// backend) and through raw BullMQ (Queue.add / addBulk + a Worker of the same concurrency, results
// from QueueEvents), each against a private redis-server started for the run, so every command it
// sees is ours. MONITOR records every command in two phases: N round trips one at a time, then N
// jobs submitted at once. Per job it reports the requests clients sent (each one a network
// message; `--trace` prints one round trip's in order, by connection) and the commands Redis ran
// (those requests plus the commands inside Lua scripts: Redis's own work).
// Then, without MONITOR, another N jobs at once with the CPU time each process spent on them:
// the submitting process, the worker process (Linux /proc) and redis-server (INFO cpu).
//   node src/distributed/commands.mjs [--jobs N] [--bulk N] [--concurrency C] [--window W] [--cpu-bursts N] [--trace] [--out DIR]
// Needs `redis-server` on the PATH (or REDIS_SERVER=path); without it, it says so and exits 0.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { REDIS_SERVER as redisServer, processCpuMs, redisCpuMs, startRedis } from './common.mjs';
import { oursSide, rawSide } from './sides.mjs';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    bulk: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    window: { type: 'string' },
    'cpu-bursts': { type: 'string', default: '1' },
    trace: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
  args: process.argv.slice(2).filter((a) => a !== '--'),
});
const JOBS = Number(args.jobs);
const BULK = Number(args.bulk);
const concurrency = Number(args.concurrency);
/** Bursts measured for the CPU table (each its median over them): one burst's numbers move with the machine's load. */
const CPU_BURSTS = Number(args['cpu-bursts']);
/** DistributedExecutor's maxWorkers: by default none (the live capacity, plus jobs sent ahead), as in bench.mjs. */
const window = args.window === undefined ? undefined : Number(args.window);

/** BullMQ's Lua scripts by the sha1 ioredis sends in EVALSHA, so the report names them. */
async function bullScriptNames() {
  const index = new URL('scripts/index.js', import.meta.resolve('bullmq').replace(/index\.js$/u, ''));
  const scripts = await import(index.href);
  const names = new Map();
  for (const script of Object.values(scripts)) {
    if (typeof script?.content === 'string') names.set(createHash('sha1').update(script.content).digest('hex'), script.name);
  }
  return names;
}

/**
 * Records every command Redis runs between `mark(label)` calls. A line of MONITOR is
 * `time [db addr] "CMD" args...`; addr `lua` marks a command run inside a script.
 */
async function record(url) {
  const marker = new Redis(url);
  const lines = [];
  const base = new Redis(url);
  const monitor = await base.monitor();
  monitor.on('monitor', (time, argv, source) => lines.push({ time: Number(time), source, argv: argv.map(String) }));
  const ids = new Set([await marker.client('ID')]);
  return {
    lines,
    async mark(label) {
      await marker.echo(`x-mark:${label}`);
    },
    /** addr -> connection name, for the connections open now */
    async names() {
      const list = await marker.client('LIST');
      const names = new Map();
      for (const line of String(list).split('\n')) {
        const addr = /addr=(\S+)/u.exec(line)?.[1];
        const name = /name=(\S*)/u.exec(line)?.[1];
        if (addr !== undefined) names.set(addr, name ?? '');
      }
      return names;
    },
    async stop() {
      monitor.disconnect();
      base.disconnect();
      marker.disconnect();
    },
    ids,
  };
}

/** The lines between the marks `${label}:begin` and `${label}:end`, without the marker's own. */
function between(lines, label) {
  const begin = lines.findIndex((l) => l.argv[0]?.toLowerCase() === 'echo' && l.argv[1] === `x-mark:${label}:begin`);
  const end = lines.findIndex((l) => l.argv[0]?.toLowerCase() === 'echo' && l.argv[1] === `x-mark:${label}:end`);
  return lines.slice(begin + 1, end).filter((l) => !(l.argv[0]?.toLowerCase() === 'echo' && l.argv[1]?.startsWith('x-mark:')));
}

/** A key with the queue name and ids taken out: `x:<q>:ran:<id>`. */
const keyShape = (key) => (key ?? '?').replace(/^(x|bull):[^:]+:/u, '$1:<q>:').replace(/[0-9a-f]{8}-[0-9a-f-]{27}(-\d+)?|\bj\d+\b/gu, '<id>');

/** @x/distributed's worker scripts (src/worker-scripts.ts), by their first key. */
const ourScripts = { 'x:<q>:ran:<id>': 'x start script', 'x:<q>:results:<id>': 'x finish script' };

function commandName(line, scripts) {
  const cmd = line.argv[0].toLowerCase();
  if (cmd === 'evalsha' || cmd === 'eval') return `${cmd} ${scripts.get(line.argv[1]) ?? ourScripts[keyShape(line.argv[3])] ?? `(script on ${keyShape(line.argv[3])}, ...)`}`;
  if (/^(rpush|lpush|blmpop|blpop|lpop|del|set|get|pexpire|publish|sadd|smembers|mget|exists|lpos|bzpopmin|xread)$/u.test(cmd)) {
    return `${cmd} ${keyShape(cmd === 'blmpop' ? line.argv[3] : cmd === 'xread' ? line.argv.at(-2) : line.argv[1])}`;
  }
  return cmd;
}

/** Per-job counts of one phase: client requests by command, and every command Redis ran. */
function count(lines, n, scripts, roles) {
  const requests = lines.filter((l) => l.source !== 'lua');
  const byCommand = new Map();
  for (const line of requests) {
    const key = `${roles(line)}: ${commandName(line, scripts)}`;
    byCommand.set(key, (byCommand.get(key) ?? 0) + 1);
  }
  return {
    requestsPerJob: requests.length / n,
    commandsPerJob: lines.length / n,
    byCommand: [...byCommand.entries()].sort((a, b) => b[1] - a[1]).map(([command, total]) => ({ command, perJob: total / n })),
  };
}

/** One round trip's requests in order (the middle one of the phase), for --trace. */
function traceOne(lines, scripts, roles) {
  const requests = lines.filter((l) => l.source !== 'lua');
  const t0 = requests[0]?.time ?? 0;
  return requests.map((l) => `  +${((l.time - t0) * 1000).toFixed(2).padStart(7)} ms  ${roles(l).padEnd(18)} ${commandName(l, scripts)}`);
}

/**
 * CPU microseconds per job of the submitting process, the worker process and Redis, over a burst
 * of `n` (no MONITOR); with `bursts` > 1, each process's median over that many bursts.
 */
async function cpuPerJob(side, url, n, bursts) {
  const redis = new Redis(url);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  try {
    const runs = [];
    for (let i = 0; i < bursts; i++) {
      const before = { me: process.cpuUsage(), worker: processCpuMs(side.workerPid), redis: await redisCpuMs(redis) };
      await side.bulk(n);
      const me = process.cpuUsage(before.me);
      runs.push({
        submitter: (me.user + me.system) / n,
        worker: ((processCpuMs(side.workerPid) - before.worker) * 1000) / n,
        redis: (((await redisCpuMs(redis)) - before.redis) * 1000) / n,
      });
    }
    return { submitter: median(runs.map((r) => r.submitter)), worker: median(runs.map((r) => r.worker)), redis: median(runs.map((r) => r.redis)) };
  } finally {
    redis.disconnect();
  }
}

async function measure(make, scripts) {
  const redis = await startRedis();
  try {
    const side = await make(redis.url);
    try {
      for (let i = 0; i < 20; i++) await side.roundTrip(i); // warm-up: connections, scripts loaded
      const rec = await record(redis.url);
      const names = await rec.names();
      const roles = (line) => (line.source === 'lua' ? 'lua' : side.role(names.get(line.source) ?? '', line.argv[0].toLowerCase()));
      await rec.mark('rtt:begin');
      for (let i = 0; i < JOBS; i++) await side.roundTrip(i);
      await rec.mark('rtt:end');
      await rec.mark('one:begin');
      await side.roundTrip(1);
      await new Promise((resolve) => setTimeout(resolve, 20)); // the worker's fetch after the completion
      await rec.mark('one:end');
      await rec.mark('bulk:begin');
      await side.bulk(BULK);
      await rec.mark('bulk:end');
      await rec.stop();
      const cpu = await cpuPerJob(side, redis.url, BULK, CPU_BURSTS);
      return {
        cpu,
        label: side.label,
        redis: redis.version,
        rtt: count(between(rec.lines, 'rtt'), JOBS, scripts, roles),
        bulk: count(between(rec.lines, 'bulk'), BULK, scripts, roles),
        trace: traceOne(between(rec.lines, 'one'), scripts, roles),
      };
    } finally {
      await side.close();
    }
  } finally {
    await redis.stop();
  }
}

async function main() {
  if (spawnSync(redisServer, ['--version']).status !== 0) {
    console.log(`distributed commands: no ${redisServer} to start a private Redis; skipped (set REDIS_SERVER=/path/to/redis-server)`);
    return 0;
  }
  const scripts = await bullScriptNames();
  const o = await measure((url) => oursSide({ url, concurrency, maxWorkers: window }), scripts);
  const r = await measure((url) => rawSide({ url, concurrency }), scripts);
  const f = (x) => x.toFixed(2);
  const rows = [
    ['', 'requests / job, one at a time', 'commands run / job, one at a time', `requests / job, ${BULK} at once`, `commands run / job, ${BULK} at once`],
    [o.label, f(o.rtt.requestsPerJob), f(o.rtt.commandsPerJob), f(o.bulk.requestsPerJob), f(o.bulk.commandsPerJob)],
    [r.label, f(r.rtt.requestsPerJob), f(r.rtt.commandsPerJob), f(r.bulk.requestsPerJob), f(r.bulk.commandsPerJob)],
    ['ours / raw', f(o.rtt.requestsPerJob / r.rtt.requestsPerJob), f(o.rtt.commandsPerJob / r.rtt.commandsPerJob), f(o.bulk.requestsPerJob / r.bulk.requestsPerJob), f(o.bulk.commandsPerJob / r.bulk.commandsPerJob)],
  ];
  const table = [`| ${rows[0].join(' | ')} |`, `|${rows[0].map(() => ' --- ').join('|')}|`, ...rows.slice(1).map((row) => `| ${row.join(' | ')} |`)].join('\n');
  console.log(`\nRedis commands per job (private redis-server ${o.redis}, worker concurrency ${concurrency}, executor window ${window ?? 'the live capacity + as many sent ahead'}, ${JOBS} round trips one at a time, then ${BULK} jobs at once; requests = what clients sent, commands run = requests + commands inside Lua scripts)\n`);
  console.log(table);
  const c = (x) => x.toFixed(0);
  const cpuRows = [
    ['', 'submitting process', 'worker process', 'redis-server', 'all three'],
    ...[o, r].map((side) => [side.label, c(side.cpu.submitter), c(side.cpu.worker), c(side.cpu.redis), c(side.cpu.submitter + side.cpu.worker + side.cpu.redis)]),
    ['ours / raw', f(o.cpu.submitter / r.cpu.submitter), f(o.cpu.worker / r.cpu.worker), f(o.cpu.redis / r.cpu.redis), f((o.cpu.submitter + o.cpu.worker + o.cpu.redis) / (r.cpu.submitter + r.cpu.worker + r.cpu.redis))],
  ];
  const cpuTable = [`| ${cpuRows[0].join(' | ')} |`, `|${cpuRows[0].map(() => ' --- ').join('|')}|`, ...cpuRows.slice(1).map((row) => `| ${row.join(' | ')} |`)].join('\n');
  console.log(`\nCPU time per job (microseconds), ${BULK} jobs at once without MONITOR${CPU_BURSTS > 1 ? `, median of ${CPU_BURSTS} bursts` : ''} (worker: Linux /proc; redis-server: INFO cpu)\n`);
  console.log(cpuTable);
  for (const side of [o, r]) {
    for (const phase of ['rtt', 'bulk']) {
      console.log(`\n${side.label}, ${phase === 'rtt' ? 'one at a time' : `${BULK} at once`}: requests per job by connection and command`);
      for (const { command, perJob } of side[phase].byCommand) if (perJob >= 0.005) console.log(`  ${perJob.toFixed(2).padStart(6)}  ${command}`);
    }
    if (args.trace) console.log(`\n${side.label}: the requests of one round trip, in order\n${side.trace.join('\n')}`);
  }
  if (args.out !== undefined) {
    const outDir = new URL(`../../${args.out}/`, import.meta.url);
    await mkdir(outDir, { recursive: true });
    await writeFile(new URL('distributed-commands.json', outDir), `${JSON.stringify({ date: new Date().toISOString(), concurrency, jobs: JOBS, bulk: BULK, ours: o, raw: r, table, cpuTable }, null, 2)}\n`);
  }
  return 0;
}

process.exitCode = await main();
