// The programme view: a tenant's cohorts side by side, for its programme lead. Read from the kept
// snapshots (programme-snapshots.ts: one statement for the cohorts, one for the goals); every share
// over fewer than MIN_GROUP_SIZE people is withheld.
import type { Db } from '../../models/db.ts';
import * as programme from '../../models/programme.queries.ts';
import { goalProgress, networkStages, shareOver, shownOver, trendOf, GOAL_KINDS, type Direction, type GoalProgress, type NetworkStage, type RelationshipGoal, type Shown } from './comparisons.ts';
import type { ProgrammeSnapshotFigures } from './programme-snapshots.ts';

export interface ProgrammeDeps {
  db: Db;
  now: () => Date;
}

/** Who may open a tenant's programme view: its programme lead (the tenant comes from their launch). */
export interface ProgrammeLead {
  tenantId: string;
}

/** The check-in weeks the programme view compares (the default schedule's). */
export const CHECK_IN_WEEKS = [2, 4, 8] as const;
export type CheckInWeek = (typeof CHECK_IN_WEEKS)[number];

/** A check-in's follow-through: the share of submitted plans, or why there is none. */
export type CheckInShare = { state: 'shown'; value: Shown<number | null> } | { state: 'not-due' } | { state: 'not-scheduled' };

export interface CoiBalance {
  /** Each presence's share of all the indicators counted. */
  social: number;
  cognitive: number;
  teaching: number;
  thinTeachingGroups: number;
  groups: number;
}

export interface GoalOutcome {
  goal: RelationshipGoal & { id: string };
  progress: GoalProgress | { state: 'off' };
}

export interface ProgrammeCohort {
  id: string;
  title: string;
  /** False until the job first computed the cohort's figures. */
  ready: boolean;
  firstOpensAt: Date | null;
  lastOpensAt: Date | null;
  learners: number;
  completion: Shown<number | null>;
  participation: Shown<number | null>;
  /** The network at start, middle and end; `off` when the cohort turned relationship analytics off. */
  network: { off: true } | { off: false; stages: Shown<ReturnType<typeof networkStages>> };
  /** Community of Inquiry balance (null: no indicator counted yet). */
  inquiry: Shown<CoiBalance | null>;
  plansSubmitted: Shown<number | null>;
  checkIns: Record<CheckInWeek, CheckInShare>;
  conversations: Shown<number | null>;
  /** The people network across cohorts: shares of learners findable by every cohort, and also in another cohort. */
  findable: Shown<number | null>;
  inOtherCohorts: Shown<number | null>;
  goals: GoalOutcome[];
  refreshedAt: Date | null;
}

export interface ProgrammeOverview {
  cohorts: ProgrammeCohort[];
  goals: Array<RelationshipGoal & { id: string }>;
  /** The direction of each figure across the cohorts in the order they ran (shown values only). */
  trends: Record<TrendFigure, Direction>;
  /** The oldest refresh among the cohorts shown (the page's "figures as of"). */
  refreshedAt: Date | null;
}

export const TREND_FIGURES = ['completion', 'participation', 'density', 'crossGroupShare', 'isolatedShare', 'plansSubmitted'] as const;
export type TrendFigure = (typeof TREND_FIGURES)[number];

const valueOf = (s: Shown<number | null>): number | null => (s.shown ? s.value : null);
const endOf = (c: ProgrammeCohort): NetworkStage | null =>
  !c.network.off && c.network.stages.shown && c.network.stages.value ? c.network.stages.value.end : null;

/** The value of a trend figure for one cohort (null when not shown). */
export function figureOf(c: ProgrammeCohort, f: TrendFigure): number | null {
  switch (f) {
    case 'completion': return valueOf(c.completion);
    case 'participation': return valueOf(c.participation);
    case 'plansSubmitted': return valueOf(c.plansSubmitted);
    default: return endOf(c)?.[f] ?? null;
  }
}

/** A cohort's figures, as the page and the CSV show them, from its kept snapshot. */
export function cohortFromSnapshot(row: programme.SnapshotRow, goals: ReadonlyArray<RelationshipGoal & { id: string }>, today: string): ProgrammeCohort {
  const f = row.figures as ProgrammeSnapshotFigures | null;
  const none: Shown<number | null> = { shown: false };
  if (!f) {
    return {
      id: row.id, title: row.title, ready: false, firstOpensAt: null, lastOpensAt: null, learners: 0,
      completion: none, participation: none, network: { off: false, stages: { shown: false } }, inquiry: { shown: false },
      plansSubmitted: none, checkIns: { 2: { state: 'not-scheduled' }, 4: { state: 'not-scheduled' }, 8: { state: 'not-scheduled' } },
      conversations: none, findable: none, inOtherCohorts: none, goals: goals.map((goal) => ({ goal, progress: { state: 'too-few' } })), refreshedAt: null,
    };
  }
  const total = f.inquiry.social + f.inquiry.cognitive + f.inquiry.teaching;
  const checkIn = (week: CheckInWeek): CheckInShare => {
    const c = f.plans.checkIns.find((x) => x.week === week);
    if (!c) return { state: 'not-scheduled' };
    if (c.dueOn > today) return { state: 'not-due' };
    return { state: 'shown', value: shareOver(c.recorded, f.plans.submitted) };
  };
  const checkInsAtWeek = Object.fromEntries(CHECK_IN_WEEKS.map((w) => [w, f.plans.checkIns.find((x) => x.week === w)?.recorded ?? 0])) as Record<CheckInWeek, number>;
  return {
    id: row.id,
    title: row.title,
    ready: true,
    firstOpensAt: f.opensAt[0] ? new Date(f.opensAt[0]) : null,
    lastOpensAt: f.opensAt.at(-1) ? new Date(f.opensAt.at(-1)!) : null,
    learners: f.learners,
    completion: shareOver(f.completed, f.learners),
    participation: shareOver(f.participating, f.learners),
    network: f.relationshipAnalytics ? { off: false, stages: shownOver(f.learners, f.network) } : { off: true },
    inquiry: shownOver(f.learners, total === 0 ? null : {
      social: f.inquiry.social / total, cognitive: f.inquiry.cognitive / total, teaching: f.inquiry.teaching / total,
      thinTeachingGroups: f.inquiry.thinTeachingGroups, groups: f.inquiry.groups,
    }),
    plansSubmitted: shareOver(f.plans.submitted, f.learners),
    checkIns: { 2: checkIn(2), 4: checkIn(4), 8: checkIn(8) },
    conversations: shareOver(f.plans.withConversation, f.plans.submitted),
    findable: shareOver(f.people?.findable ?? 0, f.learners),
    inOtherCohorts: shareOver(f.people?.inOtherCohorts ?? 0, f.learners),
    goals: goals.map((goal) => ({
      goal,
      progress: GOAL_KINDS[goal.kind].at === 'module' && !f.ties
        ? { state: 'off' as const }
        : goalProgress(goal, {
          learners: f.learners,
          crossGroupByModule: f.ties?.crossGroup ?? [],
          isolatedByModule: f.ties?.isolated ?? [],
          plansSubmitted: f.plans.submitted,
          checkInsAtWeek,
        }),
    })),
    refreshedAt: row.refreshedAt,
  };
}

/** Every cohort of the lead's tenant from its kept snapshot, the goals, and the trends across cohorts. */
export async function programmeOverview(deps: ProgrammeDeps, lead: ProgrammeLead): Promise<ProgrammeOverview> {
  const [rows, goalRows] = await Promise.all([programme.listProgrammeSnapshots(deps.db, lead.tenantId), programme.listRelationshipGoals(deps.db, lead.tenantId)]);
  const goals = goalRows.map((g) => ({ id: g.id, kind: g.kind, threshold: g.thresholdPercent / 100, at: g.at }));
  const today = deps.now().toISOString().slice(0, 10);
  const cohorts = rows.map((r) => cohortFromSnapshot(r, goals, today))
    // in the order they ran: by when their first module opens
    .sort((a, b) => (a.firstOpensAt?.getTime() ?? Number.MAX_SAFE_INTEGER) - (b.firstOpensAt?.getTime() ?? Number.MAX_SAFE_INTEGER));
  const refreshed = cohorts.map((c) => c.refreshedAt).filter((d): d is Date => d !== null);
  return {
    cohorts,
    goals,
    trends: Object.fromEntries(TREND_FIGURES.map((t) => [t, trendOf(cohorts.map((c) => figureOf(c, t))).direction])) as Record<TrendFigure, Direction>,
    refreshedAt: refreshed.length === 0 ? null : new Date(Math.min(...refreshed.map((d) => d.getTime()))),
  };
}
