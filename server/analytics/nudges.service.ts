// Nudges: a facilitator's short message to a quiet learner, shown on their hub until they dismiss
// it and emailed (job 'nudge-email'). One per learner per UTC day, kept by a unique constraint.
import { withTransaction } from '../../models/db.ts';
import * as nudges from '../../models/nudges.queries.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import { msg, type I18n } from '../i18n/i18n.ts';
import { findCohortLearner, type AnalyticsDeps } from './analytics.service.ts';
import { utcDay } from './quiet-learners.ts';

export const NUDGE_EMAIL_QUEUE = 'nudge-email';
export const MAX_NUDGE_LENGTH = 2000;

/** The message a nudge starts from, in the facilitator's language; they edit it before sending if they like. */
export function nudgeTemplate(i18n: I18n, learnerName: string | null, cohortTitle: string, facilitatorName: string): string {
  const first = learnerName?.split(/\s+/)[0];
  return i18n.t(first ? 'analytics.nudge.template' : 'analytics.nudge.templateNoName', { name: first, cohort: cohortTitle, facilitator: facilitatorName });
}

export async function nudgeFormFor(deps: AnalyticsDeps, who: LaunchContext, membershipId: string) {
  if (who.role !== 'facilitator') throw new ForbiddenError('nudge', msg('analytics.nudge.error.facilitatorsOnly'));
  const learner = await findCohortLearner(deps, who, membershipId);
  const cohort = await cohorts.findCohort(deps.db, who.tenantId, who.cohortId);
  if (!cohort) throw new NotFoundError('cohort');
  return { learner, cohort };
}

/**
 * Sends a nudge: saved for the hub and queued for email in one transaction. A second nudge to the
 * same learner on the same UTC day is refused (409) by the database's unique constraint.
 */
export async function sendNudge(deps: AnalyticsDeps, who: LaunchContext, membershipId: string, message: string): Promise<void> {
  const { learner } = await nudgeFormFor(deps, who, membershipId);
  const text = message.replace(/\r\n?/g, '\n').trim();
  if (text.length === 0) throw new ValidationError(msg('analytics.nudge.error.empty'), { message: msg('analytics.nudge.error.emptyField') });
  if (text.length > MAX_NUDGE_LENGTH) throw new ValidationError(msg('analytics.nudge.error.tooLong', { maximum: MAX_NUDGE_LENGTH }), { message: msg('analytics.nudge.error.tooLongField', { maximum: MAX_NUDGE_LENGTH }) });
  try {
    await withTransaction(deps.db, async (tx) => {
      const { id } = await nudges.insertNudge(tx, { tenantId: who.tenantId, cohortId: who.cohortId, membershipId, sentByMembershipId: who.membershipId, message: text, nudgedOn: utcDay(deps.now()) });
      await deps.queue?.sendInTransaction(tx, NUDGE_EMAIL_QUEUE, { tenantId: who.tenantId, nudgeId: id });
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new ConflictError(learner.name ? msg('analytics.nudge.error.alreadyToday', { name: learner.name }) : msg('analytics.nudge.error.alreadyTodayNoName'));
    }
    throw err;
  }
}

export async function dismissNudge(deps: AnalyticsDeps, who: LaunchContext, nudgeId: string): Promise<void> {
  if (!(await nudges.dismissNudge(deps.db, who.tenantId, who.membershipId, nudgeId))) throw new NotFoundError('message');
}
