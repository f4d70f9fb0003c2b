// W4's main thread off the CPU, per burst: how long it ran, how long it was preempted (runnable
// while other threads held both cores) and how long it slept (waiting for results), and who ran
// while it was preempted: the pool's child processes, their other threads (V8's compiler and GC
// threads), this process's other threads (its own compiler and GC threads, the pool's threads),
// other processes. From the scheduler's own record: `perf record -e sched:sched_switch -a`
// around each fresh process of src/w4-cpu.mjs's child (the same W4 bursts it measures by CPU).
//
//   node src/w4-sched.mjs [--build name=/path/to/repo ...] [--peers x-process,bare-fork,x-thread]
//                         [--procs 5] [--bursts 3] [--n 200000] [--chunksize 1000] [--workers 2] [--pin CPUS] [--json file]
//
// Needs `perf` and the sched tracepoints (root, or kernel.perf_event_paranoid <= -1); says so when
// they are missing. Reported in ms, medians over processes: burst 1 (what W4 times) and the later
// bursts (each process's median of bursts 2..N).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitOf } from './build-entry.mjs';
import { median, scriptOptions } from './cpu-script.mjs';
import { offCpu, parseSwitches, runIntervals } from './sched-timeline.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const thisRepo = resolve(here, '../../..');
const PEERS = ['x-process', 'bare-fork', 'x-thread', 'bare-thread'];
const CPU_SCRIPT = join(here, 'w4-cpu.mjs');
const COLUMNS = ['ms', 'onMs', 'preemptedMs', 'asleepMs', 'kidsMs', 'kidThreadsMs', 'ownThreadsMs', 'othersMs'];

const o = scriptOptions(
  process.argv.slice(2),
  { builds: [], peers: ['x-process', 'bare-fork'], procs: 5, bursts: 3, n: 200_000, chunksize: 1000, workers: 2, pin: undefined, nodeArgs: [], json: undefined },
  { thisRepo, lists: ['peers'], numbers: ['procs', 'bursts', 'n', 'chunksize', 'workers'] },
);
for (const peer of o.peers) if (!PEERS.includes(peer)) throw new Error(`unknown peer ${peer} (known: ${PEERS.join(', ')})`);
checkPerf();

const kinds = o.peers.flatMap((peer) =>
  (peer.startsWith('x-') ? o.builds : [{ name: '-', root: thisRepo, env: {} }]).map((build) => ({
    build,
    peer,
    key: peer.startsWith('x-') ? `${peer} ${build.name} (${commitOf(build.root)})` : peer,
    runs: [],
  })),
);
const dir = mkdtempSync(join(tmpdir(), 'w4-sched-'));
const started = Date.now();
try {
  for (let round = 0; round < o.procs; round++) {
    for (const kind of kinds.map((_, k) => kinds[(k + round) % kinds.length])) kind.runs.push(measure(kind));
    process.stderr.write(`round ${round + 1}/${o.procs} done\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (v) => (v === undefined ? '-' : v.toFixed(1));
const summary = kinds.map((kind) => ({
  key: kind.key,
  burst1: COLUMNS.map((c) => median(kind.runs.map((bursts) => bursts[0][c]))),
  later: o.bursts > 1 ? COLUMNS.map((c) => median(kind.runs.map((bursts) => median(bursts.slice(1).map((b) => b[c]))))) : undefined,
}));
console.log(
  `W4's main thread on and off the CPU (ms, median of ${o.procs} processes per row; ${o.n} items in chunks of ${o.chunksize}, ${o.bursts} bursts per process, ${o.workers} workers); ${Math.round((Date.now() - started) / 1000)} s`,
);
const head = ['ran', 'preempted', 'asleep', 'meanwhile: children', "children's other threads", "this process's other threads", 'other processes'];
console.log(`| peer | burst 1: burst | ${head.join(' | ')} | bursts 2+: burst | ${head.join(' | ')} |`);
console.log(`| --- |${' ---: |'.repeat(COLUMNS.length * 2)}`);
for (const s of summary) console.log(`| ${s.key} | ${s.burst1.map(fmt).join(' | ')} | ${(s.later ?? COLUMNS.map(() => undefined)).map(fmt).join(' | ')} |`);
console.log(
  "(burst: its wall clock; ran / preempted / asleep: the main thread's time on the CPU, runnable but off it, and waiting; meanwhile: CPU time other threads had while the main thread was preempted, summed over the cores)",
);
if (o.json !== undefined) writeFileSync(o.json, `${JSON.stringify({ options: o, summary, runs: kinds.map((k) => ({ key: k.key, runs: k.runs })) }, null, 1)}\n`);

/** One fresh process of w4-cpu.mjs's child under `perf record`: its bursts, each split as above. */
function measure(kind) {
  const data = join(dir, 'perf.data');
  const args = ['record', '-q', '-e', 'sched:sched_switch', '-a', '-k', 'CLOCK_MONOTONIC', '-o', data, '--', ...(o.pin === undefined ? [] : ['taskset', '-c', o.pin]), process.execPath, ...o.nodeArgs, CPU_SCRIPT, '--child', kind.build.root, kind.peer, String(o.bursts), String(o.n), String(o.chunksize), String(o.workers)];
  const env = { ...process.env, ...kind.build.env };
  delete env.NODE_EXTRA_CA_CERTS; // read at every process start (see cli.mjs)
  const r = spawnSync('perf', args, { encoding: 'utf8', env, cwd: here, timeout: 300_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${kind.key}: perf record failed (${String(r.status ?? r.signal)}): ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1));
  const script = spawnSync('perf', ['script', '-i', data, '-F', 'pid,tid,time,trace'], { encoding: 'utf8', maxBuffer: 512 << 20 });
  if (script.status !== 0) throw new Error(`${kind.key}: perf script failed: ${script.stderr}`);
  const switches = parseSwitches(script.stdout);
  const { ran, processOf } = runIntervals(switches);
  const kids = new Set(result.kidPids.map(Number));
  return result.rows.map((row) => {
    const [from, to] = row.span.map(Number);
    const split = offCpu(switches, result.pid, from, to, ran);
    const meanwhile = { kidsMs: 0, kidThreadsMs: 0, ownThreadsMs: 0, othersMs: 0 };
    for (const [tid, ns] of split.byThread) {
      const pid = processOf.get(tid);
      const key = kids.has(pid) ? (tid === pid ? 'kidsMs' : 'kidThreadsMs') : pid === result.pid ? 'ownThreadsMs' : 'othersMs';
      meanwhile[key] += ns / 1e6;
    }
    return { ms: row.ms, onMs: split.onNs / 1e6, preemptedMs: split.preemptedNs / 1e6, asleepMs: split.asleepNs / 1e6, ...meanwhile };
  });
}

function checkPerf() {
  const probe = spawnSync('perf', ['record', '-q', '-e', 'sched:sched_switch', '-a', '-o', '/dev/null', '--', 'true'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error !== undefined ? `perf not found (${probe.error.code ?? probe.error.message})` : probe.stderr.trim().split('\n').slice(0, 2).join(' ');
    console.error(
      `w4-sched needs perf and its sched tracepoints: perf record -e sched:sched_switch -a failed: ${why}. ` +
        'Install perf (linux-tools) and run as root, or set kernel.perf_event_paranoid to -1.',
    );
    process.exit(1);
  }
}
