// Grades back to the LMS (AGS) through an outbox: a completion writes the scores it earns in its own
// transaction, and the grade-delivery job posts them. Payloads are fixed at write time, so every
// attempt sends exactly the same score; timestamps strictly increase per resource link and person.
import type { Logger } from 'pino';
import { withTransaction, type Db, type Tx } from '../../models/db.ts';
import * as outbox from '../../models/grade-outbox.queries.ts';
import * as links from '../../models/resource-links.queries.ts';
import type { MembershipRole } from '../../models/schema.ts';
import { AgsError, postScore, SUPERSEDED_NOTE } from '../../lti/ags.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { LaunchContext } from '../launch-context.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';

export const GRADE_DELIVERY_QUEUE = 'grade-delivery';
const MODULE_COUNT = 9;

export interface GradeJobData {
  tenantId: string;
  outboxId: string;
}

export interface GradedPerson {
  tenantId: string;
  cohortId: string;
  membershipId: string;
  role: MembershipRole;
  sub: string;
}

/**
 * Called inside the transaction that records a module completion, with the learner's full list of
 * completed modules. Each resource link of the cohort that may take a score gets one: the hub the
 * overall completion, a module link 100 once its module is done. A score equal to the last one sent
 * (or waiting) for that link is not sent again. Non-learners are never graded.
 */
export async function enqueueGrades(tx: Tx, queue: JobQueue, who: GradedPerson, completedModuleIds: number[], only?: { resourceLinkId: string }): Promise<void> {
  if (who.role !== 'learner') return;
  const scorable = (await links.listScorableResourceLinks(tx, who.tenantId, who.cohortId)).filter((l) => !only || l.resourceLinkId === only.resourceLinkId);
  if (scorable.length === 0) return;
  // Serialises grade writes per person, so the timestamps read below stay the newest.
  const member = await outbox.lockMembershipForGrading(tx, who.tenantId, who.membershipId);
  if (!member || member.role !== 'learner' || member.cohortId !== who.cohortId) return;
  const completed = new Set(completedModuleIds.filter((id) => Number.isInteger(id) && id >= 1 && id <= MODULE_COUNT));
  const latest = new Map((await outbox.listLatestGradesOfMembership(tx, who.tenantId, who.membershipId)).map((g) => [g.resourceLinkId, g]));

  for (const link of scorable) {
    const score = scoreFor(link.moduleId, completed);
    if (!score) continue;
    const last = latest.get(link.resourceLinkId);
    if (last && last.status !== 'failed' && last.payload.scoreGiven === score.scoreGiven && last.payload.activityProgress === score.activityProgress) continue;
    // Moodle compares timestamps to the second and refuses (409) one at or before the stored one:
    // a newer score starts at least in the next whole second.
    const timestamp = new Date(Math.max(Date.now(), last ? (Math.floor(last.scoreTimestamp.getTime() / 1000) + 1) * 1000 : 0));
    const payload = {
      userId: member.sub,
      scoreGiven: score.scoreGiven,
      scoreMaximum: 100,
      activityProgress: score.activityProgress,
      gradingProgress: 'FullyGraded',
      timestamp: timestamp.toISOString(),
    };
    // An older score not yet delivered is superseded: this one carries the whole state.
    await outbox.deleteUndeliveredGrades(tx, who.tenantId, who.membershipId, link.resourceLinkId);
    const row = await outbox.insertGrade(tx, { tenantId: who.tenantId, membershipId: who.membershipId, resourceLinkId: link.resourceLinkId, payload, scoreTimestamp: timestamp });
    await sendGradeJob(queue, tx, { tenantId: who.tenantId, outboxId: row.id }, member.platformId);
  }
}

/** The hub: overall completion; a module link: 100 once its module is completed, else nothing. */
export function scoreFor(moduleId: number | null, completed: ReadonlySet<number>): { scoreGiven: number; activityProgress: 'InProgress' | 'Completed' } | undefined {
  if (moduleId === null) {
    return { scoreGiven: Math.round((100 * completed.size) / MODULE_COUNT), activityProgress: completed.size >= MODULE_COUNT ? 'Completed' : 'InProgress' };
  }
  return completed.has(moduleId) ? { scoreGiven: 100, activityProgress: 'Completed' } : undefined;
}

/**
 * One job per outbox row. The queue is a pg-boss `singleton` queue keyed by platform: one delivery
 * per LMS registration at a time across every app process (Canvas throttles concurrent AGS calls).
 */
async function sendGradeJob(queue: JobQueue, tx: Tx | undefined, data: GradeJobData, platformId: string): Promise<void> {
  if (tx) await queue.sendInTransaction(tx, GRADE_DELIVERY_QUEUE, data, { singletonKey: platformId });
  else await queue.boss.send(GRADE_DELIVERY_QUEUE, data, { singletonKey: platformId });
}

/** The facilitator's retry of a score that failed for good: pending again, with a new job. */
export async function retryGrade(deps: { db: Db; queue: JobQueue }, who: LaunchContext, outboxId: string): Promise<void> {
  if (who.role !== 'facilitator') throw new ForbiddenError('retry-grade');
  await withTransaction(deps.db, async (tx) => {
    const row = await outbox.findGradeInCohort(tx, who.tenantId, who.cohortId, outboxId);
    if (!row) throw new NotFoundError('score');
    const retried = row.status === 'failed' ? await outbox.updateFailedGradeToPending(tx, who.tenantId, outboxId) : undefined;
    if (!retried) throw new ConflictError(msg('cohorts.grades.notFailed'));
    await sendGradeJob(deps.queue, tx, { tenantId: who.tenantId, outboxId }, row.platformId);
  });
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'skipped';

export interface DeliveryDeps {
  db: Db;
  log: Logger;
  ltiEncryptionKey: string;
  /** Per HTTP request to the LMS (default 15 s). */
  timeoutMs?: number;
}

/**
 * Delivers one outbox row. Marked delivered only if still pending after the LMS took it; a crash in
 * between resends the identical payload, which AGS takes as the same score. A retryable failure is
 * recorded and rethrown so the job retries with backoff, unless this was the last attempt; any other
 * failure marks the row failed with the reason the facilitator sees.
 */
export async function deliverGrade(deps: DeliveryDeps, job: GradeJobData, attempt: { last: boolean }): Promise<DeliveryOutcome> {
  const row = await outbox.findGradeDelivery(deps.db, job.tenantId, job.outboxId);
  if (!row || row.status !== 'pending') return 'skipped';
  const fail = async (reason: string) => {
    await outbox.recordGradeAttempt(deps.db, row.tenantId, row.id, { status: 'failed', lastError: reason });
    return 'failed' as const;
  };
  if (row.platformStatus !== 'active' || row.tenantStatus !== 'active') {
    return fail('This LMS registration or deployment is not active in Circlework; the tool admin can activate it, then retry.');
  }
  let superseded = false;
  try {
    ({ superseded } = await postScore(deps, {
      platform: { issuer: row.issuer, clientId: row.clientId, tokenEndpoint: row.tokenEndpoint, authorizationServer: row.authorizationServer, toolKid: row.toolKid },
      link: { tenantId: row.tenantId, resourceLinkId: row.resourceLinkId, title: row.linkTitle, lineitemUrl: row.lineitemUrl, lineitemsUrl: row.lineitemsUrl, agsScopes: row.agsScopes },
    }, row.payload));
  } catch (err) {
    const known = err instanceof AgsError ? err : undefined;
    if (!known) deps.log.error({ err, outboxId: row.id }, 'grade delivery failed unexpectedly');
    const reason = known?.reason ?? 'Circlework had an internal problem sending this score.';
    if (known && !known.retryable) return fail(reason);
    if (attempt.last) return fail(`Circlework gave up after ${row.attempts + 1} attempts. Last problem: ${reason}`);
    await outbox.recordGradeAttempt(deps.db, row.tenantId, row.id, { status: 'pending', lastError: reason });
    throw err;
  }
  return (await outbox.markGradeDelivered(deps.db, row.tenantId, row.id, superseded ? SUPERSEDED_NOTE : null)) ? 'delivered' : 'skipped';
}

/**
 * A link that can take scores, seen for the first time (or for the first time with the score scope):
 * queues the scores learners already earned for it, e.g. module N completed before the module-N link
 * was first launched. Claimed once per link, in the same transaction as the scores it queues, so a
 * failure leaves it to the next launch. Returns how many learners were looked at (0: nothing to do).
 */
export async function backfillLinkGrades(deps: { db: Db; queue: JobQueue }, tenantId: string, resourceLinkId: string): Promise<number> {
  return withTransaction(deps.db, async (tx) => {
    const link = await links.claimResourceLinkBackfill(tx, tenantId, resourceLinkId);
    if (!link) return 0;
    const learners = await outbox.listLearnerCompletions(tx, tenantId, link.cohortId);
    for (const l of learners) {
      await enqueueGrades(tx, deps.queue, { tenantId, cohortId: link.cohortId, membershipId: l.membershipId, role: 'learner', sub: l.sub }, l.completedModuleIds, { resourceLinkId });
    }
    return learners.length;
  });
}

/**
 * Safety net for rows whose job was lost (deleted, or expired without settling): pending rows older
 * than `olderThanSeconds` with no live job get a new one. Returns how many were sent.
 */
export async function resendStalledGrades(deps: { db: Db; queue: JobQueue }, opts: { olderThanSeconds?: number; limit?: number } = {}): Promise<number> {
  const stalled = await outbox.listStalledGrades(deps.db, opts.olderThanSeconds ?? 60, opts.limit ?? 100);
  let sent = 0;
  for (const row of stalled) {
    const jobs = await deps.queue.boss.findJobs(GRADE_DELIVERY_QUEUE, { data: { outboxId: row.id } });
    if (jobs.some((j) => j.state === 'created' || j.state === 'retry' || j.state === 'active')) continue;
    await sendGradeJob(deps.queue, undefined, { tenantId: row.tenantId, outboxId: row.id }, row.platformId);
    sent++;
  }
  return sent;
}
