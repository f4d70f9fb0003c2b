// W5 in instructions: a W5 cycle's instructions in the main process and in the child process it
// starts, counted by valgrind's callgrind (load-independent, unlike any clock on a shared machine).
//
//   node src/w5-callgrind.mjs [--build name=/path/to/repo ...] [--peers x-process,tinypool-cp]
//                             [--cycles 4] [--reps 1] [--keep DIR]
//
// For every build, peer and rep it runs src/w5-cycle.mjs twice under `valgrind --tool=callgrind
// --trace-children=yes` (every thread of every process counted): with `cycles` cycles and with
// one. The main process's cost per cycle is the difference of the two main counts over
// `cycles - 1` (start-up, imports and the first cycle's cold code cancel out); a child's is the
// mean count of the children of the longer run (each cycle starts one). The two runs of a pair run
// at once (2 CPUs). --keep DIR keeps the callgrind files (<build>-<peer>-<cycles>-<rep>.<pid>;
// `callgrind_annotate --inclusive=yes FILE` shows where a process spent them).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const o = { builds: [], peers: ['x-process', 'tinypool-cp'], cycles: 4, reps: 1, keep: undefined };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i];
  const value = argv[++i];
  if (flag === '--build') {
    const [name, path] = value.split('=');
    o.builds.push({ name, root: resolve(path) });
  } else if (flag === '--peers') o.peers = value.split(',');
  else if (flag === '--keep') o.keep = resolve(value);
  else if (flag === '--cycles' || flag === '--reps') o[flag.slice(2)] = Number(value);
  else throw new Error(`unknown argument ${flag}`);
}
if (o.builds.length === 0) o.builds.push({ name: 'this', root: resolve(here, '../../..') });
const dir = o.keep ?? mkdtempSync(join(tmpdir(), 'w5-callgrind-'));
mkdirSync(dir, { recursive: true });

/** Runs one process of `cycles` cycles under callgrind; resolves with { main, children } instruction counts. */
function counted(name, root, peer, cycles) {
  const out = join(dir, name);
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS; // read at every process start (see cli.mjs)
  const args = ['--tool=callgrind', '--trace-children=yes', `--callgrind-out-file=${out}.%p`];
  args.push(process.execPath, join(here, 'w5-cycle.mjs'), root, peer, String(cycles));
  return new Promise((resolvePromise, reject) => {
    const p = spawn('valgrind', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.resume();
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name}: valgrind exited ${String(code)}: ${stderr.slice(-2000)}`));
      const mainPid = /==(\d+)== Command: /.exec(stderr)?.[1];
      const counts = new Map();
      for (const file of readdirSync(dir).filter((f) => f.startsWith(`${name}.`))) {
        const summary = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'));
        if (summary === null) return reject(new Error(`${file}: no totals (the process was killed before it wrote them?)`));
        counts.set(file.slice(name.length + 1), Number(summary[1]));
      }
      const main = counts.get(mainPid);
      counts.delete(mainPid);
      if (main === undefined || counts.size !== cycles) return reject(new Error(`${name}: expected 1 main + ${String(cycles)} children, found ${String(counts.size + 1)} files`));
      if (o.keep === undefined) for (const file of readdirSync(dir).filter((f) => f.startsWith(`${name}.`))) rmSync(join(dir, file));
      resolvePromise({ main, children: [...counts.values()] });
    });
  });
}

const M = (n) => (n / 1e6).toFixed(1);
for (let rep = 1; rep <= o.reps; rep++) {
  for (const build of o.builds) {
    for (const peer of o.peers) {
      const tag = `${build.name}-${peer}`;
      const [many, one] = await Promise.all([counted(`${tag}-${String(o.cycles)}-${String(rep)}`, build.root, peer, o.cycles), counted(`${tag}-1-${String(rep)}`, build.root, peer, 1)]);
      const main = (many.main - one.main) / (o.cycles - 1);
      const child = many.children.reduce((a, b) => a + b, 0) / many.children.length;
      console.log(
        `${tag} rep ${String(rep)}: main ${M(main)}M/cycle + child ${M(child)}M = ${M(main + child)}M per cycle ` +
          `(children ${many.children.map(M).join(' ')}M; main ${M(many.main)}M for ${String(o.cycles)} cycles, ${M(one.main)}M for 1)`,
      );
    }
  }
}
if (o.keep === undefined) rmSync(dir, { recursive: true, force: true });
