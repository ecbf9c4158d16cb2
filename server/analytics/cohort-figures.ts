// The facilitator's figures of a cohort, kept: computed from the raw rows once, stored in
// cohort_figures, and read back as they are until a write that can move a figure (logged by
// triggers in the write's own transaction, migration 20261204T1510) commits unseen by the snapshot
// they were computed after, or a new ISO week, makes them stale; the next page that needs them
// computes them again. A page then costs one row's read, whatever the cohort's or the tenant's
// size, and says when its figures were computed. Writers never wait for each other or for this.
import type { Db } from '../../models/db.ts';
import * as analytics from '../../models/analytics.queries.ts';
import * as modules from '../../models/modules.queries.ts';
import type { FigurePart } from '../../models/analytics.queries.ts';
import { isoWeek } from './network-metrics.ts';
import { groupHealthFrom, inquiryFrom, socialFrom, tiesFrom, type GroupHealth, type GroupInquiry, type ParticipationCounts, type SocialFigures, type Tie } from './figures.ts';

export interface CohortFigures {
  /** Each active learner's modules done and started, by name (the console's heatmap). */
  progress: Awaited<ReturnType<typeof modules.listLearnerProgress>>;
  health: GroupHealth;
  social: SocialFigures;
  /** Every interaction tie in the cohort, whatever the roles (a person's own network). */
  ties: Tie[];
  inquiry: GroupInquiry[];
  participation: ParticipationCounts[];
  /** Each active learner's latest post, kudos given or activity response (launches are read live). */
  activity: Array<{ membershipId: string; lastActiveAt: string | null }>;
}

/** Computes every figure from the raw rows, as of `now`. */
export async function computeCohortFigures(db: Db, tenantId: string, cohortId: string, now: Date): Promise<CohortFigures> {
  const [progress, learners, groups, { health, edges, posts, kudos }, announcements, participation, activity] = await Promise.all([
    modules.listLearnerProgress(db, tenantId, cohortId),
    analytics.listLearners(db, tenantId, cohortId),
    analytics.listGroupsOf(db, tenantId, cohortId),
    analytics.listCohortDiscussionFigures(db, tenantId, cohortId),
    analytics.countAnnouncements(db, tenantId, cohortId),
    analytics.listParticipation(db, tenantId, cohortId),
    analytics.listLastActivity(db, tenantId, cohortId),
  ]);
  const nodes = learners.map((l) => ({ id: l.membershipId, groupId: l.groupId }));
  return {
    progress,
    health: groupHealthFrom(groups, health, now),
    social: socialFrom(nodes, groups, edges, now),
    ties: tiesFrom(edges),
    inquiry: inquiryFrom(groups, posts, kudos, announcements),
    participation,
    activity: activity.map((a) => ({ membershipId: a.membershipId, lastActiveAt: a.lastActiveAt?.toISOString() ?? null })),
  };
}

const PARTS: Array<keyof CohortFigures> = ['progress', 'health', 'social', 'ties', 'inquiry', 'participation', 'activity'];

/** The computation under way in this process for a cohort and week, and the snapshot it started after. */
const computing = new Map<string, { snapshot: Promise<string>; result: Promise<{ figures: CohortFigures; asOf: Date }> }>();

async function recompute(db: Db, tenantId: string, cohortId: string, now: Date): Promise<{ figures: CohortFigures; asOf: Date }> {
  const week = isoWeek(now);
  const key = `${tenantId} ${cohortId} ${week}`;
  // Concurrent pages share one computation, unless a change committed after its snapshot.
  const running = computing.get(key);
  if (running && !(await analytics.hasChangesUnseenBy(db, tenantId, cohortId, await running.snapshot))) return running.result;
  // The snapshot first: the rows read after it see at least every change it sees. Registered at
  // once, so pages arriving meanwhile share this computation.
  const snapshot = analytics.takeSnapshot(db);
  const result = snapshot.then(async (taken) => {
    const figures = await computeCohortFigures(db, tenantId, cohortId, now);
    const parts = Object.fromEntries(PARTS.map((p) => [p, JSON.stringify(figures[p])])) as Record<FigurePart, string>;
    await analytics.saveCohortFigures(db, { tenantId, cohortId, snapshot: taken, week, computedAt: now, parts });
    return { figures, asOf: now };
  }).finally(() => {
    if (computing.get(key)?.result === result) computing.delete(key);
  });
  computing.set(key, { snapshot, result });
  return result;
}

/**
 * Kept figures already parsed, by cohort, for the last few cohorts read (a 600-learner cohort's parts
 * are ~0.5 MB of JSON: sending and parsing them was a fifth of its dashboard's CPU). Whether they
 * are current is still asked of PostgreSQL at every read; only their text is not sent again while
 * the kept computation (its version) is the same. Frozen: every page shares them.
 */
const PARSED_COHORTS = 16;
const parsedFigures = new Map<string, { version: string; parts: Map<string, unknown> }>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The parts asked for as kept, when no change was committed unseen by them (in this ISO week); else undefined. */
export async function keptFigures<P extends keyof CohortFigures>(db: Db, tenantId: string, cohortId: string, now: Date, parts: readonly P[]): Promise<({ asOf: Date } & Pick<CohortFigures, P>) | undefined> {
  const key = `${tenantId} ${cohortId}`;
  const held = parsedFigures.get(key);
  const known = held && parts.every((p) => held.parts.has(p)) ? held.version : undefined;
  const kept = await analytics.findCohortFigures(db, tenantId, cohortId, parts, known);
  if (!kept?.current || kept.week !== isoWeek(now) || !kept.computedAt || !kept.version) return undefined;
  const entry = held?.version === kept.version ? held : { version: kept.version, parts: new Map<string, unknown>() };
  const out = { asOf: kept.computedAt } as { asOf: Date } & Pick<CohortFigures, P>;
  for (const p of parts) {
    const text = kept[p];
    if (text !== null && text !== undefined) entry.parts.set(p, deepFreeze(JSON.parse(text)));
    (out as Record<string, unknown>)[p] = entry.parts.get(p);
  }
  // Most recently read last; the oldest cohort goes past the bound.
  parsedFigures.delete(key);
  parsedFigures.set(key, entry);
  if (parsedFigures.size > PARSED_COHORTS) parsedFigures.delete(parsedFigures.keys().next().value!);
  return out;
}

/**
 * The parts asked for, current: read as kept when no change was committed unseen by them
 * (and in the same ISO week), else computed again and kept. `asOf`: when they were computed.
 */
export async function cohortFigures<P extends keyof CohortFigures>(db: Db, tenantId: string, cohortId: string, now: Date, parts: readonly P[]): Promise<{ asOf: Date } & Pick<CohortFigures, P>> {
  const kept = await keptFigures(db, tenantId, cohortId, now, parts);
  if (kept) return kept;
  const { figures, asOf } = await recompute(db, tenantId, cohortId, now);
  return { asOf, ...figures } as { asOf: Date } & Pick<CohortFigures, P>;
}
