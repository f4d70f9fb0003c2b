// W9, growth: the same tiny task submitted 10,000, 100,000 and 1,000,000 times at once. Each size is
// its own workload (W9-10k, W9-100k, W9-1M) so that every measurement runs in a fresh process and
// `process.resourceUsage().maxRSS` is the peak of that size alone. Two metrics: time per task, and
// the peak resident memory the burst added, per queued task. A pool whose costs stay flat as work
// grows has the same µs/task at 1M as at 10k, and a small, constant number of bytes per task.
import { performance } from 'node:perf_hooks';

/** The peers: our two pools, and piscina, the reference for memory per queued task. */
const PEERS = ['x-thread', 'piscina', 'x-process'];

/** Sizes: full runs use the issue's, the smoke run tiny ones (same code path). */
const FULL = { 'W9-10k': 10_000, 'W9-100k': 100_000, 'W9-1M': 1_000_000 };
const QUICK = { 'W9-10k': 1_000, 'W9-100k': 2_000, 'W9-1M': 4_000 };

/**
 * Parameters of the three W9 workloads.
 * @param {boolean} quick
 * @returns {Record<string, { n: number, warmup: number, workers: number }>}
 */
export function growthSizes(quick) {
  const sizes = quick ? QUICK : FULL;
  return Object.fromEntries(Object.entries(sizes).map(([id, n]) => [id, { n, warmup: quick ? 100 : 1000, workers: 2 }]));
}

const sumRange = (n) => (n * (n + 1)) / 2;

/**
 * The three W9 workloads.
 * @param {(ok: boolean, message: string) => void} check fails the measurement with a CorrectnessError
 * @returns {import('./workloads.mjs').Workload[]}
 */
export function growthWorkloads(check) {
  return Object.keys(FULL).map((id) => ({
    id,
    title: (p) => `${p.n.toLocaleString('en-US')} tiny tasks submitted at once on ${p.workers} workers (growth)`,
    how:
      'submit every task (x => x + 1) at once, await them all, after a warm-up batch; µs per task over the batch, ' +
      'and the peak resident memory the batch added (maxRSS from process.resourceUsage() at the end minus the RSS ' +
      'before submitting) divided by the number of tasks. Each size runs in its own process',
    peers: PEERS,
    reference: 'piscina',
    metrics: [
      { key: 'usPerTask', unit: 'µs/task', better: 'lower', digits: 2 },
      { key: 'bytesPerTask', unit: 'B/task (peak RSS)', better: 'lower' },
    ],
    expected: (p) => sumRange(p.n),
    async run(ad, p) {
      await ad.open({ workers: p.workers, fixed: true });
      const batch = async (n) => {
        const futures = new Array(n);
        for (let i = 0; i < n; i++) futures[i] = ad.call('inc', i);
        const out = await Promise.all(futures);
        let s = 0;
        for (let i = 0; i < n; i++) {
          check(out[i] === i + 1, `task ${i} returned ${String(out[i])}, expected ${i + 1}`);
          s += out[i];
        }
        return s;
      };
      await batch(p.warmup);
      const rssBefore = process.memoryUsage.rss();
      const t0 = performance.now();
      const checksum = await batch(p.n);
      const ms = performance.now() - t0;
      // maxRSS is in KiB and is the peak of this process's whole life, which the burst dominates.
      const peak = process.resourceUsage().maxRSS * 1024;
      await ad.close();
      return {
        metrics: { usPerTask: (ms * 1000) / p.n, bytesPerTask: Math.max(0, peak - rssBefore) / p.n },
        checksum,
      };
    },
  }));
}
