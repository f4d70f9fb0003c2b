// W8 in instructions: the main thread's instructions per task of W8's burst, detector off and on,
// counted by valgrind's callgrind (load-independent, unlike any clock on a shared machine).
//
//   node src/w8-callgrind.mjs [--build name=/path/to/repo ...] [--sides off,on] [--bursts 1]
//                             [--n 20000] [--reps 1] [--keep DIR] [--node-arg FLAG ...] [--minus 0]
//
// For every build and side it runs src/w8-cpu.mjs's child (the same process W8's child runs:
// detector, pool, warm-up, bursts) twice under `valgrind --tool=callgrind --separate-threads=yes`:
// once with `bursts` bursts and once with `minus` (default none; `--bursts 3 --minus 1`: bursts 2
// and 3, with the code warm); the difference of the main thread's instruction
// counts, divided by the tasks of the bursts, is the main thread's cost per task (start-up, import
// and warm-up cancel out). The two runs of a pair run at once (2 CPUs); each takes 1-5 min.
// --keep DIR keeps the callgrind files (callgrind_annotate DIR/<name>-01 shows the main thread).
// The count of one run of burst 1 varies by thousands of instructions per task (when V8's
// concurrent compiler and GC threads finish decides which tier runs it and how much the main
// thread collects): use --reps 3 or more. `--node-arg --single-threaded` moves V8's compiling and
// GC onto the main thread, so the count covers all the isolate's work; it varies too (~5 %).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callgrindOptions, countReps } from './callgrind.mjs';
import { median } from './cpu-script.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const child = join(here, 'w8-cpu.mjs');

const o = callgrindOptions(
  { builds: [], sides: ['off', 'on'], bursts: 1, n: 20_000, warmup: 1000, reps: 1, keep: undefined, nodeArgs: [], minus: 0 },
  { prefix: 'w8-callgrind', lists: ['sides'], numbers: ['bursts', 'n', 'reps', 'warmup', 'minus'] },
);
const kinds = o.builds.flatMap((build) =>
  o.sides.map((side) => ({
    build,
    side,
    label: `${build.name} ${side}`,
    commandOf: (bursts) => [process.execPath, ...o.nodeArgs, child, '--child', build.root, side, String(bursts), String(o.n), String(o.warmup), '2'],
  })),
);
const counts = await countReps(o, kinds, o.n, 'task');
console.log(`W8 main-thread instructions per task (callgrind; ${o.bursts} burst(s) of ${o.n} tasks minus ${o.minus === 0 ? 'none' : String(o.minus)}; ${o.reps} rep(s), median${o.nodeArgs.length > 0 ? `; node ${o.nodeArgs.join(' ')}` : ''})`);
for (const build of o.builds) {
  const of = (side) => median(counts[kinds.findIndex((kind) => kind.build === build && kind.side === side)]);
  const off = of('off');
  const cells = o.sides.map((side) => `${side} ${of(side).toFixed(0)}${side === 'off' ? '' : ` (${((of(side) / off - 1) * 100).toFixed(1)} %)`}`);
  console.log(`  ${build.name}: ${cells.join(', ')}`);
}
if (o.keep === undefined) rmSync(o.dir, { recursive: true, force: true });
