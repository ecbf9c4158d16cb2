// Who has gone quiet, by one rule for the console, the dashboard and the report: never opened
// Circlework, or no activity and no launch for the cohort's quiet days. Pure: the service reads the
// kept people and figures, and whether each candidate was nudged today.
import type { LearnerRow } from '../../models/analytics.queries.ts';
import { KeptFor } from '../cache/kept-for.ts';
import type { CohortFigures } from './cohort-figures.ts';

const DAY = 86_400_000;

export interface QuietLearner {
  membershipId: string;
  name: string | null;
  lastActiveAt: Date | null;
  /** On the roster, never opened Circlework: quiet however recently they joined. */
  neverLaunched: boolean;
  daysQuiet: number;
  nudgedToday: boolean;
}

/** A learner who may have gone quiet, with whether a facilitator nudged them today. */
export type QuietCandidate = LearnerRow & { nudgedToday: boolean };

/** The UTC day of `d` as YYYY-MM-DD: nudges are counted per such day. */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The later of a learner's last launch (read live) and their last activity in the kept figures. */
export function latest(lastLaunchAt: Date | null, lastActiveAt: string | null | undefined): Date | null {
  const t = Math.max(lastLaunchAt?.getTime() ?? -Infinity, lastActiveAt ? Date.parse(lastActiveAt) : -Infinity);
  return t === -Infinity ? null : new Date(t);
}

/** Each learner's last activity by membership, kept with the kept figures' activity. */
const keptLastActive = new KeptFor<[CohortFigures['activity']], ReadonlyMap<string, string | null>>();
export const lastActiveBy = (activity: CohortFigures['activity']): ReadonlyMap<string, string | null> =>
  keptLastActive.get([activity], () => new Map(activity.map((a) => [a.membershipId, a.lastActiveAt])));

/** The learners by last launch, the never launched first, kept with the kept people. */
const byLastLaunch = new KeptFor<[readonly LearnerRow[]], { learners: readonly LearnerRow[]; launched: Float64Array }>();

/**
 * Of `learners`, those who may have gone quiet by `now`: never launched, or last launched `quietDays`
 * ago or earlier. A prefix of the kept order, found by halving. A superset of the quiet (their last
 * activity may be later): quietFrom decides, by the same milliseconds.
 */
export function launchedBy(learners: readonly LearnerRow[], quietDays: number, now: Date): readonly LearnerRow[] {
  const cutoff = now.getTime() - quietDays * DAY;
  const order = byLastLaunch.get([learners], () => {
    const sorted = learners.map((l) => ({ l, at: l.lastLaunchAt?.getTime() ?? -Infinity })).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return { learners: sorted.map((s) => s.l), launched: Float64Array.from(sorted, (s) => s.at) };
  });
  let lo = 0;
  let hi = order.launched.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (order.launched[mid]! <= cutoff) lo = mid + 1;
    else hi = mid;
  }
  return order.learners.slice(0, lo);
}

/**
 * Of `learners` (the candidates: a superset of the quiet), those who never opened Circlework (on the
 * roster from the LMS, never launched), first, however recently they joined; then those with no
 * activity (post, reply, kudos given, activity response, launch) for at least the cohort's quiet
 * days. Longest quiet first.
 */
export function quietFrom(learners: readonly QuietCandidate[], activity: CohortFigures['activity'], quietDays: number, now: Date): QuietLearner[] {
  // An active cohort has no candidate: nothing to look up.
  if (learners.length === 0) return [];
  const last = lastActiveBy(activity);
  return learners
    .map((l) => {
      const lastActiveAt = latest(l.lastLaunchAt, last.get(l.membershipId));
      const since = (lastActiveAt ?? l.joinedAt).getTime();
      const neverLaunched = l.lastLaunchAt === null;
      return { membershipId: l.membershipId, name: l.name, lastActiveAt, neverLaunched, daysQuiet: Math.floor((now.getTime() - since) / DAY), nudgedToday: l.nudgedToday };
    })
    .filter((q) => q.neverLaunched || q.daysQuiet >= quietDays)
    .sort((a, b) => Number(b.neverLaunched) - Number(a.neverLaunched) || b.daysQuiet - a.daysQuiet || (a.name ?? '').localeCompare(b.name ?? ''));
}
