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
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const child = join(here, 'w8-cpu.mjs');

const o = { builds: [], sides: ['off', 'on'], bursts: 1, n: 20_000, warmup: 1000, reps: 1, keep: undefined, nodeArgs: [], minus: 0 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i];
  const value = argv[++i];
  if (flag === '--build') {
    const [name, path] = value.split('=');
    o.builds.push({ name, root: resolve(path) });
  } else if (flag === '--sides') o.sides = value.split(',');
  else if (flag === '--keep') o.keep = resolve(value);
  else if (flag === '--node-arg') o.nodeArgs.push(value);
  else if (['--bursts', '--n', '--reps', '--warmup', '--minus'].includes(flag)) o[flag.slice(2)] = Number(value);
  else throw new Error(`unknown argument ${flag}`);
}
if (o.builds.length === 0) o.builds.push({ name: 'this', root: resolve(here, '../../..') });

const dir = o.keep ?? mkdtempSync(join(tmpdir(), 'w8-callgrind-'));
mkdirSync(dir, { recursive: true });

/** Runs one child under callgrind; resolves with the main thread's instruction count. */
function counted(name, root, side, bursts) {
  const out = join(dir, name);
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS; // read at every process start (see cli.mjs)
  const args = ['--tool=callgrind', '--trace-children=no', '--separate-threads=yes', `--callgrind-out-file=${out}`];
  args.push(process.execPath, ...o.nodeArgs, child, '--child', root, side, String(bursts), String(o.n), String(o.warmup), '2');
  return new Promise((resolvePromise, reject) => {
    const p = spawn('valgrind', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.resume();
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name}: valgrind exited ${String(code)}: ${stderr.slice(-2000)}`));
      // thread 1 is the main thread
      const main = readdirSync(dir).find((f) => f === `${name}-01`);
      if (main === undefined) return reject(new Error(`${name}: no main-thread file`));
      const summary = /^summary: (\d+)/m.exec(readFileSync(join(dir, main), 'utf8'));
      if (summary === null) return reject(new Error(`${name}: no summary`));
      resolvePromise(Number(summary[1]));
    });
  });
}

const rows = [];
for (let rep = 0; rep < o.reps; rep++) {
  for (const build of o.builds) {
    for (const side of o.sides) {
      const base = `${build.name}-${side}-${rep}`;
      const [withBursts, without] = await Promise.all([counted(`${base}-b${o.bursts}`, build.root, side, o.bursts), counted(`${base}-b${o.minus}`, build.root, side, o.minus)]);
      const perTask = (withBursts - without) / ((o.bursts - o.minus) * o.n);
      rows.push({ build: build.name, side, rep, perTask });
      process.stderr.write(`${build.name} ${side} rep ${rep + 1}: ${perTask.toFixed(0)} instructions per task\n`);
    }
  }
}
console.log(`W8 main-thread instructions per task (callgrind; ${o.bursts} burst(s) of ${o.n} tasks minus ${o.minus === 0 ? 'none' : String(o.minus)}; ${o.reps} rep(s), median${o.nodeArgs.length > 0 ? `; node ${o.nodeArgs.join(' ')}` : ''})`);
for (const build of o.builds) {
  const of = (side) => {
    const xs = rows.filter((r) => r.build === build.name && r.side === side).map((r) => r.perTask).sort((a, b) => a - b);
    return xs[xs.length >> 1];
  };
  const off = of('off');
  const cells = o.sides.map((side) => `${side} ${of(side).toFixed(0)}${side === 'off' ? '' : ` (${((of(side) / off - 1) * 100).toFixed(1)} %)`}`);
  console.log(`  ${build.name}: ${cells.join(', ')}`);
}
if (o.keep === undefined) rmSync(dir, { recursive: true, force: true });
