// W4 by CPU time as well as wall clock: the CPU each peer spends per item of
// `executor.map(square, items, { chunksize })` (the bare loops: one squareChunk call per chunk,
// as W4 runs them), in fresh processes, for one or more builds of the monorepo side by side. On a
// shared machine W4's wall clock (tens of ms) moves with the load; CPU per item moves less.
//
//   node src/w4-cpu.mjs [--build name=/path/to/repo ...] [--peers x-thread,bare-thread,x-process,bare-fork]
//                       [--procs 7] [--bursts 4] [--n 200000] [--chunksize 1000] [--workers 2]
//                       [--pin CPUS] [--node-arg=--flag ...] [--json file]
// (peer `floor`: no pool, `for await` over a hand-written iterator of ready values, see floorAdapter;
// `x-local`: no pool, the build's map() iterator over futures already done, see localAdapter)
//
// Each process (one per build x peer, run in an order rotated every round: interleaved) does what
// W4 does: a pool of `workers` fixed workers, W4's warm-up (a map of 4 chunks), then `bursts` maps
// of `n` numbers, each collected into an array with `for await` and checked. Per burst it reads
// the CPU time of the main thread (/proc/self/task/<pid>/schedstat), of the pool's threads (thread
// peers), of the rest of this process (V8's GC and compiler threads, libuv's), of the whole process
// (process.cpuUsage()) and of the pool's child processes (process peers: every thread of each,
// /proc/<pid>/task/<tid>/schedstat). Reported in ns per item, medians over processes: burst 1
// (what W4 times) and the later bursts (each process's median of bursts 2..N), with items/s of
// the wall clock. `x-*` peers are the build's pools; the bare loops are this checkout's
// (src/adapters/bare.mjs), the same for every build (listed once).
// A child alone: `node src/w4-cpu.mjs --child /path/to/repo x-process 4 200000 1000 2` prints one JSON line.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitOf, entryOf } from './build-entry.mjs';
import { median, runInterleaved, scriptOptions } from './cpu-script.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const thisRepo = resolve(here, '../../..');
const PEERS = ['x-thread', 'bare-thread', 'x-process', 'bare-fork'];
const KNOWN = [...PEERS, 'floor', 'x-local'];

if (process.argv[2] === '--child') await child(process.argv.slice(3));
else main(process.argv.slice(2));

/** CPU ns so far of each thread of process `pid` ('self' for this one), by thread id. */
function threadsNs(pid = 'self') {
  const out = new Map();
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out; // exited
  }
  for (const tid of tids) {
    try {
      out.set(tid, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** The pids of this process's children (read from /proc: the pool forks them). */
function childPids() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.push(name);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Total CPU ns so far of the processes `pids`, every thread of each. */
function childrenNs(pids) {
  let ns = 0;
  for (const pid of pids) for (const v of threadsNs(pid).values()) ns += v;
  return ns;
}

/** CPU ns between two readings of this process's threads: [main, pool threads, the rest]. */
function splitNs(before, after, poolTids) {
  const d = [0, 0, 0];
  for (const [tid, ns] of after) {
    const k = tid === String(process.pid) ? 0 : poolTids.has(tid) ? 1 : 2;
    d[k] += ns - (before.get(tid) ?? 0);
  }
  return d;
}

/** Our pool of the build at `root` (what src/adapters/x-pool.mjs does for W4). */
async function xAdapter(root, runtime) {
  const { task } = await import(entryOf(root, 'future'));
  const Executor =
    runtime === 'thread'
      ? (await import(entryOf(root, 'thread-pool'))).ThreadPoolExecutor
      : (await import(entryOf(root, 'process-pool'))).ProcessPoolExecutor;
  const square = task(new URL('./tasks.mjs', import.meta.url), 'square');
  let ex;
  return {
    async open({ workers }) {
      ex = new Executor({ maxWorkers: workers, minWorkers: workers });
    },
    async map(_name, items, chunksize) {
      const out = [];
      for await (const r of ex.map(square, items, { chunksize })) out.push(r);
      return out;
    },
    close: () => ex.shutdown(),
  };
}

/**
 * No pool: `for await` over a hand-written iterator whose `next()` returns
 * `Promise.resolve({ value, done: false })` from `Float64Array`s of the squares, one per chunk,
 * made in open() (before the warm-up and the bursts): the floor of what any map's iterator costs
 * the main thread per item (the README's "plain `for await`" of W4's paragraph).
 */
function floorAdapter(n, chunksize) {
  const chunks = [];
  const iterate = (items) => {
    let values = new Float64Array(0);
    let index = 0;
    let next = 0;
    let left = items.length;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next() {
        if (index === values.length) {
          if (left === 0) return Promise.resolve({ value: undefined, done: true });
          values = chunks[next++].subarray(0, Math.min(chunksize, left));
          left -= values.length;
          index = 0;
        }
        return Promise.resolve({ value: values[index++], done: false });
      },
    };
  };
  return {
    async open() {
      for (let start = 0; start < n; start += chunksize) {
        const chunk = new Float64Array(Math.min(chunksize, n - start));
        for (let i = 0; i < chunk.length; i++) chunk[i] = (start + i) * (start + i);
        chunks.push(chunk);
      }
    },
    async map(_name, items) {
      const out = [];
      for await (const r of iterate(items)) out.push(r);
      return out;
    },
    close: () => Promise.resolve(),
  };
}

/**
 * No pool either: the build's `map()` iterator (its module in the build's dist) over futures that
 * already hold their chunk's squares, one `Float64Array` per chunk, made when the chunk is
 * submitted: what the iterator alone costs the main thread, against {@link floorAdapter}.
 */
async function localAdapter(root) {
  // openMap lives in open-map.js since 9cc7944, in map-iterator.js before it
  const iteratorModule = await import(resolve(root, 'packages/future/dist/map-iterator.js'));
  const { openMap } = iteratorModule.openMap === undefined
    ? await import(resolve(root, 'packages/future/dist/open-map.js'))
    : iteratorModule;
  const { Future } = await import(resolve(root, 'packages/future/dist/future.js'));
  const target = {
    submit() {
      throw new Error('x-local maps in chunks only');
    },
    submitChunk(count, [column]) {
      const future = new Future();
      const squares = new Float64Array(count);
      for (let i = 0; i < count; i++) squares[i] = column[i] * column[i];
      future.setResult(squares);
      return future;
    },
    hasRoom: () => true,
    onRoom: () => Promise.resolve(),
  };
  return {
    open: () => Promise.resolve(),
    async map(_name, items, chunksize) {
      const out = [];
      for await (const r of openMap(target, (x) => x * x, [items, { chunksize }])) out.push(r);
      return out;
    },
    close: () => Promise.resolve(),
  };
}

async function child([root, peer, burstsArg, nArg, chunksizeArg, workersArg]) {
  const [bursts, n, chunksize, workers] = [burstsArg, nArg, chunksizeArg, workersArg].map(Number);
  const runtime = peer.endsWith('thread') ? 'thread' : 'process';
  const ad =
    peer === 'floor'
      ? floorAdapter(n, chunksize)
      : peer === 'x-local'
        ? await localAdapter(root)
        : peer.startsWith('x-') ? await xAdapter(root, runtime) : (await import('./adapters/bare.mjs')).make({ runtime });
  // W4's mapAll (src/workloads.mjs)
  const mapAll = async (items) => {
    if (ad.map !== undefined) return ad.map('square', items, chunksize);
    const chunks = [];
    for (let i = 0; i < items.length; i += chunksize) chunks.push(items.slice(i, i + chunksize));
    return (await Promise.all(chunks.map((c) => ad.call('squareChunk', c)))).flat();
  };
  const check = (out, count) => {
    if (out.length !== count) throw new Error(`${peer}: ${out.length} results, expected ${count}`);
    for (let i = 0; i < count; i++) if (out[i] !== i * i) throw new Error(`${peer}: item ${i} squared to ${String(out[i])}`);
  };
  const threadsBefore = new Set(threadsNs().keys());
  await ad.open({ workers, fixed: true });
  const warm = Array.from({ length: 4 * chunksize }, (_, i) => i);
  check(await mapAll(warm), warm.length);
  const poolTids = new Set([...threadsNs().keys()].filter((tid) => !threadsBefore.has(tid)));
  const kids = runtime === 'process' ? childPids() : [];
  const rows = [];
  for (let b = 0; b < bursts; b++) {
    const items = Array.from({ length: n }, (_, i) => i);
    const th0 = threadsNs();
    const k0 = childrenNs(kids);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const from = process.hrtime.bigint();
    const out = await mapAll(items);
    const to = process.hrtime.bigint();
    const ms = performance.now() - t0;
    const c1 = process.cpuUsage(c0);
    const kidsNs = childrenNs(kids) - k0;
    const [mainNs, poolNs, otherNs] = splitNs(th0, threadsNs(), poolTids);
    check(out, n);
    rows.push({ ms, mainNs, poolNs, otherNs, procNs: (c1.user + c1.system) * 1000, userNs: c1.user * 1000, systemNs: c1.system * 1000, kidsNs, span: [String(from), String(to)] });
  }
  await ad.close();
  process.stdout.write(`${JSON.stringify({ kids: kids.length, pid: process.pid, kidPids: kids, rows })}\n`);
}

function main(argv) {
  const o = scriptOptions(
    argv,
    { builds: [], peers: PEERS, procs: 7, bursts: 4, n: 200_000, chunksize: 1000, workers: 2, pin: undefined, nodeArgs: [], json: undefined },
    { thisRepo, lists: ['peers'], numbers: ['procs', 'bursts', 'n', 'chunksize', 'workers'] },
  );
  for (const peer of o.peers) if (!KNOWN.includes(peer)) throw new Error(`unknown peer ${peer}`);
  // our pools once per build; the bare loops once (this checkout's adapter)
  const kinds = o.peers.flatMap((peer) =>
    (peer.startsWith('x-') ? o.builds : [{ name: '-', root: thisRepo }]).map((build) => ({
      build,
      peer,
      key: peer.startsWith('x-') ? `${peer} ${build.name} (${commitOf(build.root)})` : peer,
      runs: [],
    })),
  );
  const script = fileURLToPath(import.meta.url);
  const started = Date.now();
  runInterleaved(kinds, { ...o, cwd: here }, (kind) => [script, '--child', kind.build.root, kind.peer, String(o.bursts), String(o.n), String(o.chunksize), String(o.workers)]);
  for (const kind of kinds) kind.runs = kind.runs.map((r) => r.rows);
  const perItem = (ns) => ns / o.n; // ns per item
  const itemsPerSec = (row) => o.n / (row.ms / 1000);
  // total: this process and its children
  const keys = ['mainNs', 'poolNs', 'otherNs', 'procNs', 'kidsNs', 'totalNs'];
  const value = (row, key) => (key === 'totalNs' ? row.procNs + row.kidsNs : row[key]);
  const summary = kinds.map((kind) => ({
    key: kind.key,
    burst1: [...keys.map((key) => median(kind.runs.map((rows) => perItem(value(rows[0], key))))), median(kind.runs.map((rows) => itemsPerSec(rows[0])))],
    later:
      o.bursts > 1
        ? [...keys.map((key) => median(kind.runs.map((rows) => median(rows.slice(1).map((row) => perItem(value(row, key))))))), median(kind.runs.map((rows) => median(rows.slice(1).map(itemsPerSec))))]
        : undefined,
  }));
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `W4 CPU per item (ns, median of ${o.procs} processes per row; ${o.n} items in chunks of ${o.chunksize} per burst, ${o.bursts} bursts per process, ${o.workers} workers${o.pin === undefined ? '' : `, taskset -c ${o.pin}`}); ${Math.round((Date.now() - started) / 1000)} s, load at the end ${load}`,
  );
  const cells = (x) => (x === undefined ? Array(7).fill('-') : x.map((v, i) => (i === 6 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1))));
  console.log('| peer | burst 1: main | threads | other | process | children | total | items/s | bursts 2+: main | threads | other | process | children | total | items/s |');
  console.log(`| --- |${' ---: |'.repeat(14)}`);
  for (const s of summary) console.log(`| ${s.key} | ${[...cells(s.burst1), ...cells(s.later)].join(' | ')} |`);
  console.log(
    "(main: the main thread; threads: the pool's worker threads; other: the rest of the process, V8's GC and compiler threads and libuv's; process: process.cpuUsage(); children: the pool's child processes, all their threads; total: process + children; items/s: wall clock)",
  );
  if (o.json !== undefined) writeFileSync(o.json, `${JSON.stringify({ options: o, summary, runs: kinds.map((k) => ({ key: k.key, runs: k.runs })) }, null, 1)}\n`);
}
