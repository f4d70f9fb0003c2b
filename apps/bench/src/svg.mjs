// A hand-written SVG bar chart of ratios (no chart dependency): horizontal bars on a log2 axis
// around 1x, one group of bars per workload (or per team of targets).

/**
 * @typedef {{ label: string, value: number | undefined, color?: string, text?: string, range?: [number, number] }} Bar
 *   `range`: the spread (drawn as a thin line across the bar), same units as `value`
 * @typedef {{ label: string, bars: Bar[] }} Group
 * @param {{ title: string, subtitle?: string, groups: Group[], width?: number, valueWidth?: number }} chart
 * @returns {string} a standalone SVG document
 */
export function barChart({ title, subtitle = '', groups, width = 920, valueWidth = 150 }) {
  const labelW = 280;
  const valueW = valueWidth;
  const plotW = width - labelW - valueW - 20;
  const rowH = 18;
  const groupH = 24;
  const top = subtitle === '' ? 48 : 66;
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v !== undefined && v > 0);
  // log2 domain: whole powers of two around the data, always including 1x, at most 1/32x..32x
  // (a bar beyond is cut at the edge; its label still shows the value)
  const lo = Math.max(-5, Math.min(-1, Math.floor(Math.log2(Math.min(1, ...values)))));
  const hi = Math.min(5, Math.max(1, Math.ceil(Math.log2(Math.max(1, ...values)))));
  const x = (v) => labelW + ((Math.log2(v) - lo) / (hi - lo)) * plotW;
  const clamp = (v) => Math.min(2 ** hi, Math.max(2 ** lo, v));

  const rows = [];
  let y = top + 16;
  for (const g of groups) {
    rows.push(`<text x="8" y="${y + 15}" class="group">${esc(g.label)}</text>`);
    y += groupH;
    for (const b of g.bars) {
      const cy = y + rowH / 2;
      rows.push(`<text x="${labelW - 8}" y="${cy + 4}" class="label" text-anchor="end">${esc(b.label)}</text>`);
      if (b.value !== undefined && b.value > 0) {
        const x0 = x(1);
        const x1 = x(clamp(b.value));
        rows.push(
          `<rect x="${fmt(Math.min(x0, x1))}" y="${y + 3}" width="${fmt(Math.max(1, Math.abs(x1 - x0)))}" height="${rowH - 6}" fill="${b.color ?? '#4c6ef5'}"><title>${esc(`${b.label}: ${b.text ?? ratio(b.value)}`)}</title></rect>`,
        );
        if (b.range !== undefined && b.range[0] > 0 && b.range[1] > 0) {
          const [r0, r1] = b.range.map((v) => fmt(x(clamp(v))));
          rows.push(`<line x1="${r0}" y1="${cy}" x2="${r1}" y2="${cy}" class="spread"/>`);
        }
      }
      rows.push(`<text x="${labelW + plotW + 8}" y="${cy + 4}" class="value">${esc(b.text ?? (b.value === undefined ? 'no result' : ratio(b.value)))}</text>`);
      y += rowH;
    }
    y += 4;
  }
  const height = y + 30;
  const ticks = [];
  for (let e = lo; e <= hi; e++) {
    const tx = fmt(x(2 ** e));
    ticks.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${y}" class="${e === 0 ? 'one' : 'grid'}"/>`);
    ticks.push(`<text x="${tx}" y="${y + 16}" class="tick" text-anchor="middle">${e < 0 ? `1/${2 ** -e}` : 2 ** e}x</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif">`,
    '<style>.group{font-size:13px;font-weight:600;fill:#222}.label{font-size:12px;fill:#333}.value{font-size:12px;fill:#333}.tick{font-size:11px;fill:#666}.grid{stroke:#ddd;stroke-width:1}.one{stroke:#222;stroke-width:1.5}.spread{stroke:#111;stroke-width:1.5;opacity:.55}.title{font-size:16px;font-weight:700;fill:#111}.sub{font-size:12px;fill:#555}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="24" class="title">${esc(title)}</text>`,
    subtitle === '' ? '' : `<text x="8" y="44" class="sub">${esc(subtitle)}</text>`,
    ...ticks,
    ...rows,
    '</svg>',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}

const ratio = (v) => `${v >= 10 ? v.toFixed(1) : v.toFixed(2)}x`;
const fmt = (n) => (Math.round(n * 10) / 10).toString();
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
