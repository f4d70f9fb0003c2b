// W2, looked into (Linux only): one peer's 2,000 sequential round trips in this process, after
// the same 100 warm-up calls as the bench's W2, printed as the p50 of every 200 calls in order
// (how the latency falls as V8 optimizes the path), with the CPU the main thread and the worker
// thread spent per round trip (from /proc/self/task/*/schedstat) and the vCPU each ran on last.
// `--place same` pins both threads to CPU 1, `--place split` the main thread to CPU 0 and the
// worker to CPU 1 (taskset, after 200 more calls that find the worker thread): the two ways the
// scheduler can place them, measured apart.
//
//   node src/w2-probe.mjs --peer x-thread|piscina|bare-thread [--place same|split] [--segments 10]
//
// Not part of the bench run: a diagnostic for the bench README's W2 notes.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { peer: { type: 'string', default: 'x-thread' }, place: { type: 'string' }, segments: { type: 'string', default: '10' } },
});
const SEGMENT = 200;
const segments = Number(args.segments);
if (!['x-thread', 'piscina', 'bare-thread'].includes(args.peer)) throw new Error(`--peer: x-thread, piscina or bare-thread, got ${args.peer}`);
if (args.place !== undefined && args.place !== 'same' && args.place !== 'split') throw new Error(`--place: same or split, got ${args.place}`);

/** This process's threads: tid, on-CPU nanoseconds, the CPU it ran on last. */
function threads() {
  const out = [];
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      out.push({ tid, ns, cpu: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[36]) });
    } catch {
      // (a thread that ended meanwhile)
    }
  }
  return out;
}

/** The thread other than the main one that ran longest between two snapshots. */
function busiest(before, after, mainTid) {
  const was = new Map(before.map((t) => [t.tid, t.ns]));
  return after.filter((t) => t.tid !== mainTid).sort((a, b) => b.ns - (was.get(b.tid) ?? 0) - (a.ns - (was.get(a.tid) ?? 0)))[0];
}

const adapter =
  args.peer === 'x-thread'
    ? (await import('./adapters/x-pool.mjs')).make({ runtime: 'thread' })
    : args.peer === 'piscina'
      ? (await import('./adapters/piscina.mjs')).make()
      : (await import('./adapters/bare.mjs')).make({ runtime: 'thread' });
const ad = await adapter;
await ad.open({ workers: 1, fixed: true });
for (let i = 0; i < 100; i++) await ad.call('inc', i);
const mainTid = String(process.pid);
if (args.place !== undefined) {
  const before = threads();
  for (let i = 0; i < 200; i++) await ad.call('inc', i);
  const worker = busiest(before, threads(), mainTid);
  execFileSync('taskset', ['-p', '-c', args.place === 'same' ? '1' : '0', mainTid], { stdio: 'ignore' });
  execFileSync('taskset', ['-p', '-c', '1', worker.tid], { stdio: 'ignore' });
}
const all = [];
const parts = [];
const start = threads();
let workerTid;
for (let s = 0; s < segments; s++) {
  const lat = new Float64Array(SEGMENT);
  const before = threads();
  for (let i = 0; i < SEGMENT; i++) {
    const t0 = performance.now();
    const r = await ad.call('inc', i);
    lat[i] = performance.now() - t0;
    if (r !== i + 1) throw new Error(`call ${i} returned ${r}`);
  }
  const after = threads();
  workerTid ??= busiest(before, after, mainTid).tid;
  all.push(...lat);
  lat.sort();
  const cpu = (tid) => after.find((t) => t.tid === tid)?.cpu ?? '?';
  parts.push(`${(lat[SEGMENT / 2] * 1000).toFixed(0)}@${cpu(mainTid)}${cpu(workerTid)}`);
}
const end = threads();
await ad.close();
all.sort((a, b) => a - b);
const n = all.length;
const spent = (tid) => ((end.find((t) => t.tid === tid)?.ns ?? 0) - (start.find((t) => t.tid === tid)?.ns ?? 0)) / n / 1000;
console.log(
  `${args.peer} ${args.place ?? 'unpinned'}: p50 ${(all[n >> 1] * 1000).toFixed(1)} µs; CPU per round trip: main ${spent(mainTid).toFixed(1)} µs, worker ${spent(workerTid).toFixed(1)} µs; ` +
    `p50 per ${SEGMENT} calls @ main,worker CPU: ${parts.join(' ')}`,
);
