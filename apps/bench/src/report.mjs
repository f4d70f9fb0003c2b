// Turns the raw runs into medians, spread and ratios; prints the table; builds the Markdown table
// and the two charts.
import { PEER } from './peers.mjs';
import { speedRatio, summarize } from './stats.mjs';
import { barChart } from './svg.mjs';
import { TARGETS, evaluate, progress } from './targets.mjs';

/**
 * @param {any[]} runs every measurement: { round, workload, peer, ok, metrics, ... }
 * @param {import('./workloads.mjs').Workload[]} workloads the workloads of this run
 * @param {Record<string, any>} params sizes per workload
 * @param {Set<string>} peers the peers that took part
 */
export function aggregate(runs, workloads, params, peers) {
  const out = workloads.map((w) => {
    const rows = w.peers
      .filter((id) => peers.has(id))
      .map((id) => {
        const mine = runs.filter((r) => r.workload === w.id && r.peer === id);
        const ok = mine.filter((r) => r.ok);
        const stats = Object.fromEntries(w.metrics.map((m) => [m.key, summarize(ok.map((r) => r.metrics[m.key]))]));
        return { peer: id, label: PEER.get(id)?.label ?? id, ours: PEER.get(id)?.ours === true, runs: mine.length, failed: mine.length - ok.length, stats };
      });
    const ref = rows.find((r) => r.peer === w.reference);
    for (const row of rows) {
      row.ratio = Object.fromEntries(
        w.metrics.map((m) => [m.key, speedRatio(row.stats[m.key]?.median, ref?.stats[m.key]?.median, m.better)]),
      );
    }
    return { id: w.id, title: w.title(params[w.id]), how: w.how, reference: w.reference, metrics: w.metrics, params: params[w.id], rows };
  });
  const median = (workload, peer, metric) =>
    out.find((w) => w.id === workload)?.rows.find((r) => r.peer === peer)?.stats[metric]?.median;
  const targets = TARGETS.map((t) => ({ ...t, ...evaluate(t, median) }));
  return { workloads: out, targets };
}

export function formatValue(v, digits = 0) {
  if (v === undefined || !Number.isFinite(v)) return '-';
  if (digits === 0 && Math.abs(v) < 100) digits = Math.abs(v) < 10 ? 2 : 1;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const ratioText = (r) => (r === undefined ? '-' : `${r.toFixed(2)}x`);
const spreadText = (s, digits) => (s === undefined ? '-' : `${formatValue(s.min, digits)} – ${formatValue(s.max, digits)}`);

/** The plain-text table printed at the end of a run. */
export function textTable(agg) {
  const lines = [];
  for (const w of agg.workloads) {
    lines.push('', `${w.id}  ${w.title}`);
    const head = ['peer'];
    for (const m of w.metrics) head.push(`median ${m.unit}`, 'min – max', `vs ${PEER.get(w.reference)?.label ?? w.reference}`);
    const body = w.rows.map((r) => {
      const cells = [r.ours ? `* ${r.label}` : `  ${r.label}`];
      for (const m of w.metrics) {
        cells.push(formatValue(r.stats[m.key]?.median, m.digits), spreadText(r.stats[m.key], m.digits), ratioText(r.ratio[m.key]));
      }
      if (r.failed > 0) cells.push(`${r.failed}/${r.runs} runs FAILED`);
      return cells;
    });
    lines.push(...columns([head.map((h, i) => (i === 0 ? `  ${h}` : h)), ...body]));
  }
  lines.push('', 'Targets (ratios of medians from this run)');
  for (const t of agg.targets) {
    const mark = t.met === undefined ? 'NOT MEASURED' : t.met ? 'met   ' : 'MISSED';
    lines.push(`  ${mark}  ${t.who}: ${t.text}: ${t.shown}${t.why === undefined ? '' : ` (${t.why})`}`);
  }
  return lines.join('\n');
}

function columns(rows) {
  const widths = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((row) =>
    row
      .map((c, i) => (i === 0 || i === row.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

/** The Markdown tables for the README. */
export function markdown(agg) {
  const lines = [];
  for (const w of agg.workloads) {
    const ref = PEER.get(w.reference)?.label ?? w.reference;
    lines.push(`**${w.id}** ${w.title}`, '');
    const head = ['peer'];
    for (const m of w.metrics) head.push(`${m.unit} (median)`, 'min – max', `vs ${ref}`);
    lines.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const r of w.rows) {
      const cells = [r.ours ? `**${r.label}**` : r.label];
      for (const m of w.metrics) cells.push(formatValue(r.stats[m.key]?.median, m.digits), spreadText(r.stats[m.key], m.digits), ratioText(r.ratio[m.key]));
      if (r.failed > 0) cells[0] += ` (${r.failed}/${r.runs} runs failed)`;
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push('**Targets**', '', '| who | target | measured | |', '| --- | --- | --- | --- |');
  for (const t of agg.targets) {
    lines.push(`| ${t.who} | ${t.text} | ${t.shown}${t.why === undefined ? '' : ` (${t.why})`} | ${t.met === undefined ? 'not measured' : t.met ? 'met' : '**missed**'} |`);
  }
  return lines.join('\n');
}

const OURS = '#e8590c';
const PEER_COLOR = '#4c6ef5';

/** Chart 1: every peer's ratio to the workload's reference (primary metric; W2 shows p50 and p99). */
export function ratiosSvg(agg, subtitle) {
  const groups = [];
  for (const w of agg.workloads) {
    for (const m of w.metrics) {
      const refLabel = PEER.get(w.reference)?.label ?? w.reference;
      const ref = w.rows.find((r) => r.peer === w.reference);
      groups.push({
        label: `${w.id}${w.metrics.length > 1 ? ` ${m.unit}` : ''}: ${w.title} (vs ${refLabel})`,
        bars: w.rows
          .filter((r) => r.peer !== w.reference)
          .map((r) => ({ label: r.label, value: r.ratio[m.key], color: r.ours ? OURS : PEER_COLOR, range: spreadRatio(r, ref, m) })),
      });
    }
  }
  return barChart({ title: 'Speed relative to the reference peer (right of 1x = faster; log scale; line = min-max over rounds)', subtitle, groups });
}

/** A peer's min and max over rounds as ratios to the reference's median (ascending). */
function spreadRatio(row, ref, m) {
  const s = row.stats[m.key];
  const base = ref?.stats[m.key]?.median;
  if (s === undefined || base === undefined) return undefined;
  const a = speedRatio(s.min, base, m.better);
  const b = speedRatio(s.max, base, m.better);
  return a === undefined || b === undefined ? undefined : [Math.min(a, b), Math.max(a, b)];
}

/** Chart 2: each target, as how far the measured ratio is from its line (right of 1x = met). */
export function targetsSvg(agg, subtitle) {
  const byWho = new Map();
  for (const t of agg.targets) {
    if (!byWho.has(t.who)) byWho.set(t.who, []);
    byWho.get(t.who).push({
      label: t.text,
      value: t.measured === undefined ? undefined : progress(t, t.measured),
      color: t.met ? '#2f9e44' : '#e03131',
      text: t.shown,
    });
  }
  const groups = [...byWho].map(([label, bars]) => ({ label, bars }));
  return barChart({ title: 'Targets: measured against the line (right of 1x = met; log scale)', subtitle, groups, width: 1040, valueWidth: 250 });
}
