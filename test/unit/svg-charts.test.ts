// The facilitator's pictures (issue 16 item 10): numbers written properly ("2.5", an axis from 0 that
// no bar hides), colours told apart with any colour vision, a network that uses its space with
// labels no arrow runs over, and everything inside the picture's viewBox.
import { expect } from 'chai';
import { parse, type HTMLElement } from 'node-html-parser';
import { axisTicks, barChartSvg, formatNumber, lineChartSvg, networkSvg, GROUP_COLOURS, type DrawnNode } from '../../server/analytics/svg-charts.ts';
import { fiveFactorView, socialView } from '../../server/analytics/analytics.views.ts';
import type { FactorComparison } from '../../server/analytics/analytics.service.ts';
import { i18nFor } from '../../server/i18n/i18n.ts';

/** A presentation attribute as SVG inherits it: the element's own, else its nearest ancestor's. */
function attr(e: HTMLElement, a: string): string | undefined {
  for (let n: HTMLElement | null = e; n; n = n.parentNode) if (n.hasAttribute?.(a)) return n.getAttribute(a);
  return undefined;
}
const num = (e: HTMLElement, a: string) => Number(attr(e, a));
const viewBox = (svg: HTMLElement) => svg.getAttribute('viewBox')!.split(' ').map(Number) as [number, number, number, number];

/** Hue in degrees of a #rrggbb colour. */
function hue(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

const factor = (label: string, start: number | null, end: number | null): FactorComparison => ({ id: label.toLowerCase(), label, start: { mean: start, answers: 3 }, end: { mean: end, answers: 3 } }) as unknown as FactorComparison;

describe('SVG charts', () => {
  it('writes numbers as people do: "2.5", "3", one decimal at most', () => {
    expect([2.5, 3, 10 / 3, 2.96, 0].map(formatNumber)).to.deep.equal(['2.5', '3', '3.3', '3', '0']);
  });

  it('puts round ticks on the axis from 0, whole numbers for counts', () => {
    expect(axisTicks(5)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(axisTicks(1)).to.deep.equal([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(axisTicks(7, true)).to.deep.equal([0, 2, 4, 6, 8]);
    expect(axisTicks(1, true)).to.deep.equal([0, 1]);
    expect(axisTicks(0, true)).to.deep.equal([0, 1]);
  });

  it('writes the five-factor chart in the reader\'s language: its title, series and "2,5" in French', () => {
    const { svg } = fiveFactorView(i18nFor('fr'), [factor('Intention', 2.5, 3.5)]);
    const doc = parse(svg).querySelector('svg')!;
    expect(doc.querySelector('title')!.text).to.equal('Bilan des cinq facteurs : moyenne de la cohorte au début et à la fin');
    expect(doc.querySelectorAll('text').map((t) => t.text)).to.include.members(['2,5', '3,5', 'Début (module 1)']);
  });

  it('draws the five-factor chart with "2.5" on its bar, a 0 on the axis clear of the first bar, and an orange and a blue', () => {
    const { svg } = fiveFactorView(i18nFor('en'), [factor('Intention', 2.5, 3.5), factor('Individual propensity and skill', 3, 4), factor('Relationship strength', 10 / 3, 4.1), factor('Activity match', null, 2), factor('Tool access', 4, 5)]);
    const doc = parse(svg).querySelector('svg')!;
    const texts = doc.querySelectorAll('text');
    const values = texts.map((t) => t.text);
    expect(values).to.include.members(['2.5', '3.5', '3.3', '4.1']);
    expect(values.filter((v) => /^\d+\.$/.test(v)), 'no number cut after its point').to.deep.equal([]);
    expect(doc.querySelectorAll('rect title').map((t) => t.text)).to.include('Start (module 1), Intention: 2.5');
    // the axis: 0 to 5 in whole steps, its 0 left of every bar
    const zero = texts.find((t) => t.text === '0' && t.getAttribute('text-anchor') === 'end')!;
    expect(zero, 'a 0 on the axis').to.not.equal(undefined);
    const bars = doc.querySelectorAll('rect').filter((r) => r.querySelector('title'));
    expect(Math.min(...bars.map((r) => num(r, 'x')))).to.be.greaterThan(num(zero, 'x') + 4);
    expect(texts.filter((t) => t.getAttribute('text-anchor') === 'end').map((t) => t.text)).to.deep.equal(['0', '1', '2', '3', '4', '5']);
    // every factor named under its bars
    expect(values).to.include.members(['Intention', 'Individual', 'Relationship', 'Activity', 'Tool']);
    // start and end: two hues far apart (not two blues), both Okabe–Ito
    const fills = [...new Set(bars.map((r) => r.getAttribute('fill')!))];
    expect(fills).to.have.length(2);
    for (const c of fills) expect(GROUP_COLOURS.slice(0, 7)).to.include(c);
    const gap = Math.abs(hue(fills[0]!) - hue(fills[1]!));
    expect(Math.min(gap, 360 - gap), `${fills.join(' and ')} are too alike`).to.be.greaterThan(90);
  });

  it('tells a line chart’s series apart by dash as well as colour, and keeps its legend inside the picture', () => {
    const svg = lineChartSvg({ id: 'l', title: 't', desc: 'd', labels: ['W45', 'W46', 'W47'], max: 1, format: (v) => `${Math.round(v * 100)}%`, series: [
      { name: 'Density', colour: GROUP_COLOURS[4]!, values: [0.1, 0.2, 0.3] },
      { name: 'Reciprocity with a long name', colour: GROUP_COLOURS[5]!, values: [0, 0.5, 0.6] },
      { name: 'Ties crossing groups, cumulative', colour: GROUP_COLOURS[2]!, values: [0, 0.1, 0.2] },
    ] });
    const doc = parse(svg).querySelector('svg')!;
    const dashes = doc.querySelectorAll('polyline').map((p) => p.getAttribute('stroke-dasharray') ?? 'solid');
    expect(new Set(dashes).size).to.equal(3);
    const [, , w, h] = viewBox(doc);
    for (const g of doc.querySelectorAll('g[transform]')) {
      const [x, y] = /translate\(([\d.]+) ([\d.]+)\)/.exec(g.getAttribute('transform')!)!.slice(1).map(Number) as [number, number];
      const text = g.querySelector('text')!;
      const name = text.text;
      expect(x + 24 + name.length * num(text, 'font-size') * 0.58, name).to.be.at.most(w + 1);
      expect(y, name).to.be.at.most(h);
    }
    expect(doc.querySelectorAll('text').map((t) => t.text)).to.include.members(['0%', '100%']);
  });

  describe('the network', () => {
    const groups = ['Group A', 'Group B', 'Group C', 'Group D'];
    const nodes: DrawnNode[] = Array.from({ length: 18 }, (_, i) => ({ id: `n${i + 1}`, label: `Learner ${i + 1}`, short: `L${i + 1}`, group: i < 16 ? i % 4 : null }));
    const edges = nodes.flatMap((a, i) => nodes.filter((_, j) => j !== i && ((i + 1) * (j + 1)) % 5 === 1).map((b) => ({ from: a.id, to: b.id, weight: 1 + (i % 3) })));
    const doc = parse(networkSvg({ id: 'net', title: 't', desc: 'd', noGroup: 'No group', groups, nodes, edges })).querySelector('svg')!;
    const [, , W, H] = viewBox(doc);
    const circles = doc.querySelectorAll('[data-test=network-node] circle').map((c) => ({ x: num(c, 'cx'), y: num(c, 'cy'), r: num(c, 'r') }));
    const labels = doc.querySelectorAll('[data-test=network-labels] text');
    const lines = doc.querySelectorAll('[data-test=network-ties] line');

    /** A label's box, from its anchor and an average glyph width (generous: 0.62 em). */
    const box = (t: HTMLElement) => {
      const size = num(t, 'font-size');
      const w = t.text.length * size * 0.62;
      const x = num(t, 'x');
      const left = t.getAttribute('text-anchor') === 'start' ? x : t.getAttribute('text-anchor') === 'end' ? x - w : x - w / 2;
      return { left, right: left + w, top: num(t, 'y') - size, bottom: num(t, 'y') + size * 0.25 };
    };

    it('draws a dot per learner and a line per tie, all inside the picture, using most of its width', () => {
      expect(circles).to.have.length(18);
      expect(lines.length).to.equal(edges.length);
      for (const c of circles) {
        expect(c.x - c.r).to.be.at.least(0);
        expect(c.x + c.r).to.be.at.most(W);
        expect(c.y + c.r).to.be.at.most(H);
      }
      const xs = circles.map((c) => c.x);
      expect(Math.max(...xs) - Math.min(...xs), 'the dots spread over the picture').to.be.greaterThan(W * 0.55);
      for (const t of labels) {
        const b = box(t);
        expect(b.left, t.text).to.be.at.least(0);
        expect(b.right, t.text).to.be.at.most(W);
      }
    });

    it('labels every dot beside it, never on a dot, above the lines with a halo, and no arrowhead lands on a label', () => {
      expect(labels).to.have.length(18);
      const order = doc.querySelectorAll('g[data-test]').map((g) => g.getAttribute('data-test'));
      expect(order.indexOf('network-labels')).to.be.greaterThan(order.indexOf('network-ties'));
      for (const t of labels) {
        expect(attr(t, 'paint-order'), t.text).to.equal('stroke');
        expect(attr(t, 'stroke'), t.text).to.equal('#ffffff');
        expect(num(t, 'font-size')).to.be.at.least(13);
        const b = box(t);
        for (const c of circles) {
          const inside = c.x + c.r > b.left && c.x - c.r < b.right && c.y + c.r > b.top && c.y - c.r < b.bottom;
          expect(inside, `${t.text} on a dot at ${c.x},${c.y}`).to.equal(false);
        }
        for (const l of lines) {
          const [x, y] = [num(l, 'x2'), num(l, 'y2')];
          expect(x > b.left && x < b.right && y > b.top && y < b.bottom, `an arrowhead on ${t.text}`).to.equal(false);
        }
      }
    });

    // Cohorts of other shapes: a few learners without a group, many small groups, one big group.
    for (const [learners, groupCount, ungrouped] of [[14, 4, 2], [6, 2, 0], [24, 6, 0], [30, 8, 2], [12, 1, 0], [20, 0, 20]] as const) {
      it(`keeps every label off every dot and every other label: ${learners} learners, ${groupCount} groups, ${ungrouped} without one`, () => {
        const names = Array.from({ length: groupCount }, (_, i) => `Group ${i + 1}`);
        const ns: DrawnNode[] = Array.from({ length: learners }, (_, i) => ({ id: `p${i}`, label: `Learner ${i + 1}`, short: `L${i + 1}`, group: i < learners - ungrouped ? i % Math.max(1, groupCount) : null }));
        const es = ns.flatMap((a, i) => ns.filter((_, j) => j !== i && ((i + 1) * (j + 2)) % 7 === 1).map((b) => ({ from: a.id, to: b.id, weight: 1 })));
        const svg = parse(networkSvg({ id: 's', title: 't', desc: 'd', noGroup: 'No group', groups: names, nodes: ns, edges: es })).querySelector('svg')!;
        const [, , w] = viewBox(svg);
        const dots = svg.querySelectorAll('[data-test=network-node] circle').map((c) => ({ x: num(c, 'cx'), y: num(c, 'cy'), r: num(c, 'r') }));
        const boxes = svg.querySelectorAll('[data-test=network-labels] text').map((t) => ({ name: t.text, ...box(t) }));
        const clashes: string[] = [];
        for (const [i, b] of boxes.entries()) {
          if (b.left < 0 || b.right > w) clashes.push(`${b.name} leaves the picture`);
          for (const c of dots) if (c.x + c.r > b.left && c.x - c.r < b.right && c.y + c.r > b.top && c.y - c.r < b.bottom) clashes.push(`${b.name} on a dot at ${c.x},${c.y}`);
          for (const o of boxes.slice(i + 1)) if (o.left < b.right && o.right > b.left && o.top < b.bottom && o.bottom > b.top) clashes.push(`${b.name} on ${o.name}`);
          for (const l of svg.querySelectorAll('[data-test=network-ties] line')) {
            const [x, y] = [num(l, 'x2'), num(l, 'y2')];
            if (x > b.left && x < b.right && y > b.top && y < b.bottom) clashes.push(`an arrowhead on ${b.name}`);
          }
        }
        expect(clashes).to.deep.equal([]);
      });
    }

    it('draws every tie as an arrow, thicker with more interactions', () => {
      for (const l of lines) expect(attr(l, 'marker-end')).to.equal('url(#net-arrow)');
      const width = new Map(lines.map((l, i) => [edges[i]!.weight, num(l, 'stroke-width')]));
      expect([...width].sort((a, b) => a[0] - b[0]).map(([, w]) => w)).to.deep.equal([1, 2, 2.6]);
    });

    it('ends each arrow at the edge of its dot, not inside it', () => {
      for (const l of lines) {
        const [x, y] = [num(l, 'x2'), num(l, 'y2')];
        const nearest = Math.min(...circles.map((c) => Math.hypot(c.x - x, c.y - y) - c.r));
        expect(nearest).to.be.at.least(0);
      }
    });

    it('lays its legend out in rows inside the picture', () => {
      const many = parse(networkSvg({ id: 'm', title: 't', desc: 'd', noGroup: 'No group', groups: Array.from({ length: 9 }, (_, i) => `A rather long group name ${i + 1}`), nodes: Array.from({ length: 9 }, (_, i) => ({ id: `m${i}`, label: `L${i}`, short: `L${i}`, group: i })), edges: [] })).querySelector('svg')!;
      const [, , w, h] = viewBox(many);
      const items = many.querySelectorAll('[data-test=network-legend] g');
      expect(items).to.have.length(9);
      for (const g of items) {
        const [x, y] = /translate\(([\d.]+) ([\d.]+)\)/.exec(g.getAttribute('transform')!)!.slice(1).map(Number) as [number, number];
        const text = g.querySelector('text')!;
        expect(x + 22 + text.text.length * num(text, 'font-size') * 0.58).to.be.at.most(w);
        expect(y + 16).to.be.at.most(h);
      }
    });
  });

  it('draws the social page once per figures, people and language, and again when the people shown differ', () => {
    const figures = {
      edges: Object.freeze([{ from: 'm1', to: 'm2', weight: 1, replies: 1, kudos: 0, mentions: 0 }]),
      cohort: { members: 2, ties: 1, interactions: 1, density: 0.5, reciprocity: 0, crossGroupShare: 0, isolated: [] }, groups: [], trend: [],
    };
    const people = (showNames: boolean, name: string) => ({
      nodes: [{ id: 'm1', groupId: null }, { id: 'm2', groupId: null }],
      groups: [],
      learners: [{ membershipId: 'm1', name, groupId: null }, { membershipId: 'm2', name: 'Bo', groupId: null }],
      showNames,
    });
    const view = (p: ReturnType<typeof people>, locale = 'en') => socialView(i18nFor(locale as 'en'), { ...figures, people: p, asOf: new Date() } as unknown as Parameters<typeof socialView>[1]);
    // The app keeps a cohort's people as one object until they change: what is drawn is kept by it.
    const ana = people(false, 'Ana');
    const hidden = view(ana);
    expect(view(ana), 'the same figures and people: drawn once').to.equal(hidden);
    expect(view(ana, 'fr'), 'in another language: drawn again').to.not.equal(hidden);
    expect(hidden.svg).not.to.contain('Ana');
    expect(view(people(true, 'Ana')).svg).to.contain('Ana');
    expect(view(people(true, 'Ann')).ties[0]!.from).to.equal('Ann');
    expect(parse(view(people(true, 'Ann'), 'fr').svg).querySelector('title')!.text).to.equal(i18nFor('fr').t('analytics.social.chart.networkTitle'));
  });

  it('counts weekly interactions in whole numbers on the social page', () => {
    const v = socialView(i18nFor('en'), {
      people: { nodes: [], groups: [], learners: [], showNames: false },
      edges: [], cohort: { members: 0, ties: 0, interactions: 0, density: null, reciprocity: null, crossGroupShare: null, isolated: [] }, groups: [],
      trend: [{ week: '2026-W48', ties: 1, density: 0.1, reciprocity: 0, crossGroupShare: 0, newInteractions: 1, isolated: [] }],
    } as unknown as Parameters<typeof socialView>[1]);
    const axis = parse(v.weeklySvg).querySelectorAll('text[text-anchor=end]').map((t) => t.text);
    expect(axis).to.deep.equal(['0', '1']);
  });
});
