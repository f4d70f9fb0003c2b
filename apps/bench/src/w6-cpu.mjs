// W6 by CPU time as well as wall clock: the CPU each peer spends per 1 MiB task, in fresh
// processes, for one or more builds of the monorepo side by side (this checkout and, say, a clone
// of an older commit), against piscina and the bare worker_threads loop. On a shared machine W6's
// wall clock (a few hundred ms) moves with the load; the CPU a process spends per MiB moves less.
//
//   node src/w6-cpu.mjs [--build name=/path/to/repo ...] [--peers x,piscina,bare] [--modes copy,transfer]
//                       [--procs 7] [--bursts 4] [--count 200] [--workers 2] [--pin CPUS]
//                       [--env name:VAR=value ...] [--node-arg=--flag ...] [--json file]
//
// Each process (one per build x peer x mode, run in an order rotated every round: interleaved)
// does what W6 does: a pool of `workers` fixed workers, a warm-up of 2 x workers arrays, then
// `bursts` bursts of `count` 1 MiB Float64Array `sumF64` tasks submitted at once (copied, or
// transferred) and awaited. Per burst it reads the main thread's CPU time, the pool's threads'
// (/proc/self/task/<tid>/schedstat), the rest's (V8's GC and compiler threads, libuv's) and the
// whole process's (process.cpuUsage()). Reported in µs per task (= per MiB), median over
// processes: burst 1 (what W6 times) and the later bursts (each process's median of bursts 2..N),
// with MiB/s of the wall clock. The `x` peer is the build's @x/thread-pool; piscina and the bare
// loop are this checkout's (src/adapters), the same for every build (listed once).
// A child alone: `node src/w6-cpu.mjs --child /path/to/repo x copy 4 200 2` prints one JSON line.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitOf, entryOf } from './build-entry.mjs';
import { median, runInterleaved, scriptOptions } from './cpu-script.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const thisRepo = resolve(here, '../../..');
const F64_PER_MIB = (1024 * 1024) / 8;

if (process.argv[2] === '--child') await child(process.argv.slice(3));
else main(process.argv.slice(2));

/**
 * Per thread of this process, by thread id: its CPU time so far in ns (schedstat), its system
 * time in clock ticks and its minor page faults (stat).
 */
function threadsNs() {
  const out = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
      out.set(tid, [ns, Number(fields[12]), Number(fields[7])]);
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/**
 * What happened between two {@link threadsNs} readings: CPU ns of the main thread, of the threads
 * in `tids`, of the others; then system ticks and minor faults of the main thread and of `tids`.
 */
function splitNs(before, after, tids) {
  const d = [0, 0, 0, 0, 0, 0, 0];
  for (const [tid, [ns, sys, faults]] of after) {
    const [ns0, sys0, faults0] = before.get(tid) ?? [0, 0, 0];
    const main = tid === String(process.pid);
    const k = main ? 0 : tids.has(tid) ? 1 : 2;
    d[k] += ns - ns0;
    if (k < 2) {
      d[3 + k] += sys - sys0;
      d[5 + k] += faults - faults0;
    }
  }
  return d;
}

/** Our pool of the build at `root`, with the bench adapter's calls. */
async function xAdapter(root) {
  const { task } = await import(entryOf(root, 'future'));
  const { ThreadPoolExecutor } = await import(entryOf(root, 'thread-pool'));
  const sum = task(new URL('./tasks.mjs', import.meta.url), 'sumF64');
  let ex;
  return {
    async open({ workers }) {
      ex = new ThreadPoolExecutor({ maxWorkers: workers, minWorkers: workers });
    },
    call(_name, arg, transfer) {
      return transfer === undefined ? ex.submit(sum, arg) : ex.submitWith({ transfer }, sum, arg);
    },
    close: () => ex.shutdown(),
  };
}

async function child([root, peer, mode, burstsArg, countArg, workersArg]) {
  const [bursts, count, workers] = [burstsArg, countArg, workersArg].map(Number);
  const transfer = mode === 'transfer';
  const ad =
    peer === 'x'
      ? await xAdapter(root)
      : peer === 'piscina'
        ? (await import('./adapters/piscina.mjs')).make()
        : (await import('./adapters/bare.mjs')).make({ runtime: 'thread' });
  // a[j] = ((j * 7 + k) & 1023) + k repeats every 1,024 values: the first 1,024 written, then
  // doubled by copyWithin (a memmove: the same few instructions in every process, where a JS loop
  // over the 131,072 values costs ~5M instructions per array in whichever tier V8 has it in then,
  // which src/w6-callgrind.mjs would count with the burst)
  const make = (k) => {
    const a = new Float64Array(F64_PER_MIB);
    for (let j = 0; j < 1024; j++) a[j] = ((j * 7 + k) & 1023) + k;
    for (let filled = 1024; filled < a.length; filled *= 2) a.copyWithin(filled, 0, filled);
    return a;
  };
  const expect = (k) => (F64_PER_MIB / 1024) * ((1023 * 1024) / 2) + F64_PER_MIB * k;
  const send = (arrs) =>
    Promise.all(
      arrs.map(async (a, k) => {
        const r = await ad.call('sumF64', a, transfer ? [a.buffer] : undefined);
        if (r !== expect(k)) throw new Error(`${peer}: task ${k} summed ${String(r)}, expected ${expect(k)}`);
        if (transfer !== (a.buffer.byteLength === 0)) throw new Error(`${peer}: array ${k} ${transfer ? 'not transferred' : 'detached'}`);
      }),
    );
  const threadsBefore = new Set(threadsNs().keys());
  await ad.open({ workers, fixed: true });
  await send(Array.from({ length: 2 * workers }, (_, k) => make(k))); // warm-up, as W6
  const poolThreads = new Set([...threadsNs().keys()].filter((tid) => !threadsBefore.has(tid)));
  const rows = [];
  for (let b = 0; b < bursts; b++) {
    const arrs = Array.from({ length: count }, (_, k) => make(k));
    const th0 = threadsNs();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await send(arrs);
    const ms = performance.now() - t0;
    const c1 = process.cpuUsage(c0);
    const [mainNs, poolNs, otherNs, mainSys, poolSys, mainFaults, poolFaults] = splitNs(th0, threadsNs(), poolThreads);
    rows.push({ ms, mainNs, poolNs, otherNs, procNs: (c1.user + c1.system) * 1000, mainSys, poolSys, mainFaults, poolFaults });
  }
  await ad.close();
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

function main(argv) {
  const o = scriptOptions(
    argv,
    { builds: [], peers: ['x', 'piscina', 'bare'], modes: ['copy', 'transfer'], procs: 7, bursts: 4, count: 200, workers: 2, pin: undefined, nodeArgs: [], json: undefined },
    { thisRepo, lists: ['peers', 'modes'], numbers: ['procs', 'bursts', 'count', 'workers'] },
  );
  // our pool once per build (with its --env); the other peers once (this checkout's adapters)
  const kinds = o.modes.flatMap((mode) =>
    o.peers.flatMap((peer) =>
      (peer === 'x' ? o.builds : [{ name: '-', root: thisRepo, env: {} }]).map((build) => ({
        build,
        peer,
        mode,
        env: build.env,
        key: `${peer === 'x' ? `x ${build.name} (${commitOf(build.root)})` : peer} ${mode}`,
        runs: [],
      })),
    ),
  );
  const script = fileURLToPath(import.meta.url);
  const started = Date.now();
  runInterleaved(kinds, { ...o, cwd: here }, (kind) => [script, '--child', kind.build.root, kind.peer, kind.mode, String(o.bursts), String(o.count), String(o.workers)]);
  const perTask = (ns) => ns / o.count / 1000; // µs per task (per MiB)
  const mibs = (row) => o.count / (row.ms / 1000);
  const keys = ['mainNs', 'poolNs', 'otherNs', 'procNs'];
  const summary = kinds.map((kind) => ({
    key: kind.key,
    burst1: [...keys.map((key) => median(kind.runs.map((rows) => perTask(rows[0][key])))), median(kind.runs.map((rows) => mibs(rows[0])))],
    later:
      o.bursts > 1
        ? [...keys.map((key) => median(kind.runs.map((rows) => median(rows.slice(1).map((row) => perTask(row[key])))))), median(kind.runs.map((rows) => median(rows.slice(1).map(mibs))))]
        : undefined,
  }));
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `W6 CPU per 1 MiB task (µs, median of ${o.procs} processes per row; ${o.count} tasks per burst, ${o.bursts} bursts per process, ${o.workers} workers${o.pin === undefined ? '' : `, taskset -c ${o.pin}`}); ${Math.round((Date.now() - started) / 1000)} s, load at the end ${load}`,
  );
  const cells = (x) => (x === undefined ? ['-', '-', '-', '-', '-'] : x.map((v) => v.toFixed(0)));
  console.log('| peer | burst 1: main | pool | other | process | MiB/s | bursts 2+: main | pool | other | process | MiB/s |');
  console.log(`| --- |${' ---: |'.repeat(10)}`);
  for (const s of summary) console.log(`| ${s.key} | ${[...cells(s.burst1), ...cells(s.later)].join(' | ')} |`);
  console.log("(main: the main thread; pool: the pool's worker threads; other: the rest, V8's GC and compiler threads and libuv's; process: process.cpuUsage(); MiB/s: wall clock)");
  if (o.json !== undefined) writeFileSync(o.json, `${JSON.stringify({ options: o, summary, runs: kinds.map((k) => ({ key: k.key, runs: k.runs })) }, null, 1)}\n`);
}
