// View models for the dashboard pages: figures formatted, pictures drawn (SVG strings made from
// escaped values only), tables beside every picture.
import type { Cohort } from '../../models/schema.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { FactorComparison, GroupHealth, GroupInquiry, QuietLearner, SocialCapital, EgoContact } from './analytics.service.ts';
import { MIN_FIVE_FACTOR_ANSWERS } from './analytics.service.ts';
import { COI_RULES, THIN_TEACHING_RULE } from './inquiry-indicators.ts';
import type { NetworkMetrics } from './network-metrics.ts';
import { barChartSvg, egoSvg, groupColour, lineChartSvg, networkSvg, GROUP_COLOURS } from './svg-charts.ts';

/** "Learner 2" before "Learner 10"; one collator, not one per comparison (600 learners' ties sort in ~2 ms, not ~30). */
const byLabel = new Intl.Collator('en', { numeric: true }).compare;

export const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : 'Never');

/** When the page's figures were computed: `2026-12-04 10:42` (UTC). */
export function figuresAsOfView(asOf: Date) {
  return { iso: asOf.toISOString(), text: asOf.toISOString().slice(0, 16).replace('T', ' ') };
}

export function pageBase(cohort: Cohort, who: LaunchContext, current: string, asOf?: Date) {
  const base = `/cohorts/${cohort.id}/console`;
  const pages = [
    { href: `${base}/dashboard`, label: 'Dashboard', key: 'dashboard' },
    { href: `${base}/social`, label: 'Social capital', key: 'social' },
    { href: `${base}/inquiry`, label: 'Community of Inquiry', key: 'inquiry' },
    { href: `${base}/five-factor`, label: 'Five-factor check', key: 'five-factor' },
    { href: `${base}/report`, label: 'Printable report', key: 'report' },
  ];
  return {
    cohort: { id: cohort.id, title: cohort.title },
    person: { name: who.displayName },
    consoleHref: base,
    figuresAsOf: asOf ? figuresAsOfView(asOf) : undefined,
    nav: pages.map((p) => ({ ...p, current: p.key === current })),
    exports: ['progress', 'participation', 'edges'].map((k) => ({ href: `${base}/export/${k}.csv`, label: k === 'edges' ? 'Edge list (anonymised)' : k[0]!.toUpperCase() + k.slice(1), kind: k })),
  };
}

export function groupHealthView(h: GroupHealth) {
  return {
    weeks: h.weeks,
    groups: h.groups.map((g) => ({ name: g.name, totals: g.totals, weeks: g.weeks.map((w) => ({ ...w, total: w.posts + w.replies + w.kudos })) })),
  };
}

export function quietView(cohortId: string, quiet: QuietLearner[], templates: Map<string, string>) {
  return quiet.map((q) => ({
    ...q,
    name: q.name ?? 'Name not shared',
    lastActive: q.neverLaunched ? 'Never opened Circlework' : q.lastActiveAt ? day(q.lastActiveAt) : 'Never',
    action: `/cohorts/${cohortId}/console/nudges/${q.membershipId}`,
    template: templates.get(q.membershipId) ?? '',
  }));
}

function metricsRow(label: string, m: NetworkMetrics, labelOf: Map<string, string>) {
  return {
    label,
    members: m.members,
    ties: m.ties,
    interactions: m.interactions,
    density: pct(m.density),
    reciprocity: pct(m.reciprocity),
    crossGroupShare: pct(m.crossGroupShare),
    isolatedCount: m.isolated.length,
    isolated: m.isolated.map((id) => labelOf.get(id) ?? 'Learner').join(', '),
  };
}

export function socialView(s: SocialCapital) {
  const { people } = s;
  const groupIndex = new Map(people.groups.map((g, i) => [g.id, i]));
  const nodes = people.nodes.map((n) => {
    const label = people.labelOf.get(n.id)!;
    return { id: n.id, label, short: people.showNames ? label.split(/\s+/)[0]!.slice(0, 12) : `L${label.replace(/^Learner /, '')}`, group: n.groupId ? (groupIndex.get(n.groupId) ?? null) : null };
  });
  const names = people.groups.map((g) => g.name);
  const svg = networkSvg({
    id: 'cohort-network',
    title: 'The cohort’s interaction network',
    desc: `${people.nodes.length} learners in ${people.groups.length} groups, ${s.cohort.ties} ties. Each dot is a learner, coloured by group; each arrow is a tie from the person who replied, gave kudos or mentioned to the person who received it. The table below lists every tie.`,
    nodes,
    groups: names,
    edges: s.edges,
  });
  const trendLabels = s.trend.map((t) => t.week.slice(5));
  const trendSvg = s.trend.length === 0 ? '' : lineChartSvg({
    id: 'trend-shares',
    title: 'Density, reciprocity and cross-group ties, week by week',
    desc: 'Cumulative figures at the end of each ISO week, from 0% to 100%. The table below gives the same figures.',
    labels: trendLabels,
    max: 1,
    format: (v) => `${Math.round(v * 100)}%`,
    series: [
      { name: 'Density', colour: GROUP_COLOURS[4]!, values: s.trend.map((t) => t.density) },
      { name: 'Reciprocity', colour: GROUP_COLOURS[5]!, values: s.trend.map((t) => t.reciprocity) },
      { name: 'Cross-group', colour: GROUP_COLOURS[2]!, values: s.trend.map((t) => t.crossGroupShare) },
    ],
  });
  const weeklySvg = s.trend.length === 0 ? '' : barChartSvg({
    id: 'trend-interactions',
    title: 'Interactions between learners, per week',
    desc: 'Replies, kudos and mentions between learners in each ISO week. The table below gives the same numbers.',
    labels: trendLabels,
    integer: true,
    series: [{ name: 'Interactions', colour: GROUP_COLOURS[4]!, values: s.trend.map((t) => t.newInteractions) }],
  });
  return {
    showNames: people.showNames,
    hasTies: s.edges.length > 0,
    hasLearners: people.nodes.length > 0,
    svg,
    trendSvg,
    weeklySvg,
    legend: [...names.map((n, i) => ({ name: n, colour: groupColour(i) }))],
    cohortRow: metricsRow('Whole cohort', s.cohort, people.labelOf),
    groupRows: s.groups.map((g) => metricsRow(g.name, g.metrics, people.labelOf)),
    ties: s.edges
      .map((e) => ({ from: people.labelOf.get(e.from)!, to: people.labelOf.get(e.to)!, weight: e.weight, replies: e.replies, kudos: e.kudos, mentions: e.mentions }))
      .sort((a, b) => b.weight - a.weight || byLabel(a.from, b.from) || byLabel(a.to, b.to)),
    nodes: nodes.map((n) => ({ label: n.label, group: n.group === null ? 'No group' : names[n.group] })).sort((a, b) => byLabel(a.label, b.label)),
    trend: s.trend.map((t) => ({ week: t.week, ties: t.ties, density: pct(t.density), reciprocity: pct(t.reciprocity), crossGroupShare: pct(t.crossGroupShare), newInteractions: t.newInteractions, isolated: t.isolated.length })),
  };
}

export function inquiryView(groups: GroupInquiry[]) {
  return {
    thinRule: THIN_TEACHING_RULE,
    rules: (['social', 'cognitive', 'teaching'] as const).map((presence) => ({
      presence: presence[0]!.toUpperCase() + presence.slice(1),
      rules: COI_RULES.filter((r) => r.presence === presence).map((r) => ({ label: r.label, rule: r.rule })),
    })),
    columns: COI_RULES.map((r) => ({ id: r.id, label: r.label })),
    groups: groups.map((g) => ({
      name: g.name,
      ...g.indicators,
      cells: COI_RULES.map((r) => g.indicators.byRule[r.id] ?? 0),
    })),
    thinGroups: groups.filter((g) => g.indicators.thinTeaching).map((g) => g.name),
  };
}

export function fiveFactorView(factors: FactorComparison[]) {
  const mean = (m: number | null) => (m === null ? '—' : m.toFixed(1));
  const svg = factors.some((f) => f.start.mean !== null || f.end.mean !== null)
    ? barChartSvg({
      id: 'five-factor',
      title: 'Five-factor check: cohort average at the start and at the end',
      desc: 'Average rating from 1 to 5 for each factor, at module 1 and module 9. The table gives the same figures.',
      labels: factors.map((f) => f.label.split(' ')[0]!),
      max: 5,
      series: [
        // Okabe–Ito orange and blue: told apart with any colour vision, unlike two blues
        { name: 'Start (module 1)', colour: GROUP_COLOURS[0]!, values: factors.map((f) => f.start.mean) },
        { name: 'End (module 9)', colour: GROUP_COLOURS[4]!, values: factors.map((f) => f.end.mean) },
      ],
    })
    : '';
  return {
    minAnswers: MIN_FIVE_FACTOR_ANSWERS,
    svg,
    factors: factors.map((f) => ({
      label: f.label,
      startMean: mean(f.start.mean),
      endMean: mean(f.end.mean),
      startAnswers: f.start.answers,
      endAnswers: f.end.answers,
      change: f.start.mean !== null && f.end.mean !== null ? `${f.end.mean - f.start.mean >= 0 ? '+' : ''}${(f.end.mean - f.start.mean).toFixed(1)}` : '—',
    })),
  };
}

export function egoView(contacts: EgoContact[]) {
  return {
    contacts: contacts.map((c) => ({ name: c.name, given: c.given, received: c.received })),
    svg: contacts.length === 0 ? '' : egoSvg({
      id: 'own-network',
      title: 'Your network in this cohort',
      desc: `You in the middle and the ${contacts.length} people you have replied to, thanked or mentioned, or who did so to you. Thicker lines mean more interactions. The table lists them.`,
      contacts: contacts.map((c) => ({ id: c.membershipId, label: c.name, given: c.given, received: c.received })),
    }),
  };
}
