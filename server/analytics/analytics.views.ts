// View models for the dashboard pages: figures formatted, pictures drawn (SVG strings made from
// escaped values only), tables beside every picture.
import type { Cohort } from '../../models/schema.ts';
import { i18nFor, type I18n } from '../i18n/i18n.ts';
import { DEFAULT_LOCALE } from '../i18n/locales.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { FactorComparison, GroupHealth, GroupInquiry, SocialCapital, EgoContact, ParticipationRow } from './analytics.service.ts';
import type { QuietLearner } from './quiet-learners.ts';
import { KeptFor } from '../cache/kept-for.ts';
import { MIN_FIVE_FACTOR_ANSWERS } from './analytics.service.ts';
import { COI_RULES, THIN_TEACHING_RULE } from './inquiry-indicators.ts';
import type { NetworkMetrics } from './network-metrics.ts';
import { compactLatin1Html } from '../http/latin1-handlebars.ts';
import { barChartSvg, egoSvg, groupColour, lineChartSvg, networkSvg, GROUP_COLOURS } from './svg-charts.ts';

/** "Learner 2" before "Learner 10"; one collator, not one per comparison (600 learners' ties sort in ~2 ms, not ~30). */
const byLabel = new Intl.Collator('en', { numeric: true }).compare;

export const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
/** A share in the reader's locale ("42 %" in French). */
const pctIn = (i18n: I18n, v: number | null) => (v === null ? '—' : i18n.number(v, { style: 'percent', maximumFractionDigits: 0 }));
const CAMEL = (id: string) => id.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** When the page's figures were computed: `2026-12-04 10:42` (UTC). */
export function figuresAsOfView(asOf: Date) {
  return { iso: asOf.toISOString(), text: asOf.toISOString().slice(0, 16).replace('T', ' ') };
}

export function pageBase(i18n: I18n, cohort: Cohort, who: LaunchContext, current: string, asOf?: Date) {
  const base = `/cohorts/${cohort.id}/console`;
  const pages = ['dashboard', 'social', 'inquiry', 'five-factor', 'report'].map((key) => ({ href: `${base}/${key}`, label: i18n.t(`analytics.nav.${CAMEL(key)}`), key }));
  return {
    cohort: { id: cohort.id, title: cohort.title },
    contentLanguage: cohort.language,
    person: { name: who.displayName },
    consoleHref: base,
    figuresAsOf: asOf ? figuresAsOfView(asOf) : undefined,
    nav: pages.map((p) => ({ ...p, current: p.key === current })),
    exports: ['progress', 'participation', 'edges'].map((k) => ({ href: `${base}/export/${k}.csv`, label: i18n.t(`analytics.dashboard.export.${k}`), kind: k })),
  };
}

/** groupHealthView's result, kept for the figures it was made from (a kept computation's are one frozen object): the page keeps its table by it. */
const keptHealthViews = new WeakMap<GroupHealth, ReturnType<typeof drawGroupHealthView>>();

export function groupHealthView(h: GroupHealth) {
  let view = keptHealthViews.get(h);
  if (!view) keptHealthViews.set(h, (view = drawGroupHealthView(h)));
  return view;
}

function drawGroupHealthView(h: GroupHealth) {
  return {
    weeks: h.weeks,
    groups: h.groups.map((g) => ({ name: g.name, totals: g.totals, weeks: g.weeks.map((w) => ({ ...w, total: w.posts + w.replies + w.kudos })) })),
  };
}

export function quietView(i18n: I18n, cohortId: string, quiet: QuietLearner[], templates: Map<string, string>) {
  return quiet.map((q) => ({
    ...q,
    name: q.name ?? i18n.t('analytics.nameNotShared'),
    lastActive: q.neverLaunched ? i18n.t('analytics.dashboard.neverOpened') : q.lastActiveAt ? i18n.date(q.lastActiveAt, 'short') : i18n.t('analytics.never'),
    action: `/cohorts/${cohortId}/console/nudges/${q.membershipId}`,
    template: templates.get(q.membershipId) ?? '',
  }));
}

function metricsRow(i18n: I18n, label: string, m: NetworkMetrics, labelOf: Map<string, string>) {
  return {
    label,
    members: m.members,
    ties: m.ties,
    interactions: m.interactions,
    density: pctIn(i18n, m.density),
    reciprocity: pctIn(i18n, m.reciprocity),
    crossGroupShare: pctIn(i18n, m.crossGroupShare),
    isolatedCount: m.isolated.length,
    isolated: i18n.list(m.isolated.map((id) => labelOf.get(id) ?? i18n.t('analytics.social.aLearner'))),
  };
}

/**
 * socialView's result, kept for the figures of one computation and the people shown: their `edges`
 * are one frozen object while the kept computation is current (keptFigures holds it), and the
 * people one while no one joins, leaves, moves or is renamed (the app's cohort-people cache); so the
 * view is drawn again when the figures, the people or the reader's locale (one I18n per locale)
 * change. A 600-learner cohort's network is ~0.8 MB of SVG: drawing and encoding it on every request
 * was most of the social page's and the printable report's CPU. The pictures are kept as one-byte
 * Latin-1 text, which the page's encoder then passes as it is.
 */
const keptSocialViews = new KeptFor<[SocialCapital['edges'], SocialCapital['people'], I18n], ReturnType<typeof drawSocialView>>();

export function socialView(i18n: I18n, s: SocialCapital) {
  return keptSocialViews.get([s.edges, s.people, i18n], () => drawSocialView(i18n, s));
}

/**
 * The printable report's table of participation, in the reader's words, kept by the rows it is made
 * from (kept by the people and figures: see participationFrom) so that the page keeps its table.
 */
const keptParticipationViews = new KeptFor<[readonly ParticipationRow[], I18n], { rows: ParticipationRowView[] }>();

type ParticipationRowView = Omit<ParticipationRow, 'name' | 'lastActiveAt'> & { name: string; lastActive: string };

export function participationView(i18n: I18n, rows: readonly ParticipationRow[]) {
  return keptParticipationViews.get([rows, i18n], () => ({
    rows: rows.map(({ lastActiveAt, ...p }) => ({ ...p, name: p.name ?? i18n.t('analytics.nameNotShared'), lastActive: lastActiveAt ? i18n.date(lastActiveAt, 'short') : i18n.t('analytics.never') })),
  }));
}

function drawSocialView(i18n: I18n, s: SocialCapital) {
  const { people } = s;
  // "Learner n" in the reader's words (the service's labels are English), or the name when shown.
  const numberOf = new Map(people.learners.map((l, i) => [l.membershipId, i + 1]));
  const labelOf = new Map(people.learners.map((l, i) => [l.membershipId, people.showNames && l.name ? l.name : i18n.t('analytics.social.learnerNumber', { number: i + 1 })]));
  const groupIndex = new Map(people.groups.map((g, i) => [g.id, i]));
  const nodes = people.nodes.map((n) => {
    const label = labelOf.get(n.id)!;
    const named = people.showNames && people.learners[numberOf.get(n.id)! - 1]?.name;
    return { id: n.id, label, short: named ? label.split(/\s+/)[0]!.slice(0, 12) : i18n.t('analytics.social.learnerShort', { number: numberOf.get(n.id)! }), group: n.groupId ? (groupIndex.get(n.groupId) ?? null) : null };
  });
  const names = people.groups.map((g) => g.name);
  const svg = networkSvg({
    id: 'cohort-network',
    title: i18n.t('analytics.social.chart.networkTitle'),
    desc: i18n.t('analytics.social.chart.networkDesc', { learners: people.nodes.length, groups: people.groups.length, ties: s.cohort.ties }),
    nodes,
    groups: names,
    edges: s.edges,
    noGroup: i18n.t('analytics.social.noGroup'),
  });
  const trendLabels = s.trend.map((t) => t.week.slice(5));
  const trendSvg = s.trend.length === 0 ? '' : lineChartSvg({
    id: 'trend-shares',
    title: i18n.t('analytics.social.chart.trendTitle'),
    desc: i18n.t('analytics.social.chart.trendDesc'),
    labels: trendLabels,
    max: 1,
    format: (v) => pctIn(i18n, v),
    series: [
      { name: i18n.t('analytics.social.density'), colour: GROUP_COLOURS[4]!, values: s.trend.map((t) => t.density) },
      { name: i18n.t('analytics.social.reciprocity'), colour: GROUP_COLOURS[5]!, values: s.trend.map((t) => t.reciprocity) },
      { name: i18n.t('analytics.social.chart.crossGroup'), colour: GROUP_COLOURS[2]!, values: s.trend.map((t) => t.crossGroupShare) },
    ],
  });
  const weeklySvg = s.trend.length === 0 ? '' : barChartSvg({
    id: 'trend-interactions',
    title: i18n.t('analytics.social.chart.weeklyTitle'),
    desc: i18n.t('analytics.social.chart.weeklyDesc'),
    labels: trendLabels,
    integer: true,
    format: (v) => i18n.number(v, { maximumFractionDigits: 1 }),
    series: [{ name: i18n.t('analytics.social.interactions'), colour: GROUP_COLOURS[4]!, values: s.trend.map((t) => t.newInteractions) }],
  });
  return {
    showNames: people.showNames,
    hasTies: s.edges.length > 0,
    hasLearners: people.nodes.length > 0,
    svg: compactLatin1Html(svg),
    trendSvg: compactLatin1Html(trendSvg),
    weeklySvg: compactLatin1Html(weeklySvg),
    legend: [...names.map((n, i) => ({ name: n, colour: groupColour(i) }))],
    cohortRow: metricsRow(i18n, i18n.t('analytics.social.wholeCohort'), s.cohort, labelOf),
    groupRows: s.groups.map((g) => metricsRow(i18n, g.name, g.metrics, labelOf)),
    ties: s.edges
      .map((e) => ({ from: labelOf.get(e.from)!, to: labelOf.get(e.to)!, weight: e.weight, replies: e.replies, kudos: e.kudos, mentions: e.mentions }))
      .sort((a, b) => b.weight - a.weight || byLabel(a.from, b.from) || byLabel(a.to, b.to)),
    nodes: nodes.map((n) => ({ label: n.label, group: n.group === null ? i18n.t('analytics.social.noGroup') : names[n.group] })).sort((a, b) => byLabel(a.label, b.label)),
    trend: s.trend.map((t) => ({ week: t.week, ties: t.ties, density: pctIn(i18n, t.density), reciprocity: pctIn(i18n, t.reciprocity), crossGroupShare: pctIn(i18n, t.crossGroupShare), newInteractions: t.newInteractions, isolated: t.isolated.length })),
  };
}

/** A rule's words in the catalogs (COI_RULES keeps their English, beside the code that applies them). */
const ruleText = (i18n: I18n, id: string) => ({ label: i18n.t(`analytics.inquiry.rule.${CAMEL(id)}.label`), rule: i18n.t(`analytics.inquiry.rule.${CAMEL(id)}.rule`) });

/** inquiryView's result, kept by the kept figures' groups (one frozen array while they are current) and the reader's I18n: the report keeps its table by it. */
const keptInquiryViews = new KeptFor<[readonly GroupInquiry[], I18n], ReturnType<typeof makeInquiryView>>();

export function inquiryView(i18n: I18n, groups: readonly GroupInquiry[]) {
  return keptInquiryViews.get([groups, i18n], () => makeInquiryView(i18n, groups));
}

function makeInquiryView(i18n: I18n, groups: readonly GroupInquiry[]) {
  void THIN_TEACHING_RULE;
  return {
    thinRule: i18n.t('analytics.inquiry.thinRule'),
    rules: (['social', 'cognitive', 'teaching'] as const).map((presence) => ({
      presence,
      rules: COI_RULES.filter((r) => r.presence === presence).map((r) => ruleText(i18n, r.id)),
    })),
    columns: COI_RULES.map((r) => ({ id: r.id, label: ruleText(i18n, r.id).label })),
    groups: groups.map((g) => ({
      name: g.name,
      ...g.indicators,
      cells: COI_RULES.map((r) => g.indicators.byRule[r.id] ?? 0),
    })),
    thinGroups: groups.filter((g) => g.indicators.thinTeaching).map((g) => g.name),
    thinGroupList: i18n.list(groups.filter((g) => g.indicators.thinTeaching).map((g) => g.name)),
  };
}

export function fiveFactorView(i18n: I18n, factors: FactorComparison[]) {
  const mean = (m: number | null) => (m === null ? '—' : i18n.number(m, { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
  const svg = factors.some((f) => f.start.mean !== null || f.end.mean !== null)
    ? barChartSvg({
      id: 'five-factor',
      title: i18n.t('analytics.fiveFactor.chart.title'),
      desc: i18n.t('analytics.fiveFactor.chart.desc'),
      labels: factors.map((f) => f.label.split(' ')[0]!),
      max: 5,
      format: (v) => i18n.number(v, { maximumFractionDigits: 1 }),
      series: [
        // Okabe–Ito orange and blue: told apart with any colour vision, unlike two blues
        { name: i18n.t('analytics.fiveFactor.chart.start'), colour: GROUP_COLOURS[0]!, values: factors.map((f) => f.start.mean) },
        { name: i18n.t('analytics.fiveFactor.chart.end'), colour: GROUP_COLOURS[4]!, values: factors.map((f) => f.end.mean) },
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
      change: f.start.mean !== null && f.end.mean !== null ? i18n.number(f.end.mean - f.start.mean, { signDisplay: 'always', minimumFractionDigits: 1, maximumFractionDigits: 1 }) : '—',
    })),
  };
}

/** A learner's own network, in their language (English for the personal export's data file). */
export function egoView(ego: EgoContact[], i18n: I18n = i18nFor(DEFAULT_LOCALE)) {
  const contacts = ego.map((c) => ({ ...c, name: c.name ?? i18n.t(c.facilitator ? 'analytics.ego.aFacilitator' : 'analytics.ego.someone') }));
  return {
    contacts: contacts.map((c) => ({ name: c.name, given: c.given, received: c.received })),
    svg: contacts.length === 0 ? '' : egoSvg({
      id: 'own-network',
      title: i18n.t('analytics.ego.title'),
      desc: i18n.t('analytics.ego.desc', { count: contacts.length }),
      you: i18n.t('analytics.ego.you'),
      contactTitle: (k) => i18n.t('analytics.ego.contactTitle', { name: k.label, given: k.given, received: k.received }),
      contacts: contacts.map((c) => ({ id: c.membershipId, label: c.name, given: c.given, received: c.received })),
    }),
  };
}
