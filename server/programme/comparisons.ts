// The programme view's maths over per-cohort aggregates: pure functions (no database, no HTTP), so
// the page, its CSV and the tests read the same figures. Only counts and shares of a cohort ever
// reach here, never a person; a figure over fewer than MIN_GROUP_SIZE people is not shown.
import { tiesOf, type NetworkNode, type WeekPoint, type WeeklyEdge } from '../analytics/network-metrics.ts';

/** Under this many people a figure could point at someone: "too few to show". */
export const MIN_GROUP_SIZE = 5;

export type Shown<T> = { shown: true; value: T } | { shown: false };

/** A figure over `people`, or nothing when they are too few. */
export function shownOver<T>(people: number, value: T): Shown<T> {
  return people >= MIN_GROUP_SIZE ? { shown: true, value } : { shown: false };
}

/** A share (0…1) of `of` people, suppressed under the minimum size; null when nothing to divide. */
export function shareOver(count: number, of: number): Shown<number | null> {
  return shownOver(of, of === 0 ? null : count / of);
}

export interface NetworkStage {
  density: number;
  reciprocity: number | null;
  crossGroupShare: number | null;
  isolatedShare: number;
}

/** The cohort's network at its start, middle and end: the first, middle and last week of its trend (cumulative). */
export function networkStages(trend: readonly WeekPoint[]): { start: NetworkStage; middle: NetworkStage; end: NetworkStage } | null {
  if (trend.length === 0) return null;
  const stage = (p: WeekPoint): NetworkStage => ({
    density: p.density,
    reciprocity: p.reciprocity,
    crossGroupShare: p.crossGroupShare,
    isolatedShare: p.members === 0 ? 0 : p.isolated.length / p.members,
  });
  return { start: stage(trend[0]!), middle: stage(trend[Math.floor((trend.length - 1) / 2)]!), end: stage(trend.at(-1)!) };
}

/**
 * By the end of each module (its last ISO week, `endWeeks[i]` for module i + 1): how many learners
 * have a tie, in or out, with a learner of another group (someone without a group is in "no
 * group"), and how many have no tie at all, over every interaction up to that week.
 */
export function tiesByModule(nodes: readonly NetworkNode[], edges: readonly WeeklyEdge[], endWeeks: readonly string[]): { crossGroup: number[]; isolated: number[] } {
  const group = new Map(nodes.map((n) => [n.id, n.groupId]));
  const crossGroup: number[] = [];
  const isolated: number[] = [];
  for (const week of endWeeks) {
    const tied = new Set<string>();
    const across = new Set<string>();
    for (const t of tiesOf(nodes, edges.filter((e) => e.week <= week)).values()) {
      tied.add(t.from).add(t.to);
      if (group.get(t.from) !== group.get(t.to)) across.add(t.from).add(t.to);
    }
    crossGroup.push(across.size);
    isolated.push(nodes.length - tied.size);
  }
  return { crossGroup, isolated };
}

export type Direction = 'rising' | 'falling' | 'flat' | 'too-few';

/**
 * The direction of a figure across cohorts in the order they ran: the least-squares slope per cohort,
 * "flat" when it moves less than `tolerance` a cohort; fewer than three known values give no trend.
 */
export function trendOf(values: ReadonlyArray<number | null>, tolerance = 0.01): { direction: Direction; slope: number | null } {
  const fit = lineOf(values);
  if (!fit) return { direction: 'too-few', slope: null };
  const { slope } = fit;
  return { direction: Math.abs(slope) < tolerance ? 'flat' : slope > 0 ? 'rising' : 'falling', slope };
}

/** The least-squares line through the known values (x: their index), from three of them on; else null. */
export function lineOf(values: ReadonlyArray<number | null>): { slope: number; intercept: number } | null {
  const points = values.map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  if (points.length < 3) return null;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const slope = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  return { slope, intercept: my - slope * mx };
}

/** The fixed set of relationship goals a programme lead can set: each a share with a threshold at a module or week. */
export const GOAL_KINDS = {
  'cross-group-ties': { label: 'Learners with a tie outside their group by module', at: 'module', atChoices: [1, 2, 3, 4, 5, 6, 7, 8, 9], higherIsBetter: true },
  'check-in-share': { label: 'Submitted plans with a check-in at week', at: 'week', atChoices: [2, 4, 8], higherIsBetter: true },
  'isolated-share': { label: 'Learners with no tie at all by module', at: 'module', atChoices: [1, 2, 3, 4, 5, 6, 7, 8, 9], higherIsBetter: false },
} as const;
export type GoalKind = keyof typeof GOAL_KINDS;

export interface RelationshipGoal {
  kind: GoalKind;
  /** A share, 0…1. */
  threshold: number;
  /** The module (1–9) or the week after the cohort's end (2, 4, 8). */
  at: number;
}

/** What a cohort's snapshot holds for goals: counts only. */
export interface GoalCounts {
  learners: number;
  /** Index i: learners with a tie outside their group by the end of module i + 1. */
  crossGroupByModule: number[];
  /** Index i: learners with no tie at all by the end of module i + 1. */
  isolatedByModule: number[];
  plansSubmitted: number;
  /** Submitted plans with a check-in recorded at +2, +4 and +8 weeks. */
  checkInsAtWeek: Record<2 | 4 | 8, number>;
}

export type GoalProgress = { state: 'met' | 'not-yet'; share: number } | { state: 'too-few' };

/** One cohort against one goal: met, not yet (with the share reached), or too few to show. */
export function goalProgress(goal: RelationshipGoal, c: GoalCounts): GoalProgress {
  const [count, of] = goal.kind === 'check-in-share'
    ? [c.checkInsAtWeek[goal.at as 2 | 4 | 8] ?? 0, c.plansSubmitted]
    : [(goal.kind === 'cross-group-ties' ? c.crossGroupByModule : c.isolatedByModule)[goal.at - 1] ?? 0, c.learners];
  if (of < MIN_GROUP_SIZE) return { state: 'too-few' };
  const share = count / of;
  const met = GOAL_KINDS[goal.kind].higherIsBetter ? share >= goal.threshold : share <= goal.threshold;
  return { state: met ? 'met' : 'not-yet', share };
}
