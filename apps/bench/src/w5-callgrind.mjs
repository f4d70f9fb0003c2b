// W5 in instructions: what one W5 cycle (create a pool, get one result, shut down) costs in all of
// the process's threads together, counted by valgrind's callgrind (load-independent, unlike any
// clock on a shared machine).
//
//   node src/w5-callgrind.mjs [--build name=/path/to/repo ...] [--peers x-thread,piscina]
//                             [--cycles 6] [--minus 1] [--reps 1] [--keep DIR] [--node-arg FLAG ...]
//
// For every build and peer it runs this file's child (the peer's adapter of that build, one
// warm-up cycle, then `cycles` W5 cycles) twice under `valgrind --tool=callgrind`: once with
// `cycles` cycles and once with `minus`; the difference of the two runs' instruction counts (all
// threads: the main thread, the pool's threads, V8's and libuv's), divided by `cycles - minus`, is
// the cost of one cycle (process start, imports and the warm-up cancel out). The two runs of a
// pair run at once (2 CPUs). --keep DIR keeps the callgrind files (`--separate-threads=yes`:
// one file per thread; `callgrind_annotate DIR/<file>` shows a thread by function).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

if (process.argv[2] === '--child') {
  // child: <root> <peer> <cycles>
  const [root, peerId, cycles] = process.argv.slice(3);
  const { PEERS } = await import(pathToFileURL(join(root, 'apps/bench/src/peers.mjs')).href);
  const peer = PEERS.find((p) => p.id === peerId);
  if (peer === undefined) throw new Error(`unknown peer ${peerId}`);
  const adapter = await peer.load();
  for (let c = 0; c < 1 + Number(cycles); c++) {
    await adapter.open({ workers: 2, fixed: false });
    const r = await adapter.call('inc', 41);
    if (r !== 42) throw new Error(`wrong result ${String(r)}`);
    await adapter.close();
  }
} else {
  const o = { builds: [], peers: ['x-thread', 'piscina'], cycles: 6, minus: 1, reps: 1, keep: undefined, nodeArgs: [] };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (flag === '--build') {
      const [name, path] = value.split('=');
      o.builds.push({ name, root: resolve(path) });
    } else if (flag === '--peers') o.peers = value.split(',');
    else if (flag === '--keep') o.keep = resolve(value);
    else if (flag === '--node-arg') o.nodeArgs.push(value);
    else if (['--cycles', '--minus', '--reps'].includes(flag)) o[flag.slice(2)] = Number(value);
    else throw new Error(`unknown argument ${flag}`);
  }
  if (o.builds.length === 0) o.builds.push({ name: 'this', root: resolve(here, '../../..') });

  const dir = o.keep ?? mkdtempSync(join(tmpdir(), 'w5-callgrind-'));
  mkdirSync(dir, { recursive: true });

  /** Runs one child under callgrind; resolves with the instruction count of all its threads. */
  const counted = (name, root, peer, cycles) => {
    const out = join(dir, name);
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS; // read at every process start (see cli.mjs)
    const args = ['--tool=callgrind', '--trace-children=no', '--separate-threads=yes', `--callgrind-out-file=${out}`];
    args.push(process.execPath, ...o.nodeArgs, fileURLToPath(import.meta.url), '--child', root, peer, String(cycles));
    return new Promise((resolvePromise, reject) => {
      const p = spawn('valgrind', args, { env, cwd: join(root, 'apps/bench'), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      p.stdout.resume();
      p.on('close', (code) => {
        if (code !== 0) return reject(new Error(`${name}: valgrind exited ${String(code)}: ${stderr.slice(-2000)}`));
        let total = 0;
        for (const f of readdirSync(dir).filter((f) => f.startsWith(`${name}-`))) {
          const summary = /^summary: (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'));
          if (summary !== null) total += Number(summary[1]);
        }
        resolvePromise(total);
      });
    });
  };

  const rows = [];
  for (let rep = 0; rep < o.reps; rep++) {
    for (const build of o.builds) {
      for (const peer of o.peers) {
        const base = `${build.name}-${peer}-${rep}`;
        const [withCycles, without] = await Promise.all([counted(`${base}-c${o.cycles}`, build.root, peer, o.cycles), counted(`${base}-c${o.minus}`, build.root, peer, o.minus)]);
        const perCycle = (withCycles - without) / (o.cycles - o.minus);
        rows.push({ build: build.name, peer, rep, perCycle });
        process.stderr.write(`${build.name} ${peer} rep ${rep + 1}: ${(perCycle / 1e6).toFixed(1)}M instructions per cycle\n`);
      }
    }
  }
  console.log(`W5 instructions per cycle, all threads (callgrind; ${o.cycles} cycles minus ${o.minus}, after one warm-up; ${o.reps} rep(s)${o.nodeArgs.length > 0 ? `; node ${o.nodeArgs.join(' ')}` : ''})`);
  for (const build of o.builds) {
    for (const peer of o.peers) {
      const xs = rows.filter((r) => r.build === build.name && r.peer === peer).map((r) => (r.perCycle / 1e6).toFixed(1));
      console.log(`  ${build.name} ${peer}: ${xs.join(' / ')}M`);
    }
  }
  if (o.keep === undefined) rmSync(dir, { recursive: true, force: true });
}
