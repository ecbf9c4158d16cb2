// Pictures made on the server as inline SVG (no script, no inline CSS: presentation attributes only,
// which the CSP allows). Each has a <title> and <desc>; the pages put a table beside each one.
// Layouts are deterministic: the same data draws the same picture.
import type { Edge } from './network-metrics.ts';

/** Okabe–Ito colours (distinguishable with colour-blindness), then grey for "no group". */
export const GROUP_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#8C564B', '#1B9E77', '#7570B3'];
export const NO_GROUP_COLOUR = '#999999';

export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();

interface Caption {
  /** Unique within the page: ids of the <title> and <desc>. */
  id: string;
  title: string;
  desc: string;
}

function open(c: Caption, width: number, height: number, test: string, shownWidth = '100%'): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${shownWidth}" role="img" aria-labelledby="${esc(c.id)}-title ${esc(c.id)}-desc" data-test="${esc(test)}" class="chart">`
    + `<title id="${esc(c.id)}-title">${esc(c.title)}</title><desc id="${esc(c.id)}-desc">${esc(c.desc)}</desc>`;
}

export interface DrawnNode {
  id: string;
  label: string;
  /** Short text beside the dot ("L3", a first name). */
  short: string;
  /** Index into `groups`, or null for no group. */
  group: number | null;
}

export interface NetworkPicture extends Caption {
  nodes: readonly DrawnNode[];
  groups: readonly string[];
  edges: readonly Edge[];
  /** The words for a learner in no group, in the reader's language. */
  noGroup: string;
}

/** Group colour by index; no group is grey. */
export function groupColour(group: number | null): string {
  return group === null ? NO_GROUP_COLOUR : GROUP_COLOURS[group % GROUP_COLOURS.length]!;
}

/** Text drawn over lines stays readable: a white halo under each glyph (presentation attributes only). */
const HALO = 'stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"';
/** Roughly how wide a text of `n` characters is at font size `size` (for laying out, not for measuring). */
const textWidth = (n: number, size: number) => n * size * 0.58;

/** Legend items in rows that wrap at `width`: each item's x, y (its row) and the rows' count. */
function legendRows(names: readonly string[], width: number, size: number): { at: Array<{ x: number; row: number }>; rows: number } {
  let x = 0;
  let row = 0;
  const at = names.map((n) => {
    const w = 22 + textWidth(n.length, size) + 18;
    if (x > 0 && x + w > width) {
      x = 0;
      row += 1;
    }
    const here = { x, row };
    x += w;
    return here;
  });
  return { at, rows: names.length === 0 ? 0 : row + 1 };
}

/**
 * The cohort's network: each group's members on a circle, the groups' circles in a grid, sized to
 * use the space; a line with an arrow for each tie (thicker with more interactions),
 * ending at the dot's edge; each label outside its group's circle, drawn above the lines with a
 * halo, so no arrow runs over a label; the legend of groups below.
 */
export function networkSvg(p: NetworkPicture): string {
  const W = 560;
  const FONT = 16;
  const R = 12;
  const clusters = [...new Set(p.nodes.map((n) => n.group))].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const members = new Map(clusters.map((g) => [g, p.nodes.filter((n) => n.group === g)]));
  const longest = Math.max(4, ...p.nodes.map((n) => n.short.length));
  // room for a label beside a dot on the picture's edge
  const margin = Math.min(110, R + 8 + textWidth(longest, FONT));
  const k = clusters.length;
  const labelW = textWidth(longest, FONT);
  const gap = R + 7;
  // A group's circle wide enough that its members' labels (pointing outward) do not meet.
  const wanted = (n: number) => (n <= 1 ? 0 : Math.max(20 + 14 * n, (Math.max(labelW, FONT) + 8) / (2 * Math.sin(Math.PI / n)) - gap));
  // One group: a single circle filling the picture. Several: a grid of cells, one group's circle in
  // each, as large as the cell leaves room for with the labels around it; the picture is as tall
  // as its rows, so it holds no empty band.
  const cols = k <= 1 ? 1 : k <= 3 ? k : Math.ceil(Math.sqrt(k));
  const rows = Math.ceil(k / cols);
  const cell = W / cols;
  const height = k <= 1 ? W : rows * cell;
  const fits = k <= 1 ? W / 2 - margin : Math.max(R * 2, cell / 2 - gap - labelW - 6);
  const pos = new Map<string, { x: number; y: number; ux: number; uy: number }>();
  clusters.forEach((g, ci) => {
    const row = Math.floor(ci / cols);
    const inRow = Math.min(cols, k - row * cols);
    const cx = (W - inRow * cell) / 2 + cell * (ci % cols + 0.5);
    const cy = cell * (row + 0.5);
    const ms = members.get(g)!;
    const r = ms.length <= 1 ? 0 : k <= 1 ? fits : Math.min(wanted(ms.length), fits);
    ms.forEach((n, i) => {
      const b = (2 * Math.PI * i) / ms.length - Math.PI / 2;
      // a lone dot's label goes under it
      const [ux, uy] = r === 0 ? [0, 1] : [Math.cos(b), Math.sin(b)];
      pos.set(n.id, { x: cx + r * Math.cos(b), y: (k <= 1 ? W / 2 : cy) + r * Math.sin(b), ux, uy });
    });
  });
  const lines = p.edges
    .filter((e) => pos.has(e.from) && pos.has(e.to) && e.from !== e.to)
    .map((e) => {
      const a = pos.get(e.from)!;
      const b = pos.get(e.to)!;
      const d = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const [ux, uy] = [(b.x - a.x) / d, (b.y - a.y) / d];
      // a small sideways offset keeps a → b and b → a apart
      const [ox, oy] = [-uy * 3, ux * 3];
      const width = 1 + Math.log2(e.weight);
      return `<line x1="${f(a.x + ux * (R + 1) + ox)}" y1="${f(a.y + uy * (R + 1) + oy)}" x2="${f(b.x - ux * (R + 3) + ox)}" y2="${f(b.y - uy * (R + 3) + oy)}"${width === 1 ? '' : ` stroke-width="${f(width)}"`}/>`;
    });
  const dots = p.nodes.map((n) => {
    const { x, y } = pos.get(n.id)!;
    return `<g data-test="network-node"><title>${esc(n.label)}${n.group === null ? ` (${esc(p.noGroup)})` : ` (${esc(p.groups[n.group] ?? '')})`}</title>`
      + `<circle cx="${f(x)}" cy="${f(y)}" r="${R}" fill="${groupColour(n.group)}"/></g>`;
  });
  const labels = p.nodes.map((n) => {
    const { x, y, ux, uy } = pos.get(n.id)!;
    const anchor = ux > 0.35 ? 'start' : ux < -0.35 ? 'end' : 'middle';
    // the text's box clears the dot: its top below a dot above it, its baseline (and descenders) above a dot below it
    const ty = y + uy * gap + (uy > 0.35 ? FONT * 0.8 : uy < -0.35 ? -FONT * 0.25 : FONT * 0.35);
    return `<text x="${f(x + ux * gap)}" y="${f(ty)}" text-anchor="${anchor}">${esc(n.short)}</text>`;
  });
  const legendItems = [...p.groups.map((g, i) => ({ name: g, colour: groupColour(i) })), ...(clusters.includes(null) ? [{ name: p.noGroup, colour: NO_GROUP_COLOUR }] : [])];
  const legend = legendRows(legendItems.map((g) => g.name), W - 16, FONT);
  const H = height + 8 + legend.rows * 24;
  const legendSvg = legendItems.map((g, i) => `<g transform="translate(${f(8 + legend.at[i]!.x)} ${f(height + 8 + legend.at[i]!.row * 24)})"><rect width="16" height="16" fill="${g.colour}" stroke="#222222"/><text x="22" y="13" font-size="${FONT}" fill="#222222">${esc(g.name)}</text></g>`);
  return open(p, W, H, 'network-svg')
    + `<defs><marker id="${esc(p.id)}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444444"/></marker></defs>`
    // What every line, dot or label shares is said once, on its group (presentation attributes are
    // inherited): 600 learners' picture is half the size.
    + `<g data-test="network-ties" stroke="#444444" stroke-opacity="0.6" stroke-width="1" marker-end="url(#${esc(p.id)}-arrow)">${lines.join('')}</g>`
    + `<g stroke="#222222" stroke-width="1.5">${dots.join('')}</g>`
    + `<g data-test="network-labels" font-size="${FONT}" fill="#222222" ${HALO}>${labels.join('')}</g><g data-test="network-legend">${legendSvg.join('')}</g></svg>`;
}

export interface EgoPicture extends Caption {
  /** The people one interacted with, each with interactions both ways. */
  contacts: ReadonlyArray<{ id: string; label: string; given: number; received: number }>;
  /** The centre's label ("You") and each contact's tooltip, in the reader's language. */
  you: string;
  contactTitle: (c: { label: string; given: number; received: number }) => string;
}

/** One person's own network: them in the centre, the people they interact with around them. */
export function egoSvg(p: EgoPicture): string {
  const S = 420;
  const c = S / 2;
  const r = 150;
  const parts = p.contacts.map((k, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, p.contacts.length) - Math.PI / 2;
    const x = c + r * Math.cos(a);
    const y = c + r * Math.sin(a);
    const w = 1 + Math.log2(1 + k.given + k.received);
    return `<g data-test="ego-contact"><title>${esc(p.contactTitle(k))}</title>`
      + `<line x1="${c}" y1="${c}" x2="${f(x)}" y2="${f(y)}" stroke="#444444" stroke-opacity="0.6" stroke-width="${f(w)}"/>`
      + `<circle cx="${f(x)}" cy="${f(y)}" r="10" fill="#56B4E9" stroke="#222222"/>`
      + `<text x="${f(x)}" y="${f(y + 24)}" text-anchor="middle" font-size="12" fill="#222222">${esc(k.label)}</text></g>`;
  });
  return open(p, S, S, 'ego-svg', String(S)) + parts.join('')
    + `<circle cx="${c}" cy="${c}" r="16" fill="#E69F00" stroke="#222222"/><text x="${c}" y="${c + 34}" text-anchor="middle" font-size="13" font-weight="bold" fill="#222222">${esc(p.you)}</text></svg>`;
}

export interface SeriesChart extends Caption {
  labels: readonly string[];
  series: ReadonlyArray<{ name: string; colour: string; values: ReadonlyArray<number | null> }>;
  /** The top of the y axis (e.g. 1 for shares, 5 for a 1–5 rating); from the largest value when omitted. */
  max?: number;
  /** Whole numbers only on the axis (counts). */
  integer?: boolean;
  /** How a y value is written on the axis and in the bars' labels; numbers by default ("2.5", "3"). */
  format?: (v: number) => string;
}

/** A number as people write it: whole numbers bare, others with one decimal ("2.5", not "2.", nor "2.4999"). */
export function formatNumber(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

const CHART = { w: 560, h: 260, left: 52, right: 12, top: 24, font: 16 };
/** Line styles told apart without colour: solid, dashed, dotted. */
const DASHES = ['', '8 5', '2 4', '12 4 2 4'];

/** Round steps (1, 2 or 5 × 10ⁿ) from 0 to at least `max`, at most six of them. */
export function axisTicks(max: number, integer = false): number[] {
  const top = max > 0 ? max : 1;
  const rough = top / 5;
  const mag = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= rough - 1e-9)!;
  if (integer) step = Math.max(1, Math.round(step));
  const n = Math.ceil(top / step - 1e-9);
  return Array.from({ length: n + 1 }, (_, i) => Math.round(i * step * 1e9) / 1e9);
}

interface Frame {
  h: number;
  plotBottom: number;
  top: number;
  y: (v: number) => number;
  svg: string;
}

/** Axes, x labels (thinned to fit), and the legend below (wrapping); a line swatch for line charts. */
function frame(c: SeriesChart, xOf: (i: number) => number, lines: boolean): Frame {
  const { w, left, right, top, font } = CHART;
  const fmt = c.format ?? formatNumber;
  const ticks = axisTicks(maxOf(c), c.integer);
  const axisTop = ticks[ticks.length - 1]!;
  const plotBottom = CHART.h - 40;
  const y = (v: number) => plotBottom - ((plotBottom - top) * v) / (axisTop || 1);
  const yAxis = ticks.map((v) => `<line x1="${left}" x2="${w - right}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="${v === 0 ? '#555555' : '#d0d0d0'}"/><text x="${left - 8}" y="${f(y(v) + font * 0.35)}" text-anchor="end" font-size="${font}" fill="#222222">${esc(fmt(v))}</text>`);
  const widest = Math.max(1, ...c.labels.map((l) => l.length));
  const room = (w - left - right) / Math.max(1, c.labels.length);
  // every label on one row when they fit; on two staggered rows when that makes them fit (few,
  // long labels: the five factors); else every second (third…) one
  const need = textWidth(widest, font) + 8;
  const stagger = need > room && need <= 2 * room && c.labels.length > 1;
  const step = stagger ? 1 : Math.max(1, Math.ceil(need / room));
  const rowGap = stagger ? font + 4 : 0;
  const xs = c.labels.map((l, i) => (i % step === 0 ? `<text x="${f(xOf(i))}" y="${plotBottom + font + 6 + (i % 2) * rowGap}" text-anchor="middle" font-size="${font}" fill="#222222">${esc(l)}</text>` : ''));
  const legend = legendRows(c.series.map((s) => s.name), w - left, font);
  const legendTop = plotBottom + font + 22 + rowGap;
  const items = c.series.map((s, i) => {
    const at = legend.at[i]!;
    const swatch = lines
      ? `<line x1="0" x2="18" y1="-5" y2="-5" stroke="${s.colour}" stroke-width="3"${DASHES[i % DASHES.length] ? ` stroke-dasharray="${DASHES[i % DASHES.length]}"` : ''}/>`
      : `<rect width="14" height="14" y="-12" fill="${s.colour}" stroke="#222222"/>`;
    return `<g transform="translate(${f(left + at.x)} ${f(legendTop + at.row * 22 + 4)})">${swatch}<text x="24" font-size="${font}" fill="#222222">${esc(s.name)}</text></g>`;
  });
  return { h: legendTop + legend.rows * 22, plotBottom, top, y, svg: yAxis.join('') + xs.join('') + items.join('') };
}

function xAt(i: number, n: number): number {
  const { w, left, right } = CHART;
  return n <= 1 ? (left + w - right) / 2 : left + 16 + ((w - left - right - 32) * i) / (n - 1);
}

function maxOf(c: SeriesChart): number {
  return c.max ?? Math.max(1, ...c.series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
}

/** Lines over weeks, one per series, each its own dash as well as its own colour; a gap where a value is null. */
export function lineChartSvg(c: SeriesChart): string {
  const fr = frame(c, (i) => xAt(i, c.labels.length), true);
  const lines = c.series.map((s, si) => {
    const pts = s.values.map((v, i) => (v === null ? null : `${f(xAt(i, c.labels.length))},${f(fr.y(v))}`));
    const dash = DASHES[si % DASHES.length] ? ` stroke-dasharray="${DASHES[si % DASHES.length]}"` : '';
    // a null value breaks the line into runs
    const runs = pts.map((p) => p ?? '|').join(' ').split('|').map((r) => r.trim()).filter((r) => r.length > 0);
    return runs.map((r) => `<polyline points="${r}" fill="none" stroke="${s.colour}" stroke-width="3"${dash}/>`).join('')
      + pts.map((p) => (p ? `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3.5" fill="${s.colour}"/>` : '')).join('');
  });
  return open(c, CHART.w, fr.h, 'line-chart') + fr.svg + lines.join('') + '</svg>';
}

/** Bars in a band per label, series side by side inside it (clear of the y axis), each labelled with its value when there is room. */
export function barChartSvg(c: SeriesChart): string {
  const { w, left, right, font } = CHART;
  const fmt = c.format ?? formatNumber;
  const n = Math.max(1, c.labels.length);
  const band = (w - left - right) / n;
  const centre = (i: number) => left + band * (i + 0.5);
  const fr = frame(c, centre, false);
  const bw = Math.max(2, Math.min(40, (band * 0.8) / Math.max(1, c.series.length)));
  const labelled = bw >= textWidth(3, font - 2);
  const bars = c.series.flatMap((s, si) =>
    s.values.map((v, i) => {
      if (v === null || v === 0) return '';
      const x = centre(i) - (bw * c.series.length) / 2 + si * bw;
      const top = fr.y(v);
      return `<rect x="${f(x)}" y="${f(top)}" width="${f(bw)}" height="${f(fr.plotBottom - top)}" fill="${s.colour}" stroke="#222222" stroke-width="1"><title>${esc(s.name)}, ${esc(c.labels[i] ?? '')}: ${esc(fmt(v))}</title></rect>`
        + (labelled ? `<text x="${f(x + bw / 2)}" y="${f(top - 4)}" text-anchor="middle" font-size="${font - 2}" fill="#222222">${esc(fmt(v))}</text>` : '');
    }),
  );
  return open(c, w, fr.h, 'bar-chart') + fr.svg + bars.join('') + '</svg>';
}
