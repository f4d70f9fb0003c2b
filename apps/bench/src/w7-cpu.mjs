// W7 by CPU time and allocation instead of wall clock: what the main thread spends per tiny async
// task through the limiter (AsyncPoolExecutor of each build, p-limit), in fresh processes side by
// side. W7 runs on the main thread only, so its CPU is the main thread's.
//
//   node src/w7-cpu.mjs [--build name=/path/to/repo ...] [--peers x-async,p-limit] [--procs 7]
//                       [--bursts 4] [--n 100000] [--warmup 1000] [--concurrency 8] [--pin CPUS]
//                       [--node-arg=--flag ...] [--json file]
//
// Each process (one per build x peer, in an order rotated every round: interleaved) does what W7
// does with the build's own adapter (apps/bench/src/adapters/async.mjs of that checkout): a
// limiter of `concurrency`, a warm-up batch of `warmup` tasks, then `bursts` bursts of `n` tasks
// (`async x => x + 1`) submitted at once and awaited with Promise.all. Per burst: the main
// thread's CPU (/proc/self/task/<pid>/schedstat), the process's (process.cpuUsage()), the bytes
// the heap allocated (v8.GCProfiler: the used heap's growth plus what each GC freed) and the GCs,
// per task, medians over processes: burst 1 (what W7 times) and bursts 2+. p-limit is the
// adapter's of the first build (the same package for every build: listed once).
// A child alone: `node src/w7-cpu.mjs --child /path/to/repo x-async 4 100000 1000 8 [mem]` prints
// one JSON line (`mem` turns the GC profiler on; src/w7-callgrind.mjs runs the child without it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { commitOf } from './build-entry.mjs';
import { mainThreadNs, median, runInterleaved, scriptOptions } from './cpu-script.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const thisRepo = resolve(here, '../../..');

if (process.argv[2] === '--child') await child(process.argv.slice(3));
else main(process.argv.slice(2));

/** Bytes allocated and GCs counted by a GC profiler's statistics between two used-heap readings. */
function allocated(usedBefore, usedAfter, stats) {
  let freed = 0;
  for (const gc of stats) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return { bytes: usedAfter - usedBefore + freed, gcs: stats.length };
}

async function child([root, peer, burstsArg, nArg, warmupArg, concurrencyArg, mem]) {
  const [bursts, n, warmup, concurrency] = [burstsArg, nArg, warmupArg, concurrencyArg].map(Number);
  const { make } = await import(pathToFileURL(join(root, 'apps/bench/src/adapters/async.mjs')).href);
  const ad = await make({ impl: peer });
  await ad.open({ concurrency });
  const asyncInc = async (x) => x + 1;
  const batch = async (count) => {
    const futures = new Array(count);
    for (let i = 0; i < count; i++) futures[i] = ad.run(asyncInc, i);
    const out = await Promise.all(futures);
    for (let i = 0; i < count; i++) if (out[i] !== i + 1) throw new Error(`task ${i} returned ${String(out[i])}`);
  };
  await batch(warmup);
  const rows = [];
  for (let b = 0; b < bursts; b++) {
    const profiler = mem === 'mem' ? new v8.GCProfiler() : undefined;
    profiler?.start();
    const used0 = mem === 'mem' ? v8.getHeapStatistics().used_heap_size : 0;
    const m0 = mainThreadNs();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await batch(n);
    const ms = performance.now() - t0;
    const mainNs = mainThreadNs() - m0;
    const c1 = process.cpuUsage(c0);
    const heap = mem === 'mem' ? allocated(used0, v8.getHeapStatistics().used_heap_size, profiler.stop().statistics) : { bytes: 0, gcs: 0 };
    rows.push({ ms, mainNs, procNs: (c1.user + c1.system) * 1000, ...heap });
  }
  await ad.close();
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

function main(argv) {
  const o = scriptOptions(argv, { builds: [], peers: ['x-async', 'p-limit'], procs: 7, bursts: 4, n: 100_000, warmup: 1000, concurrency: 8, nodeArgs: [] }, {
    thisRepo,
    lists: ['peers'],
    numbers: ['procs', 'bursts', 'n', 'warmup', 'concurrency'],
  });
  const kinds = o.peers.flatMap((peer) =>
    peer === 'x-async' ? o.builds.map((build) => ({ build, peer, key: `${build.name} ${peer}`, runs: [] })) : [{ build: o.builds[0], peer, key: peer, runs: [] }],
  );
  const started = Date.now();
  const script = fileURLToPath(import.meta.url);
  runInterleaved(kinds, { ...o, cwd: here }, (kind) => [script, '--child', kind.build.root, kind.peer, String(o.bursts), String(o.n), String(o.warmup), String(o.concurrency), 'mem']);
  const per = (row, key) => (key === 'mainNs' || key === 'procNs' ? row[key] / o.n / 1000 : key === 'gcs' ? row[key] : row[key] / o.n);
  const keys = ['mainNs', 'procNs', 'bytes', 'gcs'];
  const summary = kinds.map((kind) => ({
    key: kind.key,
    commit: kind.peer === 'x-async' ? commitOf(kind.build.root) : '-',
    burst1: Object.fromEntries(keys.map((key) => [key, median(kind.runs.map((rows) => per(rows[0], key)))])),
    later: o.bursts > 1 ? Object.fromEntries(keys.map((key) => [key, median(kind.runs.map((rows) => median(rows.slice(1).map((row) => per(row, key)))))])) : undefined,
  }));
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`W7 per task (median of ${o.procs} processes; ${o.n} tasks per burst, ${o.bursts} bursts, concurrency ${o.concurrency}); ${Math.round((Date.now() - started) / 1000)} s, load at the end ${load}`);
  console.log('| peer | burst 1: main µs | process µs | bytes | GCs | bursts 2+: main µs | process µs | bytes | GCs |');
  console.log(`| --- |${' ---: |'.repeat(8)}`);
  const cells = (x) => (x === undefined ? ['-', '-', '-', '-'] : [x.mainNs.toFixed(3), x.procNs.toFixed(3), x.bytes.toFixed(0), x.gcs.toFixed(1)]);
  for (const s of summary) console.log(`| ${s.key}${s.commit === '-' ? '' : ` (${s.commit})`} | ${[...cells(s.burst1), ...cells(s.later)].join(' | ')} |`);
  if (o.json !== undefined) writeFileSync(o.json, `${JSON.stringify({ options: o, summary, runs: kinds.map((k) => ({ key: k.key, runs: k.runs })) }, null, 1)}\n`);
}
