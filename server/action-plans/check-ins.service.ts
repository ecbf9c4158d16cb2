// Check-ins after the course: the cohort's schedule (end date + weeks), recording a check-in, the
// reminder run (a pg-boss job; each reminder claimed by a unique row before its email goes, so two
// workers never both send it), and the facilitator's figures and reminder to those who missed one.
import * as media from '../../models/media.queries.ts';
import { withTransaction } from '../../models/db.ts';
import * as plans from '../../models/action-plans.queries.ts';
import * as checkInQueries from '../../models/check-ins.queries.ts';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { checkInFromForm } from './action-plans.schemas.ts';
import { emailMember, queueActionPlanEmail, signInUrl, type ActionPlanEmailDeps } from './action-plan-emails.ts';
import type { ActionPlansDeps } from './action-plans.service.ts';
import { msg } from '../i18n/i18n.ts';

export const CHECK_IN_REMINDER_QUEUE = 'action-plan-check-in-reminders';
/** Every hour: a check-in falls due on a date, so an hour's delay is fine. */
export const DEFAULT_REMINDER_CRON = '17 * * * *';

export interface CheckInDue {
  seq: number;
  dueOn: string;
}

/** The check-ins of a schedule: the n-th falls `weeks[n-1]` weeks after the end date. */
export function checkInDates(schedule: { endsOn: string; checkInWeeks: number[] } | undefined): CheckInDue[] {
  if (!schedule) return [];
  const end = Date.parse(`${schedule.endsOn}T00:00:00Z`);
  return schedule.checkInWeeks.map((w, i) => ({ seq: i + 1, dueOn: new Date(end + w * 7 * 86_400_000).toISOString().slice(0, 10) }));
}

const isDue = (c: CheckInDue, now: Date) => c.dueOn <= now.toISOString().slice(0, 10);

export async function setCheckInSchedule(deps: ActionPlansDeps, who: LaunchContext, s: { endsOn: string; weeks: number[] }): Promise<void> {
  if (who.role !== 'facilitator') throw new ForbiddenError('check-in-schedule', msg('plans.errors.facilitatorsSchedule'));
  const weeks = [...new Set(s.weeks)].sort((a, b) => a - b);
  await checkInQueries.upsertSchedule(deps.db, { tenantId: who.tenantId, cohortId: who.cohortId, endsOn: s.endsOn, checkInWeeks: weeks });
}

/** The owner's check-in `seq`: the plan's actions, and whether it is due or already recorded. */
export async function openCheckIn(deps: ActionPlansDeps, who: LaunchContext, seq: number) {
  const plan = await plans.findPlanOfMember(deps.db, who.tenantId, who.membershipId);
  if (!plan || plan.status !== 'submitted') throw new NotFoundError('action plan (submit it first)');
  const due = checkInDates(await checkInQueries.findSchedule(deps.db, who.tenantId, who.cohortId)).find((c) => c.seq === seq);
  if (!due) throw new NotFoundError('check-in');
  const recorded = (await checkInQueries.listCheckIns(deps.db, who.tenantId, plan.id)).find((c) => c.seq === seq);
  return { plan, due, open: isDue(due, deps.now()), recorded };
}

/** The draft a file uploaded with a check-in's form waits in, until the check-in is recorded. */
export const checkInDraftTarget = (seq: number) => `check-in:${seq}`;

/** Throws unless this person may record check-in `seq` now: checked before any byte of a file is stored. */
export async function assertCanAttachToCheckIn(deps: ActionPlansDeps, who: LaunchContext, seq: number): Promise<void> {
  const { due, open, recorded } = await openCheckIn(deps, who, seq);
  if (!open) throw new AppError(409, 'check-in-not-due', msg('plans.errors.notDue', { seq, date: new Date(`${due.dueOn}T00:00:00Z`) }));
  if (recorded) throw new AppError(409, 'check-in-recorded', msg('plans.errors.alreadyRecorded', { seq }));
}

export type CheckInOutcome = { kind: 'recorded' } | { kind: 'invalid'; error: ValidationError };

/** Records check-in `seq` (once); partners and the manager hear about it by email. */
export async function recordCheckIn(deps: ActionPlansDeps, who: LaunchContext, seq: number, form: Record<string, string>): Promise<CheckInOutcome> {
  const { plan, due, open, recorded } = await openCheckIn(deps, who, seq);
  if (!open) throw new AppError(409, 'check-in-not-due', msg('plans.errors.notDue', { seq, date: new Date(`${due.dueOn}T00:00:00Z`) }));
  if (recorded) throw new AppError(409, 'check-in-recorded', msg('plans.errors.alreadyRecorded', { seq }));
  const parsed = checkInFromForm(form, plan.goals);
  if (!parsed.success) return { kind: 'invalid', error: ValidationError.fromZod(parsed.error, msg('plans.errors.checkInNotRecorded'), true) };
  await withTransaction(deps.db, async (tx) => {
    const id = await checkInQueries.insertCheckIn(tx, { tenantId: who.tenantId, planId: plan.id, seq, entries: parsed.data.entries, journal: parsed.data.journal, journalShared: parsed.data.journal !== '' && parsed.data.journalShared });
    if (!id) throw new AppError(409, 'check-in-recorded', msg('plans.errors.alreadyRecorded', { seq }));
    // The files sent with its form (and any left from an earlier try) come onto it.
    await media.claimCheckInAttachments(tx, { tenantId: who.tenantId, membershipId: who.membershipId, checkInId: id, draftTarget: checkInDraftTarget(seq) });
    await queueActionPlanEmail(deps.queue, tx, { type: 'check-in-recorded', tenantId: who.tenantId, planId: plan.id, seq });
  });
  return { kind: 'recorded' };
}

/**
 * Sends every reminder due at `now` (or, for `missed`, in one cohort). Each is claimed by inserting
 * its row in the email's transaction: a second worker's insert waits for the first and then finds
 * it taken; a failed email rolls the claim back, so the next run tries again.
 */
export async function sendCheckInReminders(deps: ActionPlanEmailDeps, now: Date, kind: 'scheduled' | 'missed' = 'scheduled', scope?: { tenantId: string; cohortId: string }): Promise<{ sent: number; skipped: number }> {
  let sent = 0;
  let skipped = 0;
  const failures: unknown[] = [];
  for (const due of await checkInQueries.listDueReminders(deps.db, now, kind, scope)) {
    try {
      const done = await withTransaction(deps.db, async (tx) => {
        if (!(await checkInQueries.claimReminder(tx, { tenantId: due.tenantId, planId: due.planId, seq: due.seq, kind }))) return undefined;
        const href = await signInUrl(deps, tx, due, `/cohorts/${due.cohortId}/action-plan/check-ins/${due.seq}`);
        return emailMember(deps, tx, due.tenantId, due.membershipId, 'action-plan-reminders', (i18n) => ({
          subject: i18n.t('plans.email.reminderSubject', { kind, seq: due.seq }),
          paragraphs: [i18n.t('plans.email.reminderBody', { kind, seq: due.seq })],
          action: { label: i18n.t('plans.email.checkInNow'), href },
          reason: i18n.t('plans.email.reminderReason'),
        }));
      });
      if (done === undefined) continue;
      if (done) sent++;
      else skipped++;
    } catch (err) {
      deps.log.warn({ err, planId: due.planId, seq: due.seq }, 'check-in reminder not sent; kept for the next run');
      failures.push(err);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} check-in reminder(s) failed (${sent} sent)`);
  return { sent, skipped };
}

export async function registerCheckInReminders(queue: JobQueue, deps: ActionPlanEmailDeps, opts: { everyCron?: string; pollingIntervalSeconds?: number } = {}): Promise<void> {
  const { boss } = queue;
  await boss.createQueue(CHECK_IN_REMINDER_QUEUE, { retryLimit: 3, retryDelay: 300, expireInSeconds: 30 * 60 });
  await boss.work(CHECK_IN_REMINDER_QUEUE, opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {}, async () => {
    deps.log.info(await sendCheckInReminders(deps, deps.now()), 'check-in reminders run');
  });
  await boss.schedule(CHECK_IN_REMINDER_QUEUE, opts.everyCron ?? DEFAULT_REMINDER_CRON);
}

/** The facilitator's picture: plans drafted and submitted, check-ins recorded of those due; plans shared with the cohort. */
export async function cohortPlanFigures(deps: ActionPlansDeps, who: LaunchContext) {
  if (who.role !== 'facilitator') throw new ForbiddenError('plan-figures');
  const [all, schedule, bySeq, learners] = await Promise.all([
    plans.listCohortPlans(deps.db, who.tenantId, who.cohortId),
    checkInQueries.findSchedule(deps.db, who.tenantId, who.cohortId),
    checkInQueries.countCheckInsBySeq(deps.db, who.tenantId, who.cohortId),
    deps.db.selectFrom('memberships').select((eb) => eb.fn.countAll<string>().as('n')).where('tenantId', '=', who.tenantId).where('cohortId', '=', who.cohortId).where('role', '=', 'learner').where('status', '=', 'active').executeTakeFirst(),
  ]);
  const ofLearners = all.filter((p) => p.status === 'submitted');
  const now = deps.now();
  const checkIns = checkInDates(schedule).map((c) => ({ ...c, due: isDue(c, now), recorded: bySeq.get(c.seq) ?? 0, missed: isDue(c, now) ? ofLearners.length - (bySeq.get(c.seq) ?? 0) : 0 }));
  return {
    learners: Number(learners?.n ?? 0),
    drafted: all.filter((p) => p.status === 'draft').length,
    submitted: ofLearners.length,
    schedule,
    checkIns,
    shared: ofLearners.filter((p) => p.visibility === 'cohort'),
  };
}

/** Reminds those who missed a due check-in (once per check-in). */
export async function remindMissedCheckIns(deps: ActionPlansDeps, who: LaunchContext): Promise<{ sent: number; skipped: number }> {
  if (who.role !== 'facilitator') throw new ForbiddenError('remind-missed');
  return sendCheckInReminders(deps, deps.now(), 'missed', { tenantId: who.tenantId, cohortId: who.cohortId });
}
