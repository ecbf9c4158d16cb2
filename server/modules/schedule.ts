// When modules open, and what state each is in for a learner. Pure: the clock is passed in.
import { MODULE_COUNT } from './workshop-content.ts';

const WEEK_MS = 7 * 24 * 3600 * 1000;

export type ModuleState = 'locked' | 'open' | 'done';

/**
 * Open date of every module: the facilitator's date where one is set, otherwise one module a week
 * from the cohort's first launch (module 1 opens at once).
 */
export function moduleOpenDates(cohortStart: Date, overrides: ReadonlyMap<number, Date>): Date[] {
  return Array.from({ length: MODULE_COUNT }, (_, i) => overrides.get(i + 1) ?? new Date(cohortStart.getTime() + i * WEEK_MS));
}

export function moduleState(now: Date, opensAt: Date, completed: boolean): ModuleState {
  if (completed) return 'done';
  return opensAt.getTime() <= now.getTime() ? 'open' : 'locked';
}

/** Modules that opened in the last seven days and are not done: what is due this week. */
export function dueThisWeek(now: Date, openDates: readonly Date[], completed: ReadonlySet<number>): number[] {
  return openDates
    .map((d, i) => ({ id: i + 1, t: d.getTime() }))
    .filter(({ id, t }) => !completed.has(id) && t <= now.getTime() && now.getTime() - t < WEEK_MS)
    .map(({ id }) => id);
}
