// The targets, each evaluated on the medians of one run.
//   'atLeast'  ours / vs >= need on a higher-is-better metric (throughput)
//   'within'   ours / vs <= need on a lower-is-better metric (latency, time)
//   'absolute' ours >= need (W3 speedup)
//   'cost'     vs / ours - 1 <= need on a throughput: the extra time the detector costs

/** @typedef {{ id: string, who: string, text: string, workload: string, metric: string, peer: string, vs?: string, vsWorkload?: string, kind: 'atLeast' | 'within' | 'absolute' | 'cost', need: number }} Target */

// `vsWorkload`: the reference is `vs` on another workload (W9: the same pool at 10k tasks).
/** @type {Target[]} */
export const TARGETS = [
  { id: 'T1', who: 'thread pool', text: 'W1 ≥ 3x piscina', workload: 'W1', metric: 'tasksPerSec', peer: 'x-thread', vs: 'piscina', kind: 'atLeast', need: 3 },
  { id: 'T2', who: 'thread pool', text: 'W1 ≥ 1.5x poolifier', workload: 'W1', metric: 'tasksPerSec', peer: 'x-thread', vs: 'poolifier', kind: 'atLeast', need: 1.5 },
  { id: 'T3', who: 'thread pool', text: 'W2 p50 within 1x piscina', workload: 'W2', metric: 'p50Us', peer: 'x-thread', vs: 'piscina', kind: 'within', need: 1 },
  { id: 'T4', who: 'thread pool', text: 'W3 speedup ≥ 1.9', workload: 'W3', metric: 'speedup', peer: 'x-thread', kind: 'absolute', need: 1.9 },
  { id: 'T5', who: 'thread pool', text: 'W4 ≥ the bare loop', workload: 'W4', metric: 'itemsPerSec', peer: 'x-thread', vs: 'bare-thread', kind: 'atLeast', need: 1 },
  { id: 'T6', who: 'thread pool', text: 'W5 within 1x piscina', workload: 'W5', metric: 'ms', peer: 'x-thread', vs: 'piscina', kind: 'within', need: 1 },
  { id: 'T7', who: 'thread pool', text: 'W6 copy ≥ 1x piscina', workload: 'W6c', metric: 'mibPerSec', peer: 'x-thread', vs: 'piscina', kind: 'atLeast', need: 1 },
  { id: 'T8', who: 'thread pool', text: 'W6 transfer ≥ 0.9x the bare loop', workload: 'W6t', metric: 'mibPerSec', peer: 'x-thread', vs: 'bare-thread', kind: 'atLeast', need: 0.9 },
  { id: 'T9', who: 'process pool', text: "W1 ≥ 2x tinypool's child_process runtime", workload: 'W1', metric: 'tasksPerSec', peer: 'x-process', vs: 'tinypool-cp', kind: 'atLeast', need: 2 },
  { id: 'T10', who: 'process pool', text: "W1 ≥ 2x Python's ProcessPoolExecutor", workload: 'W1', metric: 'tasksPerSec', peer: 'x-process', vs: 'py-process', kind: 'atLeast', need: 2 },
  { id: 'T11', who: 'process pool', text: "W4 ≥ 1.5x Python's ProcessPoolExecutor", workload: 'W4', metric: 'itemsPerSec', peer: 'x-process', vs: 'py-process', kind: 'atLeast', need: 1.5 },
  { id: 'T12', who: 'AsyncPoolExecutor', text: 'W7 ≥ p-limit', workload: 'W7', metric: 'tasksPerSec', peer: 'x-async', vs: 'p-limit', kind: 'atLeast', need: 1 },
  { id: 'T13', who: 'diagnostics', text: 'W8 detector on costs ≤ 25%', workload: 'W8', metric: 'tasksPerSec', peer: 'x-thread+dd', vs: 'x-thread', kind: 'cost', need: 0.25 },
  { id: 'T14', who: 'process pool', text: 'W4 ≥ the bare loop', workload: 'W4', metric: 'itemsPerSec', peer: 'x-process', vs: 'bare-fork', kind: 'atLeast', need: 1 },
  { id: 'T15', who: 'process pool', text: "W5 within 1.2x tinypool's child_process runtime", workload: 'W5', metric: 'ms', peer: 'x-process', vs: 'tinypool-cp', kind: 'within', need: 1.2 },
  { id: 'T16', who: 'process pool', text: "W6 copy ≥ 1x tinypool's child_process runtime", workload: 'W6c', metric: 'mibPerSec', peer: 'x-process', vs: 'tinypool-cp', kind: 'atLeast', need: 1 },
  { id: 'T17', who: 'thread pool', text: 'W9 time per task at 1M within 1.5x of 10k', workload: 'W9-1M', metric: 'usPerTask', peer: 'x-thread', vs: 'x-thread', vsWorkload: 'W9-10k', kind: 'within', need: 1.5 },
  { id: 'T18', who: 'process pool', text: 'W9 time per task at 1M within 1.5x of 10k', workload: 'W9-1M', metric: 'usPerTask', peer: 'x-process', vs: 'x-process', vsWorkload: 'W9-10k', kind: 'within', need: 1.5 },
  { id: 'T19', who: 'thread pool', text: "W9 peak memory per queued task (1M) ≤ piscina's", workload: 'W9-1M', metric: 'bytesPerTask', peer: 'x-thread', vs: 'piscina', kind: 'within', need: 1 },
  { id: 'T20', who: 'process pool', text: "W9 peak memory per queued task (1M) ≤ piscina's", workload: 'W9-1M', metric: 'bytesPerTask', peer: 'x-process', vs: 'piscina', kind: 'within', need: 1 },
];

/**
 * @param {Target} t
 * @param {(workload: string, peer: string, metric: string) => number | undefined} median
 * @returns {{ measured: number, met: boolean, shown: string } | { measured: undefined, met: undefined, shown: string, why: string }}
 */
export function evaluate(t, median) {
  const ours = median(t.workload, t.peer, t.metric);
  const ref = t.vs === undefined ? 1 : median(t.vsWorkload ?? t.workload, t.vs, t.metric);
  if (ours === undefined || ref === undefined) {
    const missing = [ours === undefined ? t.peer : undefined, ref === undefined ? t.vs : undefined].filter(Boolean);
    return { measured: undefined, met: undefined, shown: 'not measured', why: `no result for ${missing.join(' and ')}` };
  }
  switch (t.kind) {
    case 'atLeast': {
      const r = ours / ref;
      return { measured: r, met: r >= t.need, shown: `${shownNumber(r, t.need, r >= t.need, true, 2)}x (need ≥ ${t.need}x)` };
    }
    case 'within': {
      const r = ours / ref;
      const what = t.metric.startsWith('bytes') ? 'the memory' : 'the time';
      return { measured: r, met: r <= t.need, shown: `${shownNumber(r, t.need, r <= t.need, false, 2)}x ${what} (need ≤ ${t.need}x)` };
    }
    case 'absolute':
      return { measured: ours, met: ours >= t.need, shown: `${shownNumber(ours, t.need, ours >= t.need, true, 2)} (need ≥ ${t.need})` };
    case 'cost': {
      const c = ref / ours - 1;
      return { measured: c, met: c <= t.need, shown: `${shownNumber(c * 100, t.need * 100, c <= t.need, false, 1)}% (need ≤ ${t.need * 100}%)` };
    }
    default:
      throw new Error(`unknown target kind ${String(t.kind)}`);
  }
}

/**
 * `value` with `digits` decimals, or with more when those would put it on the other side of
 * `need` than the verdict (`met`): a ratio of 1.4961 against a line of 1.5 reads 1.496, not 1.50
 * beside "missed". (`higherMeets`: whether values above the line meet it.)
 */
function shownNumber(value, need, met, higherMeets, digits) {
  for (let d = digits; d < digits + 6; d++) {
    const text = value.toFixed(d);
    if ((higherMeets ? Number(text) >= need : Number(text) <= need) === met) return text;
  }
  return String(value);
}

/** How far a target is from its line, as one "higher is better, 1 = exactly met" factor (chart). */
export function progress(t, measured) {
  switch (t.kind) {
    case 'atLeast':
    case 'absolute':
      return measured / t.need;
    case 'within':
      return t.need / measured;
    case 'cost':
      return (1 + t.need) / (1 + measured);
    default:
      return undefined;
  }
}
