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
}

/** Group colour by index; no group is grey. */
export function groupColour(group: number | null): string {
  return group === null ? NO_GROUP_COLOUR : GROUP_COLOURS[group % GROUP_COLOURS.length]!;
}

/**
 * The cohort's network: each group's members on a small circle, the groups' circles around a large
 * one; a line with an arrow for each tie (thicker with more interactions); a legend of groups.
 */
export function networkSvg(p: NetworkPicture): string {
  const W = 640;
  const H = 640;
  const clusters = [...new Set(p.nodes.map((n) => n.group))].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  const pos = new Map<string, { x: number; y: number }>();
  const ring = clusters.length > 1 ? 220 : 0;
  clusters.forEach((g, ci) => {
    const a = (2 * Math.PI * ci) / clusters.length - Math.PI / 2;
    const cx = W / 2 + ring * Math.cos(a);
    const cy = H / 2 + ring * Math.sin(a);
    const members = p.nodes.filter((n) => n.group === g);
    const r = members.length === 1 ? 0 : Math.min(clusters.length > 1 ? 80 : 240, 18 + 9 * members.length);
    members.forEach((n, i) => {
      const b = (2 * Math.PI * i) / members.length - Math.PI / 2;
      pos.set(n.id, { x: cx + r * Math.cos(b), y: cy + r * Math.sin(b) });
    });
  });
  const R = 9;
  const lines = p.edges
    .filter((e) => pos.has(e.from) && pos.has(e.to) && e.from !== e.to)
    .map((e) => {
      const a = pos.get(e.from)!;
      const b = pos.get(e.to)!;
      const d = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const [ux, uy] = [(b.x - a.x) / d, (b.y - a.y) / d];
      // a small sideways offset keeps a → b and b → a apart
      const [ox, oy] = [-uy * 2.5, ux * 2.5];
      const width = 1 + Math.log2(e.weight);
      return `<line x1="${f(a.x + ux * R + ox)}" y1="${f(a.y + uy * R + oy)}" x2="${f(b.x - ux * (R + 3) + ox)}" y2="${f(b.y - uy * (R + 3) + oy)}" stroke="#444444" stroke-opacity="0.55" stroke-width="${f(width)}" marker-end="url(#${esc(p.id)}-arrow)"/>`;
    });
  const dots = p.nodes.map((n) => {
    const { x, y } = pos.get(n.id)!;
    return `<g data-test="network-node"><title>${esc(n.label)}${n.group === null ? ' (no group)' : ` (${esc(p.groups[n.group] ?? '')})`}</title>`
      + `<circle cx="${f(x)}" cy="${f(y)}" r="${R}" fill="${groupColour(n.group)}" stroke="#222222" stroke-width="1"/>`
      + `<text x="${f(x)}" y="${f(y + R + 12)}" text-anchor="middle" font-size="11" fill="#222222">${esc(n.short)}</text></g>`;
  });
  const legendItems = [...p.groups.map((g, i) => ({ name: g, colour: groupColour(i) })), ...(clusters.includes(null) ? [{ name: 'No group', colour: NO_GROUP_COLOUR }] : [])];
  const legend = legendItems.map((g, i) => `<g transform="translate(660 ${30 + i * 22})"><rect width="14" height="14" fill="${g.colour}" stroke="#222222"/><text x="20" y="12" font-size="13" fill="#222222">${esc(g.name)}</text></g>`);
  return open(p, 820, H, 'network-svg')
    + `<defs><marker id="${esc(p.id)}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444444"/></marker></defs>`
    + `<g data-test="network-ties">${lines.join('')}</g><g>${dots.join('')}</g><g data-test="network-legend">${legend.join('')}</g></svg>`;
}

export interface EgoPicture extends Caption {
  /** The people one interacted with, each with interactions both ways. */
  contacts: ReadonlyArray<{ id: string; label: string; given: number; received: number }>;
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
    return `<g data-test="ego-contact"><title>${esc(k.label)}: ${k.given} from you, ${k.received} to you</title>`
      + `<line x1="${c}" y1="${c}" x2="${f(x)}" y2="${f(y)}" stroke="#444444" stroke-opacity="0.6" stroke-width="${f(w)}"/>`
      + `<circle cx="${f(x)}" cy="${f(y)}" r="10" fill="#56B4E9" stroke="#222222"/>`
      + `<text x="${f(x)}" y="${f(y + 24)}" text-anchor="middle" font-size="12" fill="#222222">${esc(k.label)}</text></g>`;
  });
  return open(p, S, S, 'ego-svg', String(S)) + parts.join('')
    + `<circle cx="${c}" cy="${c}" r="16" fill="#E69F00" stroke="#222222"/><text x="${c}" y="${c + 34}" text-anchor="middle" font-size="13" font-weight="bold" fill="#222222">You</text></svg>`;
}

export interface SeriesChart extends Caption {
  labels: readonly string[];
  series: ReadonlyArray<{ name: string; colour: string; values: ReadonlyArray<number | null> }>;
  /** The top of the y axis (e.g. 1 for shares); the largest value when omitted. */
  max?: number;
  /** How a y value is written on the axis. */
  format?: (v: number) => string;
}

const CHART = { w: 640, h: 260, left: 48, right: 16, top: 16, bottom: 48 };

function axes(c: SeriesChart, max: number): string {
  const { w, h, left, right, top, bottom } = CHART;
  const fmt = c.format ?? ((v: number) => f(v));
  const ticks = [0, max / 2, max].map((v) => {
    const y = h - bottom - ((h - top - bottom) * v) / (max || 1);
    return `<line x1="${left}" x2="${w - right}" y1="${f(y)}" y2="${f(y)}" stroke="#cccccc"/><text x="${left - 6}" y="${f(y + 4)}" text-anchor="end" font-size="11" fill="#222222">${esc(fmt(v))}</text>`;
  });
  const step = Math.max(1, Math.ceil(c.labels.length / 8));
  const xs = c.labels.map((l, i) => (i % step === 0 ? `<text x="${f(xAt(i, c.labels.length))}" y="${h - bottom + 18}" text-anchor="middle" font-size="11" fill="#222222">${esc(l)}</text>` : ''));
  const legend = c.series.map((s, i) => `<g transform="translate(${left + i * 170} ${h - 14})"><rect width="12" height="12" y="-10" fill="${s.colour}"/><text x="18" font-size="12" fill="#222222">${esc(s.name)}</text></g>`);
  return ticks.join('') + xs.join('') + legend.join('');
}

function xAt(i: number, n: number): number {
  const { w, left, right } = CHART;
  return n <= 1 ? (left + w - right) / 2 : left + 12 + ((w - left - right - 24) * i) / (n - 1);
}

function maxOf(c: SeriesChart): number {
  return c.max ?? Math.max(1, ...c.series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
}

/** Lines over weeks, one per series; a gap where a value is null. */
export function lineChartSvg(c: SeriesChart): string {
  const { h, top, bottom } = CHART;
  const max = maxOf(c);
  const y = (v: number) => h - bottom - ((h - top - bottom) * v) / max;
  const lines = c.series.map((s) => {
    const pts = s.values.map((v, i) => (v === null ? null : `${f(xAt(i, c.labels.length))},${f(y(v))}`));
    // a null value breaks the line into runs
    const runs = pts.map((p) => p ?? '|').join(' ').split('|').map((r) => r.trim()).filter((r) => r.length > 0);
    return runs.map((r) => `<polyline points="${r}" fill="none" stroke="${s.colour}" stroke-width="2.5"/>`).join('')
      + pts.map((p) => (p ? `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${s.colour}"/>` : '')).join('');
  });
  return open(c, CHART.w, CHART.h, 'line-chart') + axes(c, max) + lines.join('') + '</svg>';
}

/** Bars over weeks, series side by side. */
export function barChartSvg(c: SeriesChart): string {
  const { w, h, left, right, top, bottom } = CHART;
  const max = maxOf(c);
  const slot = (w - left - right - 24) / Math.max(1, c.labels.length);
  const bw = Math.max(2, Math.min(24, (slot * 0.8) / Math.max(1, c.series.length)));
  const bars = c.series.flatMap((s, si) =>
    s.values.map((v, i) => {
      if (!v) return '';
      const bh = ((h - top - bottom) * v) / max;
      const x = xAt(i, c.labels.length) - (bw * c.series.length) / 2 + si * bw;
      return `<rect x="${f(x)}" y="${f(h - bottom - bh)}" width="${f(bw)}" height="${f(bh)}" fill="${s.colour}"><title>${esc(s.name)}, ${esc(c.labels[i] ?? '')}: ${v}</title></rect>`;
    }),
  );
  return open(c, w, h, 'bar-chart') + axes(c, max) + bars.join('') + '</svg>';
}
