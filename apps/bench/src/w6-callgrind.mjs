// W6 in instructions: the main thread's instructions per 1 MiB task of W6's burst, our pool of
// each build against the bare worker_threads loop, counted by valgrind's callgrind
// (load-independent, unlike any clock on a shared machine).
//
//   node src/w6-callgrind.mjs [--build name=/path/to/repo ...] [--peers x,bare] [--modes transfer]
//                             [--bursts 1] [--minus 0] [--count 200] [--reps 3] [--keep DIR]
//                             [--node-arg FLAG ...]
//
// For every build, peer and mode it runs src/w6-cpu.mjs's child (the same process: a pool of 2
// fixed workers, W6's warm-up, bursts of `count` 1 MiB arrays copied or transferred, awaited and
// checked) twice under `valgrind --tool=callgrind --separate-threads=yes --trace-children=no`:
// with `bursts` bursts and with `minus`; the difference of the main thread's counts divided by the
// tasks of the bursts is the main thread's cost per task. Start-up, imports and warm-up cancel
// out; the harness stays in (making each array, 131,072 writes, ~7M instructions, and checking
// its result), the same for every peer: compare peers and builds, not the counts alone. The bare
// loop (this checkout's adapter) is listed once. The two runs of a pair run at once (2 CPUs),
// ~25 s each. Under valgrind the threads take turns on one core, so what the pool sends ahead
// (its windows learn from run times) differs from a real run's; the count still says what the
// main thread's code costs per call. `--keep DIR` keeps the files (callgrind_annotate
// DIR/<name>-01 shows the main thread).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callgrindOptions, countReps } from './callgrind.mjs';
import { median } from './cpu-script.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const child = join(here, 'w6-cpu.mjs');
const thisRepo = fileURLToPath(new URL('../../..', import.meta.url));

const o = callgrindOptions(
  { builds: [], peers: ['x', 'bare'], modes: ['transfer'], bursts: 1, minus: 0, count: 200, reps: 3, keep: undefined, nodeArgs: [] },
  { prefix: 'w6-callgrind', lists: ['peers', 'modes'], numbers: ['bursts', 'minus', 'count', 'reps'] },
);

/** Our pool once per build, the bare loop once (this checkout's adapter). */
const kinds = o.modes.flatMap((mode) =>
  o.peers.flatMap((peer) =>
    (peer === 'x' ? o.builds : [{ name: '-', root: thisRepo }]).map((build) => ({
      peer,
      mode,
      label: `${peer === 'x' ? `x ${build.name}` : peer} ${mode}`,
      commandOf: (bursts) => [process.execPath, ...o.nodeArgs, child, '--child', build.root, peer, mode, String(bursts), String(o.count), '2'],
    })),
  ),
);
// (instructionsPerBurst's count is per burst already: one burst's tasks are the units)
const counts = await countReps(o, kinds, o.count, 'task');
console.log(
  `W6 main-thread instructions per 1 MiB task (callgrind; burst(s) ${o.minus + 1}-${o.bursts} of ${o.count} tasks; median of ${o.reps} rep(s)${o.nodeArgs.length > 0 ? `; node ${o.nodeArgs.join(' ')}` : ''})`,
);
for (const [i, kind] of kinds.entries()) {
  const floor = kinds.findIndex((k) => k.peer === 'bare' && k.mode === kind.mode);
  const m = median(counts[i]);
  const over = floor === -1 || floor === i ? '' : `, ${(m - median(counts[floor])).toFixed(0)} above the bare loop`;
  console.log(`  ${kind.label}: ${m.toFixed(0)}${over} (reps ${counts[i].map((c) => c.toFixed(0)).join(', ')})`);
}
if (o.keep === undefined) rmSync(o.dir, { recursive: true, force: true });
