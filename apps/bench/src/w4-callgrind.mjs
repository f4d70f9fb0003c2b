// W4 in instructions: the main thread's instructions per item of W4's burst (`for await` over
// `executor.map(square, items, { chunksize })`), counted by valgrind's callgrind (load-independent,
// unlike any clock on a shared machine).
//
//   node src/w4-callgrind.mjs [--build name=/path/to/repo ...] [--peers floor,x-local,x-thread,x-process]
//                             [--bursts 1] [--minus 0] [--n 200000] [--chunksize 1000]
//                             [--reps 3] [--keep DIR] [--node-arg FLAG ...]
//
// For every build and peer it runs src/w4-cpu.mjs's child (the same process: a pool of 2 workers,
// W4's warm-up, bursts, each collected with `for await` and checked) twice under
// `valgrind --tool=callgrind --separate-threads=yes --trace-children=no`: once with `bursts` bursts
// and once with `minus`; the difference of the main thread's instruction counts divided by the
// items of the bursts is the main thread's cost per item (start-up, import and warm-up cancel out;
// the harness, `Array.from({ length })` and the check loop, stays in: the same for every peer).
// Peer `floor` (this checkout's w4-cpu.mjs, listed once) is that harness over a hand-written
// iterator of ready values (`Promise.resolve({ value, done: false })` from `Float64Array`s made
// before the bursts): no pool; peer `x-local`, the build's map() iterator over futures already
// done (no pool either). The two runs of a pair run at once (2 CPUs), ~1 min each.
// One count varies by a few hundred instructions per item (when V8's concurrent compiler and GC
// threads finish); `--node-arg --single-threaded` moves compiling and GC onto the main thread and
// varies by ~50 (it counts them too): use it, with --reps 3.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callgrindOptions, countReps } from './callgrind.mjs';
import { median } from './cpu-script.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const child = join(here, 'w4-cpu.mjs');

const o = callgrindOptions(
  { builds: [], peers: ['x-thread', 'x-process'], bursts: 1, minus: 0, n: 200_000, chunksize: 1000, reps: 3, keep: undefined, nodeArgs: [] },
  { prefix: 'w4-callgrind', lists: ['peers'], numbers: ['bursts', 'minus', 'n', 'chunksize', 'reps'] },
);
/** Each build's peers; `floor` (this checkout's harness, no pool) once. */
const kinds = o.builds.flatMap((build, b) =>
  o.peers
    .filter((peer) => peer !== 'floor' || b === 0)
    .map((peer) => ({
      build,
      peer,
      label: peer === 'floor' ? peer : `${build.name} ${peer}`,
      commandOf: (bursts) => [process.execPath, ...o.nodeArgs, child, '--child', build.root, peer, String(bursts), String(o.n), String(o.chunksize), '2'],
    })),
);
const counts = await countReps(o, kinds, o.n, 'item');
console.log(
  `W4 main-thread instructions per item (callgrind; ${o.bursts} burst(s) of ${o.n} items in chunks of ${o.chunksize} minus ${o.minus === 0 ? 'none' : String(o.minus)}; ${o.reps} rep(s): median [all]${o.nodeArgs.length > 0 ? `; node ${o.nodeArgs.join(' ')}` : ''})`,
);
for (const peer of o.peers) {
  for (const [i, kind] of kinds.entries()) {
    if (kind.peer !== peer) continue;
    const xs = [...counts[i]].sort((x, y) => x - y);
    console.log(`  ${kind.label}: ${median(xs).toFixed(0)} [${xs.map((x) => x.toFixed(0)).join(', ')}]`);
  }
}
if (o.keep === undefined) rmSync(o.dir, { recursive: true, force: true });
