// Small statistics for the report: medians and spread over rounds, and ratios between peers.
import { quantile } from './workloads.mjs';

/**
 * @param {number[]} values one per round (failed rounds left out)
 * @returns {{ n: number, median: number, min: number, max: number, q1: number, q3: number } | undefined}
 */
export function summarize(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return { n: v.length, median: quantile(v, 0.5), min: v[0], max: v[v.length - 1], q1: quantile(v, 0.25), q3: quantile(v, 0.75) };
}

/**
 * How many times better `value` is than `reference`: > 1 always means better, whichever way the
 * metric points (throughput: value / reference; latency or time: reference / value).
 */
export function speedRatio(value, reference, better) {
  if (!(value > 0) || !(reference > 0)) return undefined;
  return better === 'higher' ? value / reference : reference / value;
}
