// Seeing the cohort: the facilitator dashboard's figures (group health, who has gone quiet, social
// capital, Community of Inquiry, five-factor aggregates, exports) and a person's own ego network.
// Every function takes the launch context and checks the role; queries are scoped by tenant.
import type { Db } from '../../models/db.ts';
import * as analytics from '../../models/analytics.queries.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { Workshop } from '../modules/workshop-content.ts';
import { FIVE_FACTORS, FIVE_FACTOR_CHECK_MODULES } from '../modules/workshop-content.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { cohortMetrics, groupMetrics, isoWeek, weeklyTrend, weeksBetween, type NetworkMetrics, type NetworkNode, type WeekPoint } from './network-metrics.ts';
import { inquiryIndicators, type InquiryIndicators } from './inquiry-indicators.ts';

export interface AnalyticsDeps {
  db: Db;
  workshop: Workshop;
  now: () => Date;
  queue?: JobQueue | undefined;
}

export const DEFAULT_QUIET_DAYS = 7;
/** Below this many answers a five-factor aggregate would give away individual ratings. */
export const MIN_FIVE_FACTOR_ANSWERS = 3;
const DAY = 86_400_000;

function facilitatorOnly(who: LaunchContext, action: string): void {
  if (who.role !== 'facilitator') throw new ForbiddenError(action, 'Only the cohort’s facilitators see this page.');
}

export async function analyticsSettings(deps: AnalyticsDeps, who: LaunchContext) {
  const s = await analytics.findAnalyticsSettings(deps.db, who.tenantId, who.cohortId);
  return { quietDays: s?.quietDays ?? DEFAULT_QUIET_DAYS, showNames: s?.showNames ?? false };
}

export async function saveAnalyticsSettings(deps: AnalyticsDeps, who: LaunchContext, s: { quietDays: number; showNames: boolean }): Promise<void> {
  facilitatorOnly(who, 'analytics-settings');
  await analytics.upsertAnalyticsSettings(deps.db, { tenantId: who.tenantId, cohortId: who.cohortId, ...s });
}

export interface CohortPeople {
  nodes: NetworkNode[];
  groups: Array<{ id: string; name: string }>;
  /** "Learner n" (or the name when the cohort shows names), by membership id. */
  labelOf: Map<string, string>;
  learners: Awaited<ReturnType<typeof analytics.listLearners>>;
  showNames: boolean;
}

/** The learners as the network sees them: anonymised "Learner 1..n" unless the cohort shows names. */
async function cohortPeople(deps: AnalyticsDeps, who: LaunchContext): Promise<CohortPeople> {
  const [learners, groups, settings] = await Promise.all([
    analytics.listLearners(deps.db, who.tenantId, who.cohortId),
    analytics.listGroupsOf(deps.db, who.tenantId, who.cohortId),
    analyticsSettings(deps, who),
  ]);
  const labelOf = new Map(learners.map((l, i) => [l.membershipId, settings.showNames && l.name ? l.name : `Learner ${i + 1}`]));
  return { nodes: learners.map((l) => ({ id: l.membershipId, groupId: l.groupId })), groups, labelOf, learners, showNames: settings.showNames };
}

export interface QuietLearner {
  membershipId: string;
  name: string | null;
  lastActiveAt: Date | null;
  daysQuiet: number;
  nudgedToday: boolean;
}

/** The UTC day of `d` as YYYY-MM-DD: nudges are counted per such day. */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Learners with no activity (post, reply, kudos given, activity response, launch) for at least the
 * cohort's quiet days; someone never active counts from when they joined. Longest quiet first.
 */
export async function quietLearners(deps: AnalyticsDeps, who: LaunchContext, nudgedToday: ReadonlySet<string>): Promise<{ quietDays: number; quiet: QuietLearner[] }> {
  facilitatorOnly(who, 'quiet-learners');
  const [settings, learners, activity] = await Promise.all([
    analyticsSettings(deps, who),
    analytics.listLearners(deps.db, who.tenantId, who.cohortId),
    analytics.listLastActivity(deps.db, who.tenantId, who.cohortId),
  ]);
  const now = deps.now().getTime();
  const last = new Map(activity.map((a) => [a.membershipId, a.lastActiveAt]));
  const quiet = learners
    .map((l) => {
      const lastActiveAt = last.get(l.membershipId) ?? null;
      const since = (lastActiveAt ?? l.joinedAt).getTime();
      return { membershipId: l.membershipId, name: l.name, lastActiveAt, daysQuiet: Math.floor((now - since) / DAY), nudgedToday: nudgedToday.has(l.membershipId) };
    })
    .filter((q) => q.daysQuiet >= settings.quietDays)
    .sort((a, b) => b.daysQuiet - a.daysQuiet || (a.name ?? '').localeCompare(b.name ?? ''));
  return { quietDays: settings.quietDays, quiet };
}

export interface GroupHealth {
  weeks: string[];
  groups: Array<{ id: string; name: string; weeks: Array<{ week: string; posts: number; replies: number; kudos: number }>; totals: { posts: number; replies: number; kudos: number } }>;
}

/** Threads opened, replies and kudos per group per ISO week, from the first active week to now. */
export async function groupHealth(deps: AnalyticsDeps, who: LaunchContext): Promise<GroupHealth> {
  facilitatorOnly(who, 'group-health');
  const [groups, rows] = await Promise.all([analytics.listGroupsOf(deps.db, who.tenantId, who.cohortId), analytics.listGroupHealth(deps.db, who.tenantId, who.cohortId)]);
  const weeks = rows.length === 0 ? [] : fillWeeks(rows.map((r) => r.week), deps.now());
  return {
    weeks,
    groups: groups.map((g) => {
      const mine = rows.filter((r) => r.groupId === g.id);
      const perWeek = weeks.map((week) => {
        const r = mine.find((x) => x.week === week);
        return { week, posts: r?.posts ?? 0, replies: r?.replies ?? 0, kudos: r?.kudos ?? 0 };
      });
      const totals = perWeek.reduce((t, w) => ({ posts: t.posts + w.posts, replies: t.replies + w.replies, kudos: t.kudos + w.kudos }), { posts: 0, replies: 0, kudos: 0 });
      return { id: g.id, name: g.name, weeks: perWeek, totals };
    }),
  };
}

/** Every ISO week from the earliest given to the later of the latest given and now's week. */
function fillWeeks(weeks: string[], now: Date): string[] {
  const sorted = [...new Set(weeks)].sort();
  const first = mondayOf(sorted[0]!);
  const lastKey = [sorted.at(-1)!, isoWeek(now)].sort().at(-1)!;
  return weeksBetween(first, mondayOf(lastKey));
}

/** The Monday (UTC) of an ISO week key `YYYY-Www`. */
function mondayOf(key: string): Date {
  const [y, w] = [Number(key.slice(0, 4)), Number(key.slice(6))];
  const jan4 = new Date(Date.UTC(y, 0, 4));
  const monday1 = jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * DAY;
  return new Date(monday1 + (w - 1) * 7 * DAY);
}

export interface SocialCapital {
  people: CohortPeople;
  edges: Array<{ from: string; to: string; weight: number; replies: number; kudos: number; mentions: number }>;
  cohort: NetworkMetrics;
  groups: Array<{ id: string; name: string; metrics: NetworkMetrics }>;
  trend: WeekPoint[];
}

/** The learners' interaction network (facilitators' interactions are left out: they are teaching, not peer ties). */
export async function socialCapital(deps: AnalyticsDeps, who: LaunchContext): Promise<SocialCapital> {
  facilitatorOnly(who, 'social-capital');
  const [people, weekly] = await Promise.all([cohortPeople(deps, who), analytics.listInteractionEdges(deps.db, who.tenantId, who.cohortId)]);
  const ids = new Set(people.nodes.map((n) => n.id));
  const learnerEdges = weekly.filter((e) => ids.has(e.from) && ids.has(e.to));
  const summed = new Map<string, SocialCapital['edges'][number]>();
  for (const e of learnerEdges) {
    const key = `${e.from} ${e.to}`;
    const t = summed.get(key) ?? { from: e.from, to: e.to, weight: 0, replies: 0, kudos: 0, mentions: 0 };
    t.weight += e.weight;
    t.replies += e.replies;
    t.kudos += e.kudos;
    t.mentions += e.mentions;
    summed.set(key, t);
  }
  const edges = [...summed.values()];
  const weeks = learnerEdges.length === 0 ? [] : fillWeeks(learnerEdges.map((e) => e.week), deps.now());
  return {
    people,
    edges,
    cohort: cohortMetrics(people.nodes, edges),
    groups: people.groups.map((g) => ({ id: g.id, name: g.name, metrics: groupMetrics(people.nodes, edges, g.id) })),
    trend: weeklyTrend(people.nodes, learnerEdges, weeks),
  };
}

export interface GroupInquiry {
  id: string;
  name: string;
  indicators: InquiryIndicators;
}

/** Community of Inquiry counts per group. */
export async function inquiry(deps: AnalyticsDeps, who: LaunchContext): Promise<{ groups: GroupInquiry[] }> {
  facilitatorOnly(who, 'inquiry');
  const [groups, posts, kudos, announcements] = await Promise.all([
    analytics.listGroupsOf(deps.db, who.tenantId, who.cohortId),
    analytics.listGroupPosts(deps.db, who.tenantId, who.cohortId),
    analytics.countGroupKudos(deps.db, who.tenantId, who.cohortId),
    analytics.countAnnouncements(deps.db, who.tenantId, who.cohortId),
  ]);
  const toCohort = announcements.find((a) => a.groupId === null)?.announcements ?? 0;
  return {
    groups: groups.map((g) => ({
      id: g.id,
      name: g.name,
      indicators: inquiryIndicators(posts.filter((p) => p.groupId === g.id), {
        kudos: kudos.find((k) => k.groupId === g.id)?.kudos ?? 0,
        announcements: toCohort + (announcements.find((a) => a.groupId === g.id)?.announcements ?? 0),
      }),
    })),
  };
}

export interface FactorComparison {
  id: string;
  label: string;
  start: { answers: number; mean: number | null; distribution: number[] };
  end: { answers: number; mean: number | null; distribution: number[] };
}

/**
 * The cohort's start (module 1) and end (module 9) ratings side by side, per factor. An aggregate of
 * fewer than MIN_FIVE_FACTOR_ANSWERS answers is withheld (mean null), so no one's rating shows through.
 */
export async function fiveFactorCheck(deps: AnalyticsDeps, who: LaunchContext): Promise<FactorComparison[]> {
  facilitatorOnly(who, 'five-factor');
  const rows = await analytics.listFiveFactorAggregates(deps.db, who.tenantId, who.cohortId);
  const [startModule, endModule] = FIVE_FACTOR_CHECK_MODULES as [number, number];
  const side = (moduleId: number, factor: string) => {
    const r = rows.find((x) => x.moduleId === moduleId && x.factor === factor);
    const answers = r?.answers ?? 0;
    const shown = answers >= MIN_FIVE_FACTOR_ANSWERS;
    return { answers, mean: shown ? r!.mean : null, distribution: shown ? r!.distribution : [] };
  };
  return FIVE_FACTORS.map((f) => ({ id: f.id, label: f.label, start: side(startModule, f.id), end: side(endModule, f.id) }));
}

/** Per learner: names, group, modules done and participation counts (CSV and the printable report). */
export async function participation(deps: AnalyticsDeps, who: LaunchContext) {
  facilitatorOnly(who, 'participation');
  const [people, rows, activity] = await Promise.all([
    cohortPeople(deps, who),
    analytics.listParticipation(deps.db, who.tenantId, who.cohortId),
    analytics.listLastActivity(deps.db, who.tenantId, who.cohortId),
  ]);
  const groupName = new Map(people.groups.map((g) => [g.id, g.name]));
  return people.learners.map((l) => {
    const p = rows.find((r) => r.membershipId === l.membershipId);
    return {
      membershipId: l.membershipId,
      name: l.name,
      group: l.groupId ? (groupName.get(l.groupId) ?? '') : '',
      posts: p?.posts ?? 0,
      replies: p?.replies ?? 0,
      kudosGiven: p?.kudosGiven ?? 0,
      kudosReceived: p?.kudosReceived ?? 0,
      mentionsMade: p?.mentionsMade ?? 0,
      responsesSubmitted: p?.responsesSubmitted ?? 0,
      modulesDone: p?.modulesDone ?? 0,
      lastActiveAt: activity.find((a) => a.membershipId === l.membershipId)?.lastActiveAt ?? null,
    };
  });
}

export interface EgoContact {
  membershipId: string;
  name: string;
  given: number;
  received: number;
}

/**
 * The person's own network in this cohort: everyone they interacted with, either way, by name (they
 * saw these people in their spaces). Only ever for the person themself.
 */
export async function ownNetwork(deps: { db: Db }, who: LaunchContext): Promise<EgoContact[]> {
  const [edges, members] = await Promise.all([analytics.listInteractionEdges(deps.db, who.tenantId, who.cohortId), cohorts.listCohortMembers(deps.db, who.tenantId, who.cohortId)]);
  const contacts = new Map<string, EgoContact>();
  const nameOf = new Map(members.map((m) => [m.membershipId, m.name ?? (m.role === 'facilitator' ? 'A facilitator' : 'Someone (name not shared)')]));
  for (const e of edges) {
    const other = e.from === who.membershipId ? e.to : e.to === who.membershipId ? e.from : undefined;
    if (!other || !nameOf.has(other)) continue;
    const c = contacts.get(other) ?? { membershipId: other, name: nameOf.get(other)!, given: 0, received: 0 };
    if (e.from === who.membershipId) c.given += e.weight;
    else c.received += e.weight;
    contacts.set(other, c);
  }
  return [...contacts.values()].sort((a, b) => b.given + b.received - (a.given + a.received) || a.name.localeCompare(b.name));
}

/** A member of the cohort (for a nudge), or 404: another cohort's or tenant's people are not found. */
export async function findCohortLearner(deps: AnalyticsDeps, who: LaunchContext, membershipId: string) {
  const members = await cohorts.listCohortMembers(deps.db, who.tenantId, who.cohortId);
  const m = members.find((x) => x.membershipId === membershipId);
  if (!m || m.role !== 'learner' || m.status !== 'active') throw new NotFoundError('learner');
  return m;
}
