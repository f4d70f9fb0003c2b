// W2 in instructions: a peer's instructions per round trip of W2's sequential calls, per thread,
// counted by valgrind's callgrind (load-independent, unlike any clock on a shared machine).
//
//   node src/w2-callgrind.mjs [--build name=/path/to/repo ...] [--peers x-thread,piscina]
//                             [--calls 2000] [--minus 0] [--warmup 100] [--reps 1] [--keep DIR]
//                             [--node-arg FLAG ...]
//
// For every build and peer it runs this file's child (the peer's adapter, W2's warm-up, then
// `calls` sequential round trips) twice under `valgrind --tool=callgrind --separate-threads=yes`:
// with `calls` and with `minus` calls (`--calls 4000 --minus 2000`: the steady state after 2,000
// calls). The difference per thread, divided by the calls between, is printed for the main thread,
// the busiest other thread (the worker) and all threads together.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--child') {
  const [, , , root, peer, calls, warmup] = process.argv;
  const adapters = join(root, 'apps/bench/src/adapters');
  const ad =
    peer === 'piscina'
      ? (await import(join(adapters, 'piscina.mjs'))).make()
      : await (await import(join(adapters, 'x-pool.mjs'))).make({ runtime: 'thread' });
  await ad.open({ workers: 1, fixed: true });
  for (let i = 0; i < Number(warmup); i++) if ((await ad.call('inc', i)) !== i + 1) throw new Error('wrong');
  for (let i = 0; i < Number(calls); i++) if ((await ad.call('inc', i)) !== i + 1) throw new Error('wrong');
  await ad.close();
} else {
  const { callgrindOptions, valgrind } = await import('./callgrind.mjs');
  const self = fileURLToPath(import.meta.url);
  const o = callgrindOptions(
    { builds: [], peers: ['x-thread', 'piscina'], calls: 2000, minus: 0, warmup: 100, reps: 1, keep: undefined, nodeArgs: [] },
    { prefix: 'w2-callgrind', lists: ['peers'], numbers: ['calls', 'minus', 'warmup', 'reps'] },
  );
  /** Runs one child; resolves with instructions per valgrind thread number. */
  async function counted(name, root, peer, calls) {
    const out = join(o.dir, name);
    const args = ['--tool=callgrind', '--trace-children=no', '--separate-threads=yes', `--callgrind-out-file=${out}`];
    args.push(process.execPath, ...o.nodeArgs, self, '--child', root, peer, String(calls), String(o.warmup));
    await valgrind(name, args);
    const per = new Map();
    for (const f of readdirSync(o.dir).filter((f) => f.startsWith(`${name}-`))) {
      const summary = /^summary: (\d+)/m.exec(readFileSync(join(o.dir, f), 'utf8'));
      per.set(Number(f.slice(name.length + 1)), summary === null ? 0 : Number(summary[1]));
    }
    return per;
  }
  const rows = [];
  for (let rep = 0; rep < o.reps; rep++) {
    for (const build of o.builds) {
      for (const peer of o.peers) {
        const base = `${build.name}-${peer}-${rep}`;
        const [a, b] = await Promise.all([counted(`${base}-c${o.calls}`, build.root, peer, o.calls), counted(`${base}-c${o.minus}`, build.root, peer, o.minus)]);
        const n = o.calls - o.minus;
        const diff = new Map([...a].map(([t, v]) => [t, (v - (b.get(t) ?? 0)) / n]));
        const all = [...diff.values()].reduce((x, y) => x + y, 0);
        const others = [...diff].filter(([t]) => t !== 1).sort((x, y) => y[1] - x[1]);
        const detail = [...diff].sort((x, y) => x[0] - y[0]).map(([t, v]) => `${t}:${(v / 1000).toFixed(1)}k`).join(' ');
        rows.push({ build: build.name, peer, main: diff.get(1), worker: others[0]?.[1], all });
        console.log(`${build.name} ${peer} rep ${rep + 1}: main ${(diff.get(1) / 1000).toFixed(1)}k, busiest other ${(others[0][1] / 1000).toFixed(1)}k (thread ${others[0][0]}), all ${(all / 1000).toFixed(1)}k; per thread ${detail}`);
      }
    }
  }
  if (o.keep === undefined) rmSync(o.dir, { recursive: true, force: true });
}
