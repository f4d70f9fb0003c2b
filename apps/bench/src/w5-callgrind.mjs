// W5 in instructions: a W5 cycle's instructions in the main process (all of its threads: a thread
// pool's threads too) and in the child process it starts (process pools), counted by valgrind's
// callgrind (load-independent, unlike any clock on a shared machine).
//
//   node src/w5-callgrind.mjs [--build name=/path/to/repo ...] [--peers x-thread,piscina,x-process,tinypool-cp]
//                             [--cycles 4] [--reps 1] [--keep DIR] [--node-arg FLAG ...]
//
// For every build, peer and rep it runs src/w5-cycle.mjs twice under `valgrind --tool=callgrind
// --trace-children=yes` (every thread of every process counted): with `cycles` cycles and with
// one. The main process's cost per cycle is the difference of the two main counts over
// `cycles - 1` (start-up, imports and the first cycle's cold code cancel out); a child's is the
// mean count of the children of the longer run (each cycle of a process pool starts one; a thread
// pool starts none, and its threads are in the main count). The two runs of a pair run
// at once (2 CPUs). --keep DIR keeps the callgrind files (<build>-<peer>-<cycles>-<rep>.<pid>;
// `callgrind_annotate --inclusive=yes FILE` shows where a process spent them).
// A child's count moves by ±3M from run to run (V8's hash seed and its background threads);
// `--node-arg --hash-seed=1 --node-arg --random-seed=1` makes every count repeat exactly (the
// children get the parent's flags: both peers pass `process.execArgv` on), but adds ~27M to the
// main process's start and ~70M to a child's (V8 rehashes its snapshot for the fixed seed): use it
// for differences, the default for ratios.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callgrindOptions, valgrind } from './callgrind.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const o = callgrindOptions(
  { builds: [], peers: ['x-thread', 'piscina', 'x-process', 'tinypool-cp'], cycles: 4, reps: 1, keep: undefined, nodeArgs: [] },
  { prefix: 'w5-callgrind', lists: ['peers'], numbers: ['cycles', 'reps'] },
);
const dir = o.dir;

/** Runs one process of `cycles` cycles under callgrind; resolves with { main, children } instruction counts. */
async function counted(name, root, peer, cycles) {
  const args = ['--tool=callgrind', '--trace-children=yes', `--callgrind-out-file=${join(dir, name)}.%p`];
  args.push(process.execPath, ...o.nodeArgs, join(here, 'w5-cycle.mjs'), root, peer, String(cycles));
  const stderr = await valgrind(name, args);
  const mainPid = /==(\d+)== Command: /.exec(stderr)?.[1];
  const files = readdirSync(dir).filter((f) => f.startsWith(`${name}.`));
  const counts = new Map();
  for (const file of files) {
    const summary = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'));
    if (summary === null) throw new Error(`${file}: no totals (the process was killed before it wrote them?)`);
    counts.set(file.slice(name.length + 1), Number(summary[1]));
  }
  const main = counts.get(mainPid);
  counts.delete(mainPid);
  if (main === undefined || (counts.size !== cycles && counts.size !== 0)) throw new Error(`${name}: expected 1 main + ${String(cycles)} children (or none), found ${String(counts.size + 1)} files`);
  if (o.keep === undefined) for (const file of files) rmSync(join(dir, file));
  return { main, children: [...counts.values()] };
}

const M = (n) => (n / 1e6).toFixed(1);
for (let rep = 1; rep <= o.reps; rep++) {
  for (const build of o.builds) {
    for (const peer of o.peers) {
      const tag = `${build.name}-${peer}`;
      const [many, one] = await Promise.all([counted(`${tag}-${String(o.cycles)}-${String(rep)}`, build.root, peer, o.cycles), counted(`${tag}-1-${String(rep)}`, build.root, peer, 1)]);
      const main = (many.main - one.main) / (o.cycles - 1);
      const child = many.children.length === 0 ? 0 : many.children.reduce((a, b) => a + b, 0) / many.children.length;
      console.log(
        `${tag} rep ${String(rep)}: main ${M(main)}M/cycle + child ${M(child)}M = ${M(main + child)}M per cycle ` +
          `(children ${many.children.map(M).join(' ')}M; main ${M(many.main)}M for ${String(o.cycles)} cycles, ${M(one.main)}M for 1)`,
      );
    }
  }
}
if (o.keep === undefined) rmSync(dir, { recursive: true, force: true });
