// W7 in instructions: the main thread's instructions per tiny async task through the limiter
// (AsyncPoolExecutor of each build, p-limit), counted by valgrind's callgrind (load-independent,
// unlike any clock on a shared machine), with the heap's bytes allocated and GCs per task beside.
//
//   node src/w7-callgrind.mjs [--build name=/path/to/repo ...] [--peers x-async,p-limit] [--bursts 1]
//                             [--minus 0] [--n 100000] [--warmup 1000] [--concurrency 8] [--reps 1]
//                             [--keep DIR] [--node-arg FLAG ...]
//
// For every build (x-async; p-limit once, with the first build's adapter) it runs src/w7-cpu.mjs's
// child (W7's limiter, warm-up, then bursts of `n` tasks) twice under `valgrind --tool=callgrind
// --separate-threads=yes`: once with `bursts` bursts and once with `minus` (default none; `--bursts
// 3 --minus 1`: bursts 2 and 3, the code warm); the difference of the main thread's instruction
// counts divided by the tasks of the bursts is the main thread's cost per task (start-up, import and
// warm-up cancel out). The two runs of a pair run at once (2 CPUs). Then the same child once
// without valgrind, with V8's GC profiler on, for the bytes allocated and the GCs per task of the
// same bursts. The count of burst 1 varies by run (which tier V8's concurrent compiler has ready,
// how much the main thread collects; the split of the parallel scavenges between the main thread
// and V8's helper threads moves a warm count by ~2,000 too): use --reps 3 or more, and
// `--node-arg --single-threaded` for a count of the whole isolate's work on one thread. --keep DIR
// keeps the callgrind files (`callgrind_annotate DIR/<name>-01` shows the main thread).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callgrindOptions, countReps } from './callgrind.mjs';
import { childJson, median } from './cpu-script.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const child = join(here, 'w7-cpu.mjs');

const o = callgrindOptions(
  { builds: [], peers: ['x-async', 'p-limit'], bursts: 1, minus: 0, n: 100_000, warmup: 1000, concurrency: 8, reps: 1, keep: undefined, nodeArgs: [] },
  { prefix: 'w7-callgrind', lists: ['peers'], numbers: ['bursts', 'minus', 'n', 'warmup', 'concurrency', 'reps'] },
);
const kinds = o.peers.flatMap((peer) => (peer === 'x-async' ? o.builds.map((build) => ({ build, peer, key: `${build.name}-${peer}` })) : [{ build: o.builds[0], peer, key: peer }]));
const childArgs = (kind, bursts) => [child, '--child', kind.build.root, kind.peer, String(bursts), String(o.n), String(o.warmup), String(o.concurrency)];

/** Bytes allocated and GCs per task of the counted bursts, from one plain run of the child. */
function heapPerTask(kind) {
  const rows = childJson(kind.key, [...o.nodeArgs, ...childArgs(kind, o.bursts), 'mem']).slice(o.minus);
  const tasks = rows.length * o.n;
  return { bytes: rows.reduce((s, row) => s + row.bytes, 0) / tasks, gcs: (rows.reduce((s, row) => s + row.gcs, 0) / tasks) * 1000 };
}

const counts = await countReps(
  o,
  kinds.map((kind) => ({ label: kind.key, commandOf: (bursts) => [process.execPath, ...o.nodeArgs, ...childArgs(kind, bursts)] })),
  o.n,
  'task',
);
// the bytes and GCs of plain runs (no valgrind), as many as counts
const rows = kinds.flatMap((kind, i) => counts[i].map((perTask) => ({ key: kind.key, perTask, ...heapPerTask(kind) })));
const what = o.minus === 0 ? `${o.bursts} burst(s)` : `bursts ${o.minus + 1}-${o.bursts}`;
console.log(`W7 main-thread instructions per task (callgrind; ${what} of ${o.n} tasks after a ${o.warmup}-task warm-up, concurrency ${o.concurrency}; median of ${o.reps} rep(s)${o.nodeArgs.length > 0 ? `; node ${o.nodeArgs.join(' ')}` : ''}), with bytes allocated and GCs per 1000 tasks (plain runs, V8's GC profiler)`);
const reference = o.peers.includes('p-limit') ? median(rows.filter((r) => r.key === 'p-limit').map((r) => r.perTask)) : undefined;
for (const kind of kinds) {
  const of = (key) => median(rows.filter((r) => r.key === kind.key).map((r) => r[key]));
  const all = rows.filter((r) => r.key === kind.key).map((r) => r.perTask.toFixed(0)).join(', ');
  const ratio = reference === undefined || kind.peer === 'p-limit' ? '' : ` (${(of('perTask') / reference).toFixed(3)}x p-limit)`;
  console.log(`  ${kind.key}: ${of('perTask').toFixed(0)} instructions${ratio} [${all}]; ${of('bytes').toFixed(0)} bytes, ${of('gcs').toFixed(2)} GCs per 1000 tasks`);
}
if (o.keep === undefined) rmSync(o.dir, { recursive: true, force: true });
