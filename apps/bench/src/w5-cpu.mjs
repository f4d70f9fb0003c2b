// W5 in CPU time and wall time, side by side: fresh processes, interleaved (cpu-script.mjs).
//
//   node src/w5-cpu.mjs [--build name=/path/to/repo ...] [--peers x-process,tinypool-cp] [--procs 15]
//                       [--cycles 6] [--pin CPUS] [--node-arg FLAG ...] [--json FILE]
//
// Each process (`--child`) loads the peer's adapter from <repo root>/apps/bench (that build's
// packages) and runs `cycles` W5 cycles (create a pool of 2, one `inc(41)`, shut down and wait).
// It reports the median wall time of its cycles after the first, and the CPU time those cycles
// took in it and in the children it started (Linux: /proc/self/stat's utime + stime + cutime +
// cstime, 10 ms ticks, over `cycles - 1` cycles; a process pool's child is reaped, so counted, by
// the time its pool's shutdown resolves). Printed: per build and peer, the medians over the
// processes of both, per cycle. CPU time moves less with the machine's load than wall time does;
// neither is load-independent (src/w5-callgrind.mjs is).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, runInterleaved, scriptOptions } from './cpu-script.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

/** utime + stime + cutime + cstime of this process, in ms. */
function treeCpuMs() {
  // (the fields after the command's closing parenthesis: utime is the 12th of them)
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10;
}

if (process.argv[2] === '--child') {
  const [root, peer, cycles] = process.argv.slice(3);
  const { PEER } = await import(pathToFileURL(join(root, 'apps/bench/src/peers.mjs')).href);
  const adapter = await PEER.get(peer).load();
  const walls = [];
  let cpuFrom = 0;
  for (let c = 0; c < Number(cycles); c++) {
    if (c === 1) cpuFrom = treeCpuMs();
    const t0 = performance.now();
    await adapter.open({ workers: 2, fixed: false });
    const r = await adapter.call('inc', 41);
    await adapter.close();
    if (c > 0) walls.push(performance.now() - t0);
    if (r !== 42) throw new Error(`inc(41) returned ${String(r)}`);
  }
  console.log(JSON.stringify({ wallMs: median(walls), cpuMs: (treeCpuMs() - cpuFrom) / (Number(cycles) - 1) }));
} else {
  const o = scriptOptions(
    process.argv.slice(2),
    { builds: [], peers: ['x-process', 'tinypool-cp'], procs: 15, cycles: 6, nodeArgs: [], pin: undefined, json: undefined },
    { thisRepo: fileURLToPath(new URL('../../..', import.meta.url)), lists: ['peers'], numbers: ['procs', 'cycles'] },
  );
  const kinds = o.builds.flatMap((build) => o.peers.map((peer) => ({ key: `${build.name}-${peer}`, build, peer, env: build.env, runs: [] })));
  runInterleaved(kinds, { procs: o.procs, pin: o.pin, nodeArgs: o.nodeArgs, cwd: here }, (kind) => [join(here, 'w5-cpu.mjs'), '--child', kind.build.root, kind.peer, String(o.cycles)]);
  const rows = kinds.map((kind) => ({ key: kind.key, wallMs: median(kind.runs.map((r) => r.wallMs)), cpuMs: median(kind.runs.map((r) => r.cpuMs)), runs: kind.runs }));
  for (const row of rows) console.log(`${row.key}: wall ${row.wallMs.toFixed(1)} ms, CPU ${row.cpuMs.toFixed(1)} ms per cycle (medians of ${String(row.runs.length)} processes)`);
  if (o.json !== undefined) writeFileSync(o.json, JSON.stringify(rows, null, 2));
}
