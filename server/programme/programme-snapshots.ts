// The programme view's figures of each cohort, kept in programme_cohort_snapshots by a pg-boss job, so
// the page reads one row per cohort whatever the cohorts' sizes. A cohort is computed again when a
// write logged in cohort_figure_changes (discussions, progress, groups, plans, check-ins, schedules,
// settings) commits unseen by its snapshot (checked every minute; a busy cohort at most every ten
// minutes), and every cohort once a day (a new week
// moves the network's stages; a profile's opt-in to be found by every cohort is not logged, so it
// shows by the next day). Counts only: never a person.
import type { Logger } from 'pino';
import type { Db } from '../../models/db.ts';
import * as analytics from '../../models/analytics.queries.ts';
import * as programme from '../../models/programme.queries.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { cohortFigures } from '../analytics/cohort-figures.ts';
import { isoWeek, type WeekPoint } from '../analytics/network-metrics.ts';
import { moduleOpenDates } from '../modules/schedule.ts';
import type { Workshop } from '../modules/workshop-content.ts';
import { networkStages, tiesByModule, type NetworkStage } from './comparisons.ts';

export const PROGRAMME_SNAPSHOTS_QUEUE = 'programme-snapshots';
const DAY = 86_400_000;
const WEEK = 7 * DAY;

export interface ProgrammeSnapshotDeps {
  db: Db;
  workshop: Workshop;
  now: () => Date;
  log?: Logger;
}

/** What a cohort's snapshot holds (programme_cohort_snapshots.figures): counts, never a person. */
export interface ProgrammeSnapshotFigures {
  version: 1;
  /** When each module opens (ISO), the facilitator's dates or the default schedule. */
  opensAt: string[];
  learners: number;
  completed: number;
  participating: number;
  relationshipAnalytics: boolean;
  /** The network at start, middle and end (null: no interactions yet); null when analytics are off. */
  network: { start: NetworkStage; middle: NetworkStage; end: NetworkStage } | null;
  /** Community of Inquiry indicators summed over the cohort's groups. */
  inquiry: { learnerPosts: number; social: number; cognitive: number; teaching: number; groups: number; thinTeachingGroups: number };
  plans: {
    submitted: number;
    withManager: number;
    withConversation: number;
    /** Each check-in of the schedule: weeks after the course end, when it is due, how many were recorded. */
    checkIns: Array<{ week: number; dueOn: string; recorded: number }>;
  };
  /** The people network across cohorts: learners findable by every cohort (opted in), and also in another cohort. */
  people?: { findable: number; inOtherCohorts: number };
  /** Learners with a tie across groups, and with no tie, by the end of each module; null when analytics are off. */
  ties: { crossGroup: number[]; isolated: number[] } | null;
}

/** Computes a cohort's figures now and keeps them; nothing when the cohort is gone. */
export async function refreshCohortSnapshot(deps: ProgrammeSnapshotDeps, tenantId: string, cohortId: string): Promise<void> {
  const { db } = deps;
  // The snapshot first: every row read after it sees at least every change it sees.
  const snapshot = await analytics.takeSnapshot(db);
  const moduleCount = deps.workshop.modules.length;
  const counts = await programme.findCohortCounts(db, tenantId, cohortId, moduleCount);
  if (!counts) return;
  const now = deps.now();
  const kept = await cohortFigures(db, tenantId, cohortId, now, ['social', 'inquiry']);
  const opensAt = moduleOpenDates(counts.createdAt, new Map(counts.scheduled.map((s) => [s.moduleId, new Date(s.opensAt)]))).slice(0, moduleCount);
  let ties: ProgrammeSnapshotFigures['ties'] = null;
  if (counts.relationshipAnalytics) {
    const [learners, edges] = await Promise.all([analytics.listLearners(db, tenantId, cohortId), analytics.listInteractionEdges(db, tenantId, cohortId)]);
    // A module ends when the next opens (the last a week after it opens): its last week is the one before that moment.
    const endWeeks = opensAt.map((d, i) => isoWeek(new Date((opensAt[i + 1] ?? new Date(d.getTime() + WEEK)).getTime() - 1)));
    ties = tiesByModule(learners.map((l) => ({ id: l.membershipId, groupId: l.groupId })), edges, endWeeks);
  }
  const end = counts.endsOn ? Date.parse(`${counts.endsOn}T00:00:00Z`) : null;
  const figures: ProgrammeSnapshotFigures = {
    version: 1,
    opensAt: opensAt.map((d) => d.toISOString()),
    learners: counts.learners,
    completed: counts.completed,
    participating: counts.participating,
    relationshipAnalytics: counts.relationshipAnalytics,
    network: counts.relationshipAnalytics ? networkStages(kept.social.trend as WeekPoint[]) : null,
    inquiry: kept.inquiry.reduce(
      (s, g) => ({
        learnerPosts: s.learnerPosts + g.indicators.learnerPosts,
        social: s.social + g.indicators.social,
        cognitive: s.cognitive + g.indicators.cognitive,
        teaching: s.teaching + g.indicators.teaching,
        groups: s.groups + 1,
        thinTeachingGroups: s.thinTeachingGroups + (g.indicators.thinTeaching ? 1 : 0),
      }),
      { learnerPosts: 0, social: 0, cognitive: 0, teaching: 0, groups: 0, thinTeachingGroups: 0 },
    ),
    plans: {
      submitted: counts.plansSubmitted,
      withManager: counts.plansWithManager,
      withConversation: counts.plansWithConversation,
      checkIns: end === null ? [] : (counts.checkInWeeks ?? []).map((week, i) => ({
        week,
        dueOn: new Date(end + week * WEEK).toISOString().slice(0, 10),
        recorded: counts.checkInsBySeq[String(i + 1)] ?? 0,
      })),
    },
    people: { findable: counts.findable, inOtherCohorts: counts.inOtherCohorts },
    ties,
  };
  await programme.saveProgrammeSnapshot(db, { tenantId, cohortId, snapshot, refreshedAt: now, figures });
}

/** A busy cohort is computed again at most this often (each time walks its discussions). */
export const MIN_SNAPSHOT_AGE_MS = 10 * 60_000;

/**
 * One run of the job: every cohort whose snapshot is missing, or stale and at least `minAgeMs` old
 * (or, `all`, every cohort), a batch at a time. A cohort that fails is logged and left for the next run.
 */
export async function refreshProgrammeSnapshots(deps: ProgrammeSnapshotDeps, opts: { all?: boolean; batch?: number; minAgeMs?: number } = {}): Promise<{ refreshed: number; failed: number }> {
  const started = deps.now();
  // Daily: everything computed before this run started; otherwise only what changed (or is a day old).
  const before = opts.all ? new Date(started.getTime() + 1) : new Date(started.getTime() - DAY);
  const changedBefore = new Date(started.getTime() - (opts.minAgeMs ?? MIN_SNAPSHOT_AGE_MS) + 1);
  let refreshed = 0;
  let failed = 0;
  const tried = new Set<string>();
  for (;;) {
    const due = (await programme.listCohortsToSnapshot(deps.db, before, opts.batch ?? 100, changedBefore)).filter((c) => !tried.has(c.cohortId));
    if (due.length === 0) break;
    for (const c of due) {
      tried.add(c.cohortId);
      try {
        await refreshCohortSnapshot(deps, c.tenantId, c.cohortId);
        refreshed++;
      } catch (err) {
        failed++;
        deps.log?.warn({ err, cohortId: c.cohortId }, 'programme snapshot not refreshed; left for the next run');
      }
    }
  }
  return { refreshed, failed };
}

/** The job: a run each minute for what changed, and one a day for every cohort (one at a time across processes). */
export async function registerProgrammeSnapshots(queue: JobQueue, deps: ProgrammeSnapshotDeps, opts: { pollingIntervalSeconds?: number } = {}): Promise<void> {
  const polling = opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {};
  await queue.boss.createQueue(PROGRAMME_SNAPSHOTS_QUEUE, { policy: 'singleton', retryLimit: 2, retryDelay: 60, expireInSeconds: 30 * 60 });
  await queue.boss.schedule(PROGRAMME_SNAPSHOTS_QUEUE, '* * * * *', { all: false }, { key: 'changed' });
  await queue.boss.schedule(PROGRAMME_SNAPSHOTS_QUEUE, '41 2 * * *', { all: true }, { key: 'daily' });
  await queue.boss.work<{ all?: boolean }>(PROGRAMME_SNAPSHOTS_QUEUE, polling, async ([job]) => {
    const run = await refreshProgrammeSnapshots(deps, { all: job?.data.all === true });
    deps.log?.info(run, 'programme snapshots refreshed');
    return run;
  });
}
