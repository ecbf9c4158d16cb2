// Nudges: a facilitator's short message to a quiet learner, shown on their hub until they dismiss
// it and emailed (job 'nudge-email'). One per learner per UTC day, kept by a unique constraint.
import { withTransaction } from '../../models/db.ts';
import * as nudges from '../../models/nudges.queries.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import { findCohortLearner, utcDay, type AnalyticsDeps } from './analytics.service.ts';

export const NUDGE_EMAIL_QUEUE = 'nudge-email';
export const MAX_NUDGE_LENGTH = 2000;

/** The message a nudge starts from; the facilitator edits it before sending if they like. */
export function nudgeTemplate(learnerName: string | null, cohortTitle: string, facilitatorName: string): string {
  const first = learnerName?.split(/\s+/)[0];
  return `Hi ${first ?? 'there'}, we have not seen you in Circlework for a few days and your group misses your voice. `
    + `This week’s module in “${cohortTitle}” is open: a short post in your group space is an easy way back in. `
    + `If something is getting in the way, reply to me and we will sort it out. — ${facilitatorName}`;
}

export async function nudgeFormFor(deps: AnalyticsDeps, who: LaunchContext, membershipId: string) {
  if (who.role !== 'facilitator') throw new ForbiddenError('nudge', 'Only the cohort’s facilitators send nudges.');
  const learner = await findCohortLearner(deps, who, membershipId);
  const cohort = await cohorts.findCohort(deps.db, who.tenantId, who.cohortId);
  if (!cohort) throw new NotFoundError('cohort');
  return { learner, cohort, template: nudgeTemplate(learner.name, cohort.title, who.displayName) };
}

/**
 * Sends a nudge: saved for the hub and queued for email in one transaction. A second nudge to the
 * same learner on the same UTC day is refused (409) by the database's unique constraint.
 */
export async function sendNudge(deps: AnalyticsDeps, who: LaunchContext, membershipId: string, message: string): Promise<void> {
  const { learner } = await nudgeFormFor(deps, who, membershipId);
  const text = message.replace(/\r\n?/g, '\n').trim();
  if (text.length === 0) throw new ValidationError('Write a message for the nudge.', { message: 'Write a message.' });
  if (text.length > MAX_NUDGE_LENGTH) throw new ValidationError(`A nudge is at most ${MAX_NUDGE_LENGTH.toLocaleString('en')} characters.`, { message: `At most ${MAX_NUDGE_LENGTH.toLocaleString('en')} characters.` });
  try {
    await withTransaction(deps.db, async (tx) => {
      const { id } = await nudges.insertNudge(tx, { tenantId: who.tenantId, cohortId: who.cohortId, membershipId, sentByMembershipId: who.membershipId, message: text, nudgedOn: utcDay(deps.now()) });
      await deps.queue?.sendInTransaction(tx, NUDGE_EMAIL_QUEUE, { tenantId: who.tenantId, nudgeId: id });
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new ConflictError(`${learner.name ?? 'This learner'} was already nudged today. One nudge a day is enough: try again tomorrow if they stay quiet.`);
    }
    throw err;
  }
}

/** The learner's own nudges on their hub. */
export function openNudges(deps: AnalyticsDeps, who: LaunchContext) {
  return nudges.listOpenNudges(deps.db, who.tenantId, who.membershipId);
}

export async function dismissNudge(deps: AnalyticsDeps, who: LaunchContext, nudgeId: string): Promise<void> {
  if (!(await nudges.dismissNudge(deps.db, who.tenantId, who.membershipId, nudgeId))) throw new NotFoundError('message');
}
