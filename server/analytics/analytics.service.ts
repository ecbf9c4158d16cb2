// Seeing the cohort: the facilitator dashboard's figures (group health, who has gone quiet, social
// capital, Community of Inquiry, five-factor aggregates, exports) and a person's own ego network.
// Every function takes the launch context and checks the role; queries are scoped by tenant.
import type { Db } from '../../models/db.ts';
import * as analytics from '../../models/analytics.queries.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { AppError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import { msg } from '../i18n/i18n.ts';
import { FIVE_FACTOR_CHECK_MODULES } from '../modules/workshop-content.ts';
import type { Workshops } from '../editions/workshops.ts';
import { cohortSchedule, type ModulesDeps } from '../modules/modules.service.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { NetworkNode } from './network-metrics.ts';
import { cohortFigures, keptFigures, type CohortFigures } from './cohort-figures.ts';
import { tiesFrom, type GroupInquiry, type SocialFigures } from './figures.ts';
import { KeptFor } from '../cache/kept-for.ts';
import { lastActiveBy, latest, launchedBy, quietFrom, utcDay, type QuietCandidate } from './quiet-learners.ts';

export type { GroupHealth, GroupInquiry } from './figures.ts';

export interface AnalyticsDeps {
  db: Db;
  workshops: Workshops;
  now: () => Date;
  queue?: JobQueue | undefined;
  moduleSchedule?: ModulesDeps['moduleSchedule'];
  /** The cohort's saved settings as the app keeps them (server/cache/app-caches.ts); without it, read from `db`. */
  analyticsSettings?: (tenantId: string, cohortId: string) => Promise<analytics.AnalyticsSettingsRow | undefined>;
  /** The cohort's learners and groups as the app keeps them (frozen, one object until they change); without it, read from `db`. */
  cohortPeople?: (tenantId: string, cohortId: string) => Promise<analytics.CohortPeopleRows>;
}

/** The cohort's saved analytics settings, kept or read. */
const savedSettings = (deps: Pick<AnalyticsDeps, 'db' | 'analyticsSettings'>, who: LaunchContext) =>
  deps.analyticsSettings ? deps.analyticsSettings(who.tenantId, who.cohortId) : analytics.findAnalyticsSettings(deps.db, who.tenantId, who.cohortId);

export const DEFAULT_QUIET_DAYS = 7;
/** Below this many answers a five-factor aggregate would give away individual ratings. */
export const MIN_FIVE_FACTOR_ANSWERS = 3;

/** When the figures a page shows were computed (they are kept until a write moves them). */
export interface FiguresAsOf {
  asOf: Date;
}

const figures = <P extends Parameters<typeof cohortFigures>[4][number]>(deps: AnalyticsDeps, who: LaunchContext, parts: readonly P[]) =>
  cohortFigures(deps.db, who.tenantId, who.cohortId, deps.now(), parts);

function facilitatorOnly(who: LaunchContext, action: string): void {
  if (who.role !== 'facilitator') throw new ForbiddenError(action, msg('analytics.error.facilitatorsOnly'));
}

export async function analyticsSettings(deps: AnalyticsDeps, who: LaunchContext) {
  const s = await savedSettings(deps, who);
  return { quietDays: s?.quietDays ?? DEFAULT_QUIET_DAYS, showNames: s?.showNames ?? false, relationshipAnalytics: s?.relationshipAnalytics ?? true };
}

export async function saveAnalyticsSettings(deps: AnalyticsDeps, who: LaunchContext, s: { quietDays: number; showNames: boolean; relationshipAnalytics: boolean }): Promise<void> {
  facilitatorOnly(who, 'analytics-settings');
  await analytics.upsertAnalyticsSettings(deps.db, { tenantId: who.tenantId, cohortId: who.cohortId, ...s });
}

export interface CohortPeople {
  readonly nodes: readonly NetworkNode[];
  readonly groups: readonly analytics.GroupRow[];
  readonly learners: readonly analytics.LearnerRow[];
  readonly showNames: boolean;
}

/** The cohort's learners and groups, kept (one frozen object until they change) or read. */
const peopleRows = (deps: Pick<AnalyticsDeps, 'db' | 'cohortPeople'>, who: Pick<LaunchContext, 'tenantId' | 'cohortId'>) =>
  deps.cohortPeople ? deps.cohortPeople(who.tenantId, who.cohortId) : analytics.readCohortPeople(deps.db, who.tenantId, who.cohortId);

/** CohortPeople made once per kept rows and setting, so that what pages make of them is kept by them too. */
const keptCohortPeople = new KeptFor<[analytics.CohortPeopleRows, boolean], CohortPeople>();

/** The learners as the network sees them (the views label them "Learner n", or by name when the cohort shows names). */
export async function cohortPeople(deps: AnalyticsDeps, who: LaunchContext): Promise<CohortPeople> {
  facilitatorOnly(who, 'cohort-people');
  const [rows, settings] = await Promise.all([peopleRows(deps, who), analyticsSettings(deps, who)]);
  return keptCohortPeople.get([rows, settings.showNames], () =>
    Object.freeze({ nodes: Object.freeze(rows.learners.map((l) => Object.freeze({ id: l.membershipId, groupId: l.groupId }))), groups: rows.groups, learners: rows.learners, showNames: settings.showNames }),
  );
}

/**
 * Of the cohort's kept learners, those who may have gone quiet (launchedBy), with whether each was
 * nudged today: read for these alone (none, in an active cohort: no statement).
 */
export async function quietCandidates(deps: Pick<AnalyticsDeps, 'db' | 'cohortPeople'>, who: Pick<LaunchContext, 'tenantId' | 'cohortId'>, quietDays: number, now: Date): Promise<QuietCandidate[]> {
  const { learners } = await peopleRows(deps, who);
  const candidates = launchedBy(learners, quietDays, now);
  if (candidates.length === 0) return [];
  const nudged = await analytics.listNudgedOn(deps.db, who.tenantId, candidates.map((l) => l.membershipId), utcDay(now));
  return candidates.map((l) => ({ ...l, nudgedToday: nudged.has(l.membershipId) }));
}

/**
 * The settings, the schedule, the kept figures asked for and who has gone quiet by the one rule
 * (quietFrom), read side by side: the console's heatmap and "needs attention" (which counts the
 * quiet, less those nudged today) and the dashboard read them alike. `cohort`: as the page holds it.
 */
async function quietAndFigures<P extends 'health'>(deps: AnalyticsDeps, who: LaunchContext, cohort: { createdAt: Date }, parts: readonly P[]) {
  const now = deps.now();
  const saved = analyticsSettings(deps, who);
  const [settings, learners, dates, kept] = await Promise.all([
    saved,
    saved.then((s) => quietCandidates(deps, who, s.quietDays, now)),
    cohortSchedule(deps, who, cohort),
    figures(deps, who, ['progress', 'activity', ...parts]),
  ]);
  return { settings, dates, kept, quiet: quietFrom(learners, kept.activity, settings.quietDays, now) };
}

/** The console's heatmap and who has gone quiet or never opened Circlework: one read of the kept figures for both. */
export async function consoleFigures(deps: AnalyticsDeps, who: LaunchContext, cohort: { createdAt: Date }) {
  facilitatorOnly(who, 'console-figures');
  const { dates, kept, quiet } = await quietAndFigures(deps, who, cohort, []);
  return { progress: { dates, rows: kept.progress, asOf: kept.asOf }, quiet };
}

/** What the dashboard shows (progress, group health, who has gone quiet, the settings), read in one go. */
export async function dashboardFigures(deps: AnalyticsDeps, who: LaunchContext, cohort: { createdAt: Date }) {
  facilitatorOnly(who, 'dashboard');
  const { settings, dates, kept, quiet } = await quietAndFigures(deps, who, cohort, ['health']);
  return { settings, asOf: kept.asOf, progress: { dates, rows: kept.progress }, health: kept.health, quiet };
}

/** Off for the cohort (its facilitators' setting): who interacts with whom is neither computed nor shown. */
export class RelationshipAnalyticsOffError extends AppError {
  constructor() {
    super(404, 'relationship-analytics-off', msg('analytics.error.relationshipOff'));
  }
}

export async function requireRelationshipAnalytics(deps: Pick<AnalyticsDeps, 'db' | 'analyticsSettings'>, who: LaunchContext): Promise<void> {
  const s = await savedSettings(deps, who);
  if (s && !s.relationshipAnalytics) throw new RelationshipAnalyticsOffError();
}

/** Everything the printable report shows, read in one go (`cohort`: as the page already holds it). */
export async function cohortReport(deps: AnalyticsDeps, who: LaunchContext, cohort: { createdAt: Date }) {
  facilitatorOnly(who, 'report');
  const [people, dates, kept, fiveFactor, settings] = await Promise.all([
    cohortPeople(deps, who),
    cohortSchedule(deps, who, cohort),
    figures(deps, who, ['progress', 'health', 'social', 'inquiry', 'participation', 'activity']),
    fiveFactorCheck(deps, who),
    analyticsSettings(deps, who),
  ]);
  return {
    asOf: kept.asOf,
    progress: { dates, rows: kept.progress },
    health: kept.health,
    social: settings.relationshipAnalytics ? { people, ...kept.social, asOf: kept.asOf } : undefined,
    inquiry: kept.inquiry,
    fiveFactor,
    participation: participationFrom(people, kept.participation, kept.activity),
  };
}

/**
 * The learners' progress as the console's heatmap shows it (modules done and started), kept with the
 * figures. `cohort`: as the caller already holds it (its schedule starts from its creation).
 */
export async function keptProgress(deps: AnalyticsDeps, who: LaunchContext, cohort: { createdAt: Date }) {
  facilitatorOnly(who, 'cohort-progress');
  const [dates, { progress: rows, asOf }] = await Promise.all([cohortSchedule(deps, who, cohort), figures(deps, who, ['progress'])]);
  return { dates, rows, asOf };
}

export interface SocialCapital extends SocialFigures, FiguresAsOf {
  people: CohortPeople;
}

/** The learners' interaction network (facilitators' interactions are left out: they are teaching, not peer ties). */
export async function socialCapital(deps: AnalyticsDeps, who: LaunchContext): Promise<SocialCapital> {
  facilitatorOnly(who, 'social-capital');
  await requireRelationshipAnalytics(deps, who);
  const [people, { social, asOf }] = await Promise.all([cohortPeople(deps, who), figures(deps, who, ['social'])]);
  return { people, ...social, asOf };
}

/** Community of Inquiry counts per group. */
export async function inquiry(deps: AnalyticsDeps, who: LaunchContext): Promise<{ groups: GroupInquiry[] } & FiguresAsOf> {
  facilitatorOnly(who, 'inquiry');
  const { inquiry: groups, asOf } = await figures(deps, who, ['inquiry']);
  return { groups, asOf };
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
  const [rows, workshop] = await Promise.all([analytics.listFiveFactorAggregates(deps.db, who.tenantId, who.cohortId), deps.workshops.forCohort(who.tenantId, who.cohortId)]);
  const [startModule, endModule] = FIVE_FACTOR_CHECK_MODULES as [number, number];
  const side = (moduleId: number, factor: string) => {
    const r = rows.find((x) => x.moduleId === moduleId && x.factor === factor);
    const answers = r?.answers ?? 0;
    const shown = answers >= MIN_FIVE_FACTOR_ANSWERS;
    return { answers, mean: shown ? r!.mean : null, distribution: shown ? r!.distribution : [] };
  };
  // Factor ids are the same in every edition; the labels are the cohort's edition's.
  return workshop.fiveFactors.map((f) => ({ id: f.id, label: f.label, start: side(startModule, f.id), end: side(endModule, f.id) }));
}

/** Per learner: names, group, modules done and participation counts (CSV and the printable report). */
export async function participation(deps: AnalyticsDeps, who: LaunchContext) {
  facilitatorOnly(who, 'participation');
  const [people, { participation: rows, activity }] = await Promise.all([cohortPeople(deps, who), figures(deps, who, ['participation', 'activity'])]);
  return participationFrom(people, rows, activity);
}

export type ParticipationRow = ReturnType<typeof makeParticipation>[number];

/**
 * Kept by the people and kept figures it is made from (each one frozen object until it changes): the
 * printable report and the CSV keep what they make of it by it in turn.
 */
const keptParticipation = new KeptFor<[CohortPeople, CohortFigures['participation'], CohortFigures['activity']], readonly ParticipationRow[]>();

function participationFrom(people: CohortPeople, rows: CohortFigures['participation'], activity: CohortFigures['activity']): readonly ParticipationRow[] {
  return keptParticipation.get([people, rows, activity], () => Object.freeze(makeParticipation(people, rows, activity)));
}

function makeParticipation(people: CohortPeople, rows: CohortFigures['participation'], activity: CohortFigures['activity']) {
  const groupName = new Map(people.groups.map((g) => [g.id, g.name]));
  const counts = new Map(rows.map((r) => [r.membershipId, r]));
  const last = lastActiveBy(activity);
  return people.learners.map((l) => {
    const p = counts.get(l.membershipId);
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
      lastActiveAt: latest(l.lastLaunchAt, last.get(l.membershipId)),
    };
  });
}

export interface EgoContact {
  membershipId: string;
  /** Null when the LMS did not share it: the page names them in the reader's words. */
  name: string | null;
  facilitator: boolean;
  given: number;
  received: number;
}

/**
 * The person's own network in this cohort: everyone they interacted with, either way, by name (they
 * saw these people in their spaces). Only ever for the person themself.
 */
export async function ownNetwork(deps: { db: Db; now: () => Date }, who: LaunchContext): Promise<EgoContact[]> {
  await requireRelationshipAnalytics(deps, who);
  // The kept ties when current; else only the edges, not every figure (a learner's profile should
  // not pay for the whole dashboard after each post).
  const [kept, members] = await Promise.all([keptFigures(deps.db, who.tenantId, who.cohortId, deps.now(), ['ties']), cohorts.listCohortMembers(deps.db, who.tenantId, who.cohortId)]);
  const edges = kept?.ties ?? tiesFrom(await analytics.listInteractionEdges(deps.db, who.tenantId, who.cohortId));
  const contacts = new Map<string, EgoContact>();
  const memberOf = new Map(members.map((m) => [m.membershipId, m]));
  for (const e of edges) {
    const other = e.from === who.membershipId ? e.to : e.to === who.membershipId ? e.from : undefined;
    const m = other ? memberOf.get(other) : undefined;
    if (!other || !m) continue;
    const c = contacts.get(other) ?? { membershipId: other, name: m.name, facilitator: m.role === 'facilitator', given: 0, received: 0 };
    if (e.from === who.membershipId) c.given += e.weight;
    else c.received += e.weight;
    contacts.set(other, c);
  }
  return [...contacts.values()].sort((a, b) => b.given + b.received - (a.given + a.received) || (a.name ?? '').localeCompare(b.name ?? ''));
}

/** A member of the cohort (for a nudge), or 404: another cohort's or tenant's people are not found. */
export async function findCohortLearner(deps: AnalyticsDeps, who: LaunchContext, membershipId: string) {
  const members = await cohorts.listCohortMembers(deps.db, who.tenantId, who.cohortId);
  const m = members.find((x) => x.membershipId === membershipId);
  if (!m || m.role !== 'learner' || m.status !== 'active') throw new NotFoundError('learner');
  return m;
}
