// W1-W8: what each workload runs, on which peers, with which sizes, what it reports, and how its
// result is checked. `run` executes in the fresh child process (src/child.mjs); everything else is
// used by the runner (src/cli.mjs).
import { performance } from 'node:perf_hooks';
import { growthSizes, growthWorkloads } from './growth.mjs';
import { spin } from './tasks.mjs';

const POOLS = ['x-thread', 'piscina', 'tinypool', 'workerpool', 'poolifier', 'bare-thread', 'py-thread', 'x-process', 'tinypool-cp', 'workerpool-proc', 'bare-fork', 'py-process'];
const NODE_POOLS = POOLS.filter((id) => !id.startsWith('py-'));
const THREAD_POOLS = ['x-thread', 'piscina', 'tinypool', 'workerpool', 'poolifier', 'bare-thread'];

/** Doubles in one MiB. */
const F64_PER_MIB = (1024 * 1024) / 8;
/** Sum of the W6 array number k: every value 0..1023 appears F64_PER_MIB/1024 times, plus k each. */
const w6Sum = (k) => (F64_PER_MIB / 1024) * ((1023 * 1024) / 2) + F64_PER_MIB * k;
const seedOf = (k) => k * 7919 + 1;

/** Full sizes (the issue's). */
const FULL = {
  W1: { n: 20_000, warmup: 1000, workers: 2 },
  W2: { n: 2000, warmup: 100 },
  W3: { tasks: 16, ms: 40, workers: 2, reps: 2 },
  W4: { n: 200_000, chunksize: 1000, workers: 2 },
  W5: { cycles: 5, workers: 2 },
  W6c: { count: 200, workers: 2 },
  W6t: { count: 200, workers: 2 },
  W7: { n: 100_000, warmup: 1000, concurrency: 8 },
  W8: { n: 20_000, warmup: 1000, workers: 2 },
};
/** The smoke run's changes: tiny sizes, same code paths. */
const QUICK = {
  W1: { n: 2000, warmup: 100 },
  W2: { n: 200, warmup: 20 },
  W3: { tasks: 4, ms: 5, reps: 1 },
  W4: { n: 20_000 },
  W5: { cycles: 1 },
  W6c: { count: 20 },
  W6t: { count: 20 },
  W7: { n: 10_000, warmup: 100 },
  W8: { n: 2000, warmup: 100 },
};

/** Sizes per workload (a fresh copy: the runner adds calibrated values). */
export function sizes(quick) {
  return {
    ...Object.fromEntries(Object.entries(FULL).map(([id, p]) => [id, { ...p, ...(quick ? QUICK[id] : {}) }])),
    ...growthSizes(quick),
  };
}

const sumRange = (n) => (n * (n + 1)) / 2; // 1 + 2 + ... + n

/**
 * @typedef {{ key: string, unit: string, better: 'higher' | 'lower', digits?: number }} Metric
 * @typedef {{ id: string, title: (p: any) => string, how: string, peers: string[], reference: string,
 *   metrics: Metric[], expected: (p: any, result: any) => number, run: (adapter: any, p: any) => Promise<{ metrics: Record<string, number>, checksum: number, extra?: any }> }} Workload
 */

/** @type {Workload[]} */
export const WORKLOADS = [
  {
    id: 'W1',
    title: (p) => `${p.n.toLocaleString('en-US')} tiny tasks on ${p.workers} workers`,
    how: 'submit every task at once (x => x + 1), await them all; tasks/s over the timed batch, after a warm-up batch on the same pool',
    peers: POOLS,
    reference: 'piscina',
    metrics: [{ key: 'tasksPerSec', unit: 'tasks/s', better: 'higher' }],
    expected: (p) => sumRange(p.n),
    run: (ad, p) => burst(ad, p, { workers: p.workers, fixed: true }, (i) => ad.call('inc', i)),
  },
  {
    id: 'W2',
    title: (p) => `${p.n.toLocaleString('en-US')} sequential round trips on 1 worker`,
    how: 'submit one task (x => x + 1), await it, submit the next; latency of each round trip after a warm-up',
    peers: POOLS,
    reference: 'piscina',
    metrics: [
      { key: 'p50Us', unit: 'µs p50', better: 'lower', digits: 1 },
      { key: 'p99Us', unit: 'µs p99', better: 'lower', digits: 1 },
    ],
    expected: (p) => sumRange(p.n),
    async run(ad, p) {
      await ad.open({ workers: 1, fixed: true });
      for (let i = 0; i < p.warmup; i++) check((await ad.call('inc', i)) === i + 1, `warm-up task ${i} returned a wrong result`);
      const lat = new Float64Array(p.n);
      let checksum = 0;
      for (let i = 0; i < p.n; i++) {
        const t0 = performance.now();
        const r = await ad.call('inc', i);
        lat[i] = performance.now() - t0;
        check(r === i + 1, `task ${i} returned ${String(r)}, expected ${i + 1}`);
        checksum += r;
      }
      await ad.close();
      lat.sort();
      return { metrics: { p50Us: quantile(lat, 0.5) * 1000, p99Us: quantile(lat, 0.99) * 1000 }, checksum };
    },
  },
  {
    id: 'W3',
    title: (p) => `${p.tasks} CPU-bound tasks of ~${p.ms} ms on ${p.workers} workers`,
    how: 'the same tasks run in a row on the main thread before the pool exists (CPU time, best of 2), then all at once on the pool (wall time, best of 2); speedup = time in a row / time on the pool. The spin count is calibrated once per run, so every Node peer does identical work',
    peers: POOLS,
    reference: 'piscina',
    metrics: [{ key: 'speedup', unit: 'x speedup', better: 'higher', digits: 2 }],
    expected: (p, result) => spinChecksum(p.tasks, result.extra?.n ?? p.n),
    async run(ad, p) {
      const args = Array.from({ length: p.tasks }, (_, k) => [seedOf(k), p.n]);
      // In a row: the CPU time of the main thread (no pool exists yet, so nothing else of this
      // process runs), because on a shared machine the wall time of a long serial run is hostage
      // to other load. Best of `reps`: other load only ever slows a run down.
      let serialMs = Infinity;
      let serial = [];
      for (let rep = 0; rep < p.reps; rep++) {
        const c0 = process.cpuUsage();
        serial = args.map((a) => spin(a));
        const c = process.cpuUsage(c0);
        serialMs = Math.min(serialMs, (c.user + c.system) / 1000);
      }
      await ad.open({ workers: p.workers, fixed: true });
      const warm = Array.from({ length: p.workers * 2 }, (_, k) => [seedOf(k), Math.ceil(p.n / 20)]);
      const warmRes = await Promise.all(warm.map((a) => ad.call('spin', a)));
      warm.forEach((a, k) => check(warmRes[k] === spin(a), `warm-up spin ${k} returned a wrong result`));
      let poolMs = Infinity;
      let checksum = 0;
      for (let rep = 0; rep < p.reps; rep++) {
        const t0 = performance.now();
        const parallel = await Promise.all(args.map((a) => ad.call('spin', a)));
        poolMs = Math.min(poolMs, performance.now() - t0);
        checksum = 0;
        parallel.forEach((r, k) => {
          check(r === serial[k], `spin task ${k} returned ${String(r)}, expected ${serial[k]}`);
          checksum += r;
        });
      }
      await ad.close();
      return { metrics: { speedup: serialMs / poolMs, serialMs, poolMs }, checksum };
    },
  },
  {
    id: 'W4',
    title: (p) => `squaring ${p.n.toLocaleString('en-US')} numbers, map with chunksize ${p.chunksize}`,
    how: 'our pools (and Python): executor.map(square, items, { chunksize }); peers without a chunked map: the natural equivalent, the items cut by hand into chunks of the same size, one squareChunk task per chunk, results concatenated in order',
    peers: POOLS,
    reference: 'piscina',
    metrics: [{ key: 'itemsPerSec', unit: 'items/s', better: 'higher' }],
    expected: (p) => ((p.n - 1) * p.n * (2 * p.n - 1)) / 6,
    async run(ad, p) {
      await ad.open({ workers: p.workers, fixed: true });
      const mapAll = async (items) => {
        if (ad.map !== undefined) return ad.map('square', items, p.chunksize);
        const chunks = [];
        for (let i = 0; i < items.length; i += p.chunksize) chunks.push(items.slice(i, i + p.chunksize));
        return (await Promise.all(chunks.map((c) => ad.call('squareChunk', c)))).flat();
      };
      const warm = Array.from({ length: 4 * p.chunksize }, (_, i) => i);
      checkSquares(await mapAll(warm), warm.length);
      const items = Array.from({ length: p.n }, (_, i) => i);
      const t0 = performance.now();
      const out = await mapAll(items);
      const ms = performance.now() - t0;
      await ad.close();
      return { metrics: { itemsPerSec: p.n / (ms / 1000) }, checksum: checkSquares(out, p.n) };
    },
  },
  {
    id: 'W5',
    title: (p) => `create a pool (max ${p.workers} workers), get one result, shut down`,
    how: 'construct the pool with its defaults (max workers set), run one task, shut down gracefully and wait; ms per cycle (the median of the cycles in one child process)',
    peers: POOLS,
    reference: 'piscina',
    metrics: [{ key: 'ms', unit: 'ms', better: 'lower', digits: 1 }],
    expected: (p) => 42 * p.cycles,
    async run(ad, p) {
      const times = [];
      let checksum = 0;
      for (let c = 0; c < p.cycles; c++) {
        const t0 = performance.now();
        await ad.open({ workers: p.workers, fixed: false });
        const r = await ad.call('inc', 41);
        await ad.close();
        times.push(performance.now() - t0);
        check(r === 42, `the task returned ${String(r)}, expected 42`);
        checksum += r;
      }
      return { metrics: { ms: quantile(Float64Array.from(times).sort(), 0.5) }, checksum };
    },
  },
  w6(false),
  w6(true),
  {
    id: 'W7',
    title: (p) => `${p.n.toLocaleString('en-US')} tiny async tasks, at most ${p.concurrency} at once`,
    how: 'submit every async task (async x => x + 1) at once through the limiter, await them all; tasks/s after a warm-up batch',
    peers: ['x-async', 'p-limit'],
    reference: 'p-limit',
    metrics: [{ key: 'tasksPerSec', unit: 'tasks/s', better: 'higher' }],
    expected: (p) => sumRange(p.n),
    run: (ad, p) => {
      const asyncInc = async (x) => x + 1;
      return burst(ad, p, { concurrency: p.concurrency }, (i) => ad.run(asyncInc, i));
    },
  },
  {
    id: 'W8',
    title: (p) => `W1 (${p.n.toLocaleString('en-US')} tiny tasks, ${p.workers} workers) with the deadlock detector off and on`,
    how: 'W1 on @x/thread-pool, once plain and once with @x/diagnostics detectDeadlocks() subscribed before the pool is created',
    peers: ['x-thread', 'x-thread+dd'],
    reference: 'x-thread',
    metrics: [{ key: 'tasksPerSec', unit: 'tasks/s', better: 'higher' }],
    expected: (p) => sumRange(p.n),
    run: (ad, p) => burst(ad, p, { workers: p.workers, fixed: true }, (i) => ad.call('inc', i)),
  },
  ...growthWorkloads(check),
];

/** W6c (copied) and W6t (transferred): the same arrays and tasks, sent two ways. */
function w6(transfer) {
  return {
    id: transfer ? 'W6t' : 'W6c',
    title: (p) => `${p.count} tasks each with a 1 MiB Float64Array, ${transfer ? 'transferred' : 'copied'}`,
    how: transfer
      ? "every array buffer is in the transfer list (the parent's copy must be detached afterwards, which is checked); the task sums it; MiB/s"
      : 'every array is sent by structured clone (the parent keeps it, which is checked); the task sums it; MiB/s of arrays delivered and summed',
    peers: transfer ? THREAD_POOLS : NODE_POOLS,
    reference: 'piscina',
    metrics: [{ key: 'mibPerSec', unit: 'MiB/s', better: 'higher' }],
    expected: (p) => w6Total(p.count),
    run: (ad, p) => arrays(ad, p, transfer),
  };
}

export const WORKLOAD = new Map(WORKLOADS.map((w) => [w.id, w]));

/** W1, W7, W8: a warm-up batch, then n tasks submitted at once and awaited; tasks/s. */
async function burst(ad, p, openOptions, submit) {
  await ad.open(openOptions);
  const batch = async (n) => {
    const futures = new Array(n);
    for (let i = 0; i < n; i++) futures[i] = submit(i);
    return checkIncs(await Promise.all(futures), n);
  };
  await batch(p.warmup);
  const t0 = performance.now();
  const checksum = await batch(p.n);
  const ms = performance.now() - t0;
  await ad.close();
  return { metrics: { tasksPerSec: p.n / (ms / 1000) }, checksum };
}

async function arrays(ad, p, transfer) {
  await ad.open({ workers: p.workers, fixed: true });
  const make = (k) => {
    const a = new Float64Array(F64_PER_MIB);
    for (let j = 0; j < a.length; j++) a[j] = ((j * 7 + k) & 1023) + k;
    return a;
  };
  const send = (arrs, base) =>
    Promise.all(
      arrs.map(async (a, k) => {
        const r = await ad.call('sumF64', a, transfer ? [a.buffer] : undefined);
        if (transfer) check(a.buffer.byteLength === 0, `array ${k} was not transferred (the parent's buffer is still attached)`);
        else check(a.length === F64_PER_MIB, `array ${k} was detached although it was sent as a copy`);
        check(r === w6Sum(base + k), `task ${k} summed ${String(r)}, expected ${w6Sum(base + k)}`);
        return r;
      }),
    );
  await send(Array.from({ length: 2 * p.workers }, (_, k) => make(k)), 0); // warm-up
  const arrs = Array.from({ length: p.count }, (_, k) => make(k));
  const t0 = performance.now();
  const sums = await send(arrs, 0);
  const ms = performance.now() - t0;
  await ad.close();
  return { metrics: { mibPerSec: p.count / (ms / 1000) }, checksum: sums.reduce((s, x) => s + x, 0) };
}

function w6Total(count) {
  let s = 0;
  for (let k = 0; k < count; k++) s += w6Sum(k);
  return s;
}

const spinCache = new Map();
/** The sum of the W3 results for `tasks` tasks of `n` iterations, computed here (runner side). */
function spinChecksum(tasks, n) {
  const key = `${tasks}:${n}`;
  let s = spinCache.get(key);
  if (s === undefined) {
    s = 0;
    for (let k = 0; k < tasks; k++) s += spin([seedOf(k), n]);
    spinCache.set(key, s);
  }
  return s;
}

function checkIncs(out, n) {
  let s = 0;
  for (let i = 0; i < n; i++) {
    check(out[i] === i + 1, `task ${i} returned ${String(out[i])}, expected ${i + 1}`);
    s += out[i];
  }
  return s;
}

function checkSquares(out, n) {
  check(Array.isArray(out) && out.length === n, `map returned ${Array.isArray(out) ? out.length : typeof out} results, expected ${n}`);
  let s = 0;
  for (let i = 0; i < n; i++) {
    check(out[i] === i * i, `item ${i} squared to ${String(out[i])}, expected ${i * i}`);
    s += out[i];
  }
  return s;
}

/** A wrong result fails the measurement (and so the run). */
export class CorrectnessError extends Error {
  name = 'CorrectnessError';
}
function check(ok, message) {
  if (!ok) throw new CorrectnessError(message);
}

/** Linear-interpolated quantile of an ascending-sorted array. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
