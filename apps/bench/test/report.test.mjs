import { describe, expect, it } from 'vitest';
import { aggregate, formatValue, markdown, textTable } from '../src/report.mjs';
import { speedRatio, summarize } from '../src/stats.mjs';
import { barChart } from '../src/svg.mjs';
import { TARGETS, evaluate, progress } from '../src/targets.mjs';
import { WORKLOAD, quantile, sizes } from '../src/workloads.mjs';

describe('stats', () => {
  it('summarizes rounds: median, min-max and quartiles, ignoring failed (non-finite) values', () => {
    expect(summarize([5, 1, 3, Number.NaN])).toEqual({ n: 3, median: 3, min: 1, max: 5, q1: 2, q3: 4 });
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5);
    expect(summarize([])).toBeUndefined();
  });

  it('interpolates quantiles of a sorted array', () => {
    expect(quantile([10, 20, 30, 40, 50], 0.99)).toBeCloseTo(49.6);
    expect(quantile([7], 0.5)).toBe(7);
  });

  it('gives ratios where > 1 always means better', () => {
    expect(speedRatio(300, 100, 'higher')).toBe(3);
    expect(speedRatio(50, 100, 'lower')).toBe(2);
    expect(speedRatio(undefined, 100, 'higher')).toBeUndefined();
    expect(speedRatio(0, 100, 'lower')).toBeUndefined();
  });
});

describe('targets', () => {
  const t = (id) => TARGETS.find((x) => x.id === id);
  const medians = (table) => (w, peer, metric) => table[`${w}/${peer}/${metric}`];

  it('checks throughput ratios (at least), latency ratios (within), absolute values and costs', () => {
    const m = medians({
      'W1/x-thread/tasksPerSec': 90_000,
      'W1/piscina/tasksPerSec': 30_000,
      'W2/x-thread/p50Us': 60,
      'W2/piscina/p50Us': 50,
      'W3/x-thread/speedup': 1.95,
      'W8/x-thread+dd/tasksPerSec': 70_000,
      'W8/x-thread/tasksPerSec': 100_000,
    });
    expect(evaluate(t('T1'), m)).toMatchObject({ measured: 3, met: true });
    expect(evaluate(t('T3'), m)).toMatchObject({ measured: 1.2, met: false });
    expect(evaluate(t('T4'), m)).toMatchObject({ measured: 1.95, met: true });
    const cost = evaluate(t('T13'), m);
    expect(cost.met).toBe(false);
    expect(cost.measured).toBeCloseTo(100_000 / 70_000 - 1);
    expect(progress(t('T3'), 1.2)).toBeCloseTo(1 / 1.2);
  });

  it('compares a pool with itself on another workload (W9: 1M tasks against 10k)', () => {
    const m = medians({ 'W9-1M/x-thread/usPerTask': 3, 'W9-10k/x-thread/usPerTask': 2, 'W9-1M/piscina/bytesPerTask': 500, 'W9-1M/x-thread/bytesPerTask': 600 });
    expect(evaluate(t('T17'), m)).toMatchObject({ measured: 1.5, met: true });
    expect(evaluate(t('T19'), m)).toMatchObject({ measured: 1.2, met: false });
    expect(evaluate(t('T18'), m)).toMatchObject({ met: undefined, why: 'no result for x-process and x-process' });
  });

  it('never shows a ratio rounded onto the other side of its line than the verdict', () => {
    const T11 = t('T11'); // process W4 ≥ 1.5x Python
    const ratio = (r) => evaluate(T11, medians({ 'W4/x-process/itemsPerSec': r * 1000, 'W4/py-process/itemsPerSec': 1000 }));
    expect(ratio(1.4961)).toMatchObject({ met: false, shown: '1.496x (need ≥ 1.5x)' });
    expect(ratio(1.5004)).toMatchObject({ met: true, shown: '1.50x (need ≥ 1.5x)' });
    expect(ratio(1.23)).toMatchObject({ met: false, shown: '1.23x (need ≥ 1.5x)' });
    const T15 = t('T15'); // process W5 within 1.2x tinypool cp's time
    const time = (r) => evaluate(T15, medians({ 'W5/x-process/ms': r * 10, 'W5/tinypool-cp/ms': 10 }));
    expect(time(1.2004)).toMatchObject({ met: false, shown: '1.2004x the time (need ≤ 1.2x)' });
    expect(time(1.196)).toMatchObject({ met: true, shown: '1.20x the time (need ≤ 1.2x)' });
    const W8 = t('T13'); // the detector's cost ≤ 25 %
    const cost = (c) => evaluate(W8, medians({ 'W8/x-thread+dd/tasksPerSec': 1000, 'W8/x-thread/tasksPerSec': 1000 * (1 + c) }));
    expect(cost(0.24996)).toMatchObject({ met: true, shown: '25.0% (need ≤ 25%)' });
    expect(cost(0.25004)).toMatchObject({ met: false, shown: '25.004% (need ≤ 25%)' });
    expect(cost(0.2003)).toMatchObject({ met: true, shown: '20.0% (need ≤ 25%)' });
  });

  it('says which peer is missing when a target cannot be measured', () => {
    const r = evaluate(t('T2'), medians({ 'W1/x-thread/tasksPerSec': 1 }));
    expect(r).toMatchObject({ met: undefined, why: 'no result for poolifier' });
  });
});

describe('report', () => {
  const params = sizes(true);
  const run = (round, peer, p50Us, ok = true) => ({ round, workload: 'W2', peer, ok, metrics: { p50Us, p99Us: p50Us * 2 } });
  const runs = [run(1, 'piscina', 40), run(2, 'piscina', 60), run(1, 'x-thread', 20), run(2, 'x-thread', 30), run(3, 'x-thread', 1, false)];
  const agg = aggregate(runs, [WORKLOAD.get('W2')], params, new Set(['piscina', 'x-thread']));

  it('aggregates rounds per peer and divides by the reference peer, counting failed rounds', () => {
    const [w2] = agg.workloads;
    const ours = w2.rows.find((r) => r.peer === 'x-thread');
    expect(ours.stats.p50Us).toMatchObject({ n: 2, median: 25, min: 20, max: 30 });
    expect(ours.ratio.p50Us).toBe(2); // 50 µs / 25 µs: twice as fast
    expect(ours.failed).toBe(1);
    expect(agg.targets.find((x) => x.id === 'T3')).toMatchObject({ met: true, measured: 0.5 });
  });

  it('prints the text and Markdown tables with medians, spread, ratios and the targets', () => {
    const text = textTable(agg);
    expect(text).toMatch(/\* @x\/thread-pool\s+25\.0\s+20\.0 – 30\.0\s+2\.00x/);
    expect(text).toContain('1/3 runs FAILED');
    expect(text).toContain('met     thread pool: W2 p50 within 1x piscina: 0.50x the time');
    const md = markdown(agg);
    expect(md).toContain('| **@x/thread-pool** (1/3 runs failed) | 25.0 | 20.0 – 30.0 | 2.00x |');
    expect(md).toContain('| thread pool | W1 ≥ 3x piscina | not measured (no result for x-thread and piscina) | not measured |');
    expect(formatValue(1234567.8)).toBe('1,234,568');
  });
});

describe('barChart', () => {
  it('writes a standalone SVG with one bar per known value, escaped labels and a 1x line', () => {
    const svg = barChart({
      title: 'A & B',
      groups: [{ label: 'W1 <tiny>', bars: [{ label: 'x', value: 4, range: [3, 5] }, { label: 'y', value: 0.5 }, { label: 'z', value: undefined }] }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(2);
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('W1 &lt;tiny&gt;');
    expect(svg).toContain('no result');
    expect(svg).toContain('class="one"');
    expect(svg.match(/class="spread"\/>/g)).toHaveLength(1);
    expect(svg).not.toMatch(/NaN|undefined/);
  });
});
