// W8 by CPU time instead of wall clock: the deadlock detector's cost per task, measured in fresh
// processes, for one or more builds of the monorepo side by side (this checkout and, say, a clone
// of an older commit). W8's timed burst is only tens of milliseconds, so on a shared machine its
// wall clock is mostly noise; the CPU a process spends per task is not.
//
//   node src/w8-cpu.mjs [--build name=/path/to/repo ...] [--procs 9] [--bursts 10] [--n 20000]
//                       [--warmup 1000] [--workers 2] [--pin 1] [--node-arg=--flag ...] [--json file]
//                       [--sides off,on,noop-wait,noop-other,noop-all]
//
// Each process (one of 2 x builds kinds, run in an order rotated every round: interleaved) does
// what W8 does: `detectDeadlocks({ onDeadlock: 'throw' })` first (the "on" side), a
// ThreadPoolExecutor with 2 fixed workers, a warm-up batch of `warmup` tasks, then `bursts`
// bursts of `n` `inc` tasks submitted at once and awaited with Promise.all. Per burst it reads the
// main thread's CPU time (/proc/self/task/<pid>/schedstat, in ns) and the whole process's
// (process.cpuUsage(): main thread, worker threads, V8's helper threads). Reported per task,
// median over processes: burst 1 (what W8 times) and the later bursts (each process's median of
// bursts 2..N), each side, and the on/off ratio per build.
//
// --pin CPUS runs every child under `taskset -c CPUS`. --node-arg passes a flag to the children's
// node (e.g. --node-arg=--cpu-prof --node-arg=--cpu-prof-dir=/tmp/prof). A child alone:
// `node src/w8-cpu.mjs --child /path/to/repo on 10 20000 1000 2` prints one JSON line.
import diagnosticsChannel from 'node:diagnostics_channel';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitOf, entryOf } from './build-entry.mjs';
import { mainThreadNs, median, runInterleaved, scriptOptions } from './cpu-script.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const thisRepo = resolve(here, '../../..');

if (process.argv[2] === '--child') await child(process.argv.slice(3));
else main(process.argv.slice(2));

/** Total CPU of the process so far (every thread), in ns. */
function processNs() {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/** CPU time so far of each thread of this process, in ns, by thread id. */
function threadsNs() {
  const out = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** CPU spent between two {@link threadsNs} readings by the threads in `tids`, and by the others (but main). */
function splitNs(before, after, tids) {
  let inSet = 0;
  let others = 0;
  for (const [tid, ns] of after) {
    if (tid === String(process.pid)) continue;
    const d = ns - (before.get(tid) ?? 0);
    if (tids.has(tid)) inSet += d;
    else others += d;
  }
  return [inSet, others];
}

async function child([root, side, burstsArg, nArg, warmupArg, workersArg]) {
  const [bursts, n, warmup, workers] = [burstsArg, nArg, warmupArg, workersArg].map(Number);
  const { task } = await import(entryOf(root, 'future'));
  const { ThreadPoolExecutor } = await import(entryOf(root, 'thread-pool'));
  const detector = side === 'on' ? (await import(entryOf(root, 'diagnostics'))).detectDeadlocks({ onDeadlock: 'throw' }) : undefined;
  // the diagnostic sides: listeners that do nothing, on the wait channels, on the others, on all
  if (side.startsWith('noop-')) {
    const { channelNames } = await import(entryOf(root, 'future'));
    const waits = [channelNames.waitStart, channelNames.waitEnd];
    const names = Object.values(channelNames).filter((name) => (side === 'noop-all' ? true : side === 'noop-wait' ? waits.includes(name) : !waits.includes(name)));
    for (const name of names) diagnosticsChannel.subscribe(name, noop);
  }
  const inc = task(new URL('./tasks.mjs', import.meta.url), 'inc');
  const threadsBefore = new Set(threadsNs().keys());
  const ex = new ThreadPoolExecutor({ maxWorkers: workers, minWorkers: workers });
  const batch = async (count) => {
    const futures = new Array(count);
    for (let i = 0; i < count; i++) futures[i] = ex.submit(inc, i);
    const out = await Promise.all(futures);
    for (let i = 0; i < count; i++) if (out[i] !== i + 1) throw new Error(`task ${i} returned ${String(out[i])}`);
  };
  await batch(warmup);
  // the pool's threads: the ones that appeared with it (its workers; V8's and libuv's helper
  // threads start with the process)
  const poolThreads = new Set([...threadsNs().keys()].filter((tid) => !threadsBefore.has(tid)));
  const rows = [];
  for (let b = 0; b < bursts; b++) {
    const th0 = threadsNs();
    const m0 = mainThreadNs();
    const p0 = processNs();
    const t0 = performance.now();
    await batch(n);
    const ms = performance.now() - t0;
    const mainNs = mainThreadNs() - m0;
    const procNs = processNs() - p0;
    const [poolNs, otherNs] = splitNs(th0, threadsNs(), poolThreads);
    rows.push({ ms, mainNs, procNs, poolNs, otherNs });
  }
  await ex.shutdown();
  detector?.stop();
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

function noop() {
  // a listener that does nothing: what publishing costs, without the detector's work
}

function main(argv) {
  const o = scriptOptions(
    argv,
    { sides: ['off', 'on'], builds: [], procs: 9, bursts: 10, n: 20_000, warmup: 1000, workers: 2, pin: undefined, nodeArgs: [], json: undefined },
    { thisRepo, lists: ['sides'], numbers: ['procs', 'bursts', 'n', 'warmup', 'workers'] },
  );
  const kinds = o.builds.flatMap((build) => o.sides.map((side) => ({ build, side, key: `${build.name} ${side}`, runs: [] })));
  const script = fileURLToPath(import.meta.url);
  const started = Date.now();
  runInterleaved(kinds, { ...o, cwd: here }, (kind) => [script, '--child', kind.build.root, kind.side, String(o.bursts), String(o.n), String(o.warmup), String(o.workers)]);
  const perTask = (ns) => ns / o.n / 1000; // µs per task
  const summary = kinds.map((kind) => {
    const first = (key) => median(kind.runs.map((rows) => perTask(rows[0][key])));
    const later = (key) => median(kind.runs.map((rows) => median(rows.slice(1).map((row) => perTask(row[key])))));
    return {
      key: kind.key,
      build: kind.build.name,
      side: kind.side,
      burst1: { mainUs: first('mainNs'), poolUs: first('poolNs'), otherUs: first('otherNs'), procUs: first('procNs'), wallUs: median(kind.runs.map((rows) => (rows[0].ms * 1000) / o.n)) },
      later:
        o.bursts > 1
          ? {
              mainUs: later('mainNs'),
              poolUs: later('poolNs'),
              otherUs: later('otherNs'),
              procUs: later('procNs'),
              wallUs: median(kind.runs.map((rows) => median(rows.slice(1).map((row) => (row.ms * 1000) / o.n)))),
            }
          : undefined,
    };
  });
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `W8 CPU per task (µs, median of ${o.procs} processes per side; ${o.n} tasks per burst, ${o.bursts} bursts per process, ${o.workers} workers${o.pin === undefined ? '' : `, taskset -c ${o.pin}`}); ${Math.round((Date.now() - started) / 1000)} s, load at the end ${load}`,
  );
  const fmt = (x) => (x === undefined ? '-' : x.toFixed(2));
  const pct = (on, off) => `${(((on / off) - 1) * 100).toFixed(1)} %`;
  const cells = (x) => (x === undefined ? ['-', '-', '-', '-', '-'] : [x.mainUs, x.poolUs, x.otherUs, x.procUs, x.wallUs].map(fmt));
  console.log('| build | side | burst 1: main | pool | other | process | wall | bursts 2+: main | pool | other | process | wall |');
  console.log(`| --- | --- |${' ---: |'.repeat(10)}`);
  for (const s of summary) {
    console.log(`| ${s.build} (${commitOf(kinds.find((k) => k.key === s.key).build.root)}) | ${s.side} | ${[...cells(s.burst1), ...cells(s.later)].join(' | ')} |`);
  }
  console.log('(main: the main thread; pool: the pool\'s worker threads; other: the rest, V8\'s GC and compiler threads and libuv\'s; process: all of them, process.cpuUsage())');
  console.log('\ndetector cost (on / off - 1):');
  for (const build of o.builds) {
    const off = summary.find((s) => s.build === build.name && s.side === 'off');
    for (const on of summary.filter((s) => s.build === build.name && s.side !== 'off')) {
    const others = (a, b) => `pool ${pct(a.poolUs, b.poolUs)}, other ${pct(a.otherUs, b.otherUs)}`;
    const later = on.later === undefined ? '' : `; bursts 2+: main ${pct(on.later.mainUs, off.later.mainUs)}, ${others(on.later, off.later)}, process ${pct(on.later.procUs, off.later.procUs)}, wall ${pct(on.later.wallUs, off.later.wallUs)}`;
    console.log(`  ${build.name} ${on.side}: burst 1: main ${pct(on.burst1.mainUs, off.burst1.mainUs)}, ${others(on.burst1, off.burst1)}, process ${pct(on.burst1.procUs, off.burst1.procUs)}, wall ${pct(on.burst1.wallUs, off.burst1.wallUs)}${later}`);
  }
  }
  if (o.json !== undefined) writeFileSync(o.json, `${JSON.stringify({ options: o, summary, runs: kinds.map((k) => ({ key: k.key, runs: k.runs })) }, null, 1)}\n`);
}
