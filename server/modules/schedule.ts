// When modules open, and what state each is in for a learner. Pure: the clock is passed in.
import type { I18n } from '../i18n/i18n.ts';
import { MODULE_COUNT } from './workshop-content.ts';

const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * A module's completion state for one learner, in the same words on the hub, the module page, the
 * console's progress and the grades page (issue 16 item 1): complete once its completion is recorded;
 * otherwise locked before its open date; in progress once the learner has a response (draft or
 * submitted) or a visible post in one of its group spaces; else not started.
 */
export const COMPLETION_STATES = ['complete', 'in-progress', 'not-started', 'locked'] as const;
export type CompletionState = (typeof COMPLETION_STATES)[number];

export const COMPLETION_LABEL: Readonly<Record<CompletionState, string>> = {
  locked: 'Opens later',
  'not-started': 'Not started',
  'in-progress': 'In progress',
  complete: 'Complete',
};

/** The states' words in the catalogs (COMPLETION_LABEL is their English, for the analytics export). */
export const COMPLETION_MESSAGE: Readonly<Record<CompletionState, string>> = {
  locked: 'modules.completion.locked',
  'not-started': 'modules.completion.notStarted',
  'in-progress': 'modules.completion.inProgress',
  complete: 'modules.completion.complete',
};

/**
 * Open date of every module: the facilitator's date where one is set, otherwise one module a week
 * from the cohort's first launch (module 1 opens at once).
 */
export function moduleOpenDates(cohortStart: Date, overrides: ReadonlyMap<number, Date>): Date[] {
  // Copies: the saved dates may be the cache's, shared by every reader of the process.
  return Array.from({ length: MODULE_COUNT }, (_, i) => new Date(overrides.get(i + 1)?.getTime() ?? cohortStart.getTime() + i * WEEK_MS));
}

/** The one function every page reads a module's state through. */
export function completionState(now: Date, opensAt: Date, done: { completed: boolean; started: boolean }): CompletionState {
  // A recorded completion stands even if the facilitator later moves the module's date.
  if (done.completed) return 'complete';
  if (opensAt.getTime() > now.getTime()) return 'locked';
  return done.started ? 'in-progress' : 'not-started';
}

/** The state and its words in the reader's language, as the completion partial takes them. */
export function completionView(i18n: I18n, state: CompletionState): { state: CompletionState; label: string } {
  return { state, label: i18n.t(COMPLETION_MESSAGE[state]) };
}

/** Modules that opened in the last seven days and are not done: what is due this week. */
export function dueThisWeek(now: Date, openDates: readonly Date[], completed: ReadonlySet<number>): number[] {
  return openDates
    .map((d, i) => ({ id: i + 1, t: d.getTime() }))
    .filter(({ id, t }) => !completed.has(id) && t <= now.getTime() && now.getTime() - t < WEEK_MS)
    .map(({ id }) => id);
}
