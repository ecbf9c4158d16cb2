// Action plans and accountability partners: building the plan (drafts kept, nothing typed lost),
// who may read it (owner, partners, and the cohort or group as the owner chose), partners asked and
// answering. Knows nothing of HTTP.
import * as media from '../../models/media.queries.ts';
import { withTransaction } from '../../models/db.ts';
import * as plans from '../../models/action-plans.queries.ts';
import * as inviteQueries from '../../models/manager-invites.queries.ts';
import * as checkInQueries from '../../models/check-ins.queries.ts';
import * as notifications from '../../models/notifications.queries.ts';
import { findGroupOfMember } from '../../models/groups.queries.ts';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { EmailDeps } from '../email/mailer.ts';
import { planFromForm, type PlanForm } from './action-plans.schemas.ts';
import { queueActionPlanEmail } from './action-plan-emails.ts';
import { msg } from '../i18n/i18n.ts';

export interface ActionPlansDeps extends EmailDeps {
  now: () => Date;
  /** Emails to partners and managers go through it; without it none are sent (unit-style tests). */
  queue?: JobQueue | undefined;
}

export const MAX_PARTNERS = 2;

export type PlanAccess = 'owner' | 'partner' | 'reader';

/** The learner's own plan page: their plan (if any), intention, partners and candidates, invites. */
export async function openOwnPlan(deps: ActionPlansDeps, who: LaunchContext) {
  const [plan, pendingEdit, intention, group, schedule] = await Promise.all([
    plans.findPlanOfMember(deps.db, who.tenantId, who.membershipId),
    plans.findPlanPendingEdit(deps.db, who.tenantId, who.membershipId),
    plans.findIntention(deps.db, who.tenantId, who.membershipId),
    findGroupOfMember(deps.db, who.tenantId, who.membershipId),
    checkInQueries.findSchedule(deps.db, who.tenantId, who.cohortId),
  ]);
  const [partners, invites, checkIns, requests, candidates] = await Promise.all([
    plan ? plans.listPartners(deps.db, who.tenantId, plan.id) : [],
    plan ? inviteQueries.listManagerInvites(deps.db, who.tenantId, plan.id) : [],
    plan ? checkInQueries.listCheckIns(deps.db, who.tenantId, plan.id) : [],
    plans.listPartnerRequestsOf(deps.db, who.tenantId, who.membershipId),
    plans.listPartnerCandidates(deps.db, who.tenantId, who.cohortId, who.membershipId),
  ]);
  const cohortWide = !group || partners.some((p) => p.status === 'declined');
  const taken = new Set(partners.map((p) => p.partnerMembershipId));
  const choosable = candidates.filter((c) => !taken.has(c.membershipId) && (cohortWide || c.groupId === group?.id));
  const openSlots = MAX_PARTNERS - partners.filter((p) => p.status !== 'declined').length;
  return { plan, pendingEdit, intention, group, schedule, partners, invites, checkIns, requests, choosable, cohortWide, openSlots };
}

export type SavePlanOutcome = { kind: 'saved'; planId: string; submitted: boolean } | { kind: 'invalid'; error: ValidationError };

/**
 * Saves the plan as a draft, or submits it. A failed submission is kept as a draft (so nothing typed
 * is lost) and its errors returned. `planId`, when given, must be the learner's own plan: a partner
 * gets 403, anyone else 404.
 */
export async function saveActionPlan(deps: ActionPlansDeps, who: LaunchContext, form: PlanForm, planId?: string): Promise<SavePlanOutcome> {
  if (planId) await requireOwnPlan(deps, who, planId);
  if (who.role !== 'learner') throw new ForbiddenError('action-plan', msg('plans.errors.learnersOnly'));
  const submit = form.intent === 'submit';
  const parsed = planFromForm(form, submit);
  const existing = await plans.findPlanOfMember(deps.db, who.tenantId, who.membershipId);
  if (!parsed.success) {
    // A submitted plan stays as submitted (partners, the board and the manager read it): the failed
    // edit is kept as the owner's pending edit instead, so nothing typed is lost.
    if (existing?.status === 'submitted') {
      await plans.updatePlanPendingEdit(deps.db, who.tenantId, who.membershipId, form);
      return { kind: 'invalid', error: ValidationError.fromZod(parsed.error, msg('plans.errors.editKept'), true) };
    }
    if (submit) {
      const draft = planFromForm(form, false);
      if (draft.success) await plans.upsertPlan(deps.db, { tenantId: who.tenantId, cohortId: who.cohortId, membershipId: who.membershipId, ...draft.data, status: 'draft' });
    }
    return { kind: 'invalid', error: ValidationError.fromZod(parsed.error, msg(submit ? 'plans.errors.keptAsDraft' : 'plans.errors.draftNotSaved'), true) };
  }
  // Saving a draft of a submitted plan keeps it submitted: partners and the manager keep seeing it.
  const status = submit || existing?.status === 'submitted' ? 'submitted' : 'draft';
  const id = await plans.upsertPlan(deps.db, { tenantId: who.tenantId, cohortId: who.cohortId, membershipId: who.membershipId, ...parsed.data, status });
  return { kind: 'saved', planId: id, submitted: status === 'submitted' };
}

async function requireOwnPlan(deps: ActionPlansDeps, who: LaunchContext, planId: string) {
  const { plan, access } = await findReadablePlan(deps, who, planId);
  if (access !== 'owner') throw new ForbiddenError('edit-plan', msg('plans.errors.ownerOnly'));
  return plan;
}

/**
 * A plan `who` may read, and as what: the owner; a partner (asked or accepted); or a reader because
 * the owner shared it with the cohort, or with the group they share. Anything else is not found.
 */
export async function findReadablePlan(deps: Pick<ActionPlansDeps, 'db'>, who: LaunchContext, planId: string): Promise<{ plan: plans.PlanRow; access: PlanAccess }> {
  const plan = await plans.findPlan(deps.db, who.tenantId, planId);
  if (!plan || plan.cohortId !== who.cohortId) throw new NotFoundError('action plan');
  if (plan.membershipId === who.membershipId) return { plan, access: 'owner' };
  const partners = await plans.listPartners(deps.db, who.tenantId, plan.id);
  if (partners.some((p) => p.partnerMembershipId === who.membershipId && p.status !== 'declined')) return { plan, access: 'partner' };
  if (plan.status === 'submitted' && plan.visibility === 'cohort') return { plan, access: 'reader' };
  if (plan.status === 'submitted' && plan.visibility === 'group') {
    const [theirs, mine] = await Promise.all([findGroupOfMember(deps.db, who.tenantId, plan.membershipId), findGroupOfMember(deps.db, who.tenantId, who.membershipId)]);
    if (theirs && mine && theirs.id === mine.id) return { plan, access: 'reader' };
  }
  throw new NotFoundError('action plan');
}

/** The cohort's plans board: submitted plans this member may read (cohort-wide, or their group's). */
export async function listPlansBoard(deps: ActionPlansDeps, who: LaunchContext) {
  const [all, mine] = await Promise.all([plans.listCohortPlans(deps.db, who.tenantId, who.cohortId), findGroupOfMember(deps.db, who.tenantId, who.membershipId)]);
  return all.filter((p) => p.status === 'submitted' && (p.membershipId === who.membershipId || p.visibility === 'cohort' || (p.visibility === 'group' && mine && p.groupId === mine.id)));
}

/** A readable plan with what its reader may see of it. */
export async function openPlan(deps: ActionPlansDeps, who: LaunchContext, planId: string) {
  const { plan, access } = await findReadablePlan(deps, who, planId);
  const [partners, checkIns, comments] = await Promise.all([
    plans.listPartners(deps.db, who.tenantId, plan.id),
    access === 'reader' ? [] : checkInQueries.listCheckIns(deps.db, who.tenantId, plan.id),
    access === 'reader' ? [] : plans.listComments(deps.db, who.tenantId, plan.id),
  ]);
  // The check-ins' files, for those who read the check-ins.
  const checkInFiles = await media.listCheckInAttachments(deps.db, who.tenantId, checkIns.map((c) => c.id));
  const myPartnership = partners.find((p) => p.partnerMembershipId === who.membershipId);
  // A journal entry is the owner's alone unless they shared it with that check-in.
  const shownCheckIns = access === 'owner' ? checkIns : checkIns.map((c) => (c.journalShared ? c : { ...c, journal: '' }));
  return { plan, access, partners, checkIns: shownCheckIns, comments, myPartnership, checkInFiles };
}

/** Asks one or two learners to be partners: from the owner's group, or the cohort once a group partner declined (or without a group). */
export async function askPartners(deps: ActionPlansDeps, who: LaunchContext, membershipIds: string[]): Promise<void> {
  const own = await openOwnPlan(deps, who);
  if (!own.plan) throw new AppError(400, 'no-plan', msg('plans.errors.saveBeforePartners'));
  const unique = [...new Set(membershipIds)];
  if (unique.length > own.openSlots) throw new ValidationError(msg('plans.errors.tooManyPartners', { max: MAX_PARTNERS, left: Math.max(own.openSlots, 0) }));
  const allowed = new Set(own.choosable.map((c) => c.membershipId));
  if (unique.some((id) => !allowed.has(id))) throw new ValidationError(msg('plans.errors.partnerNotListed'));
  const plan = own.plan;
  await withTransaction(deps.db, async (tx) => {
    for (const id of unique) {
      if (await plans.insertPartner(tx, { tenantId: who.tenantId, planId: plan.id, partnerMembershipId: id })) {
        await queueActionPlanEmail(deps.queue, tx, { type: 'partner-asked', tenantId: who.tenantId, planId: plan.id, membershipId: id });
        await notifications.insertPlanNotification(tx, { tenantId: who.tenantId, kind: 'partner-request', actorMembershipId: who.membershipId, planId: plan.id, membershipId: id });
      }
    }
  });
}

/** The asked partner accepts or declines; the owner hears about it. */
export async function answerPartnerRequest(deps: ActionPlansDeps, who: LaunchContext, planId: string, answer: 'accept' | 'decline'): Promise<void> {
  const { access, myPartnership, plan } = await openPlan(deps, who, planId);
  if (access !== 'partner' || !myPartnership) throw new ForbiddenError('answer-partner', msg('plans.errors.onlyAsked'));
  await withTransaction(deps.db, async (tx) => {
    await plans.updatePartnerStatus(tx, who.tenantId, planId, who.membershipId, answer === 'accept' ? 'accepted' : 'declined');
    await queueActionPlanEmail(deps.queue, tx, { type: 'partner-answered', tenantId: who.tenantId, planId: plan.id, membershipId: who.membershipId });
  });
}

/** A reply on the plan or one of its check-ins, by the owner or an accepted partner. */
export async function commentOnPlan(deps: ActionPlansDeps, who: LaunchContext, planId: string, body: string, checkInId: string | null): Promise<void> {
  const { access, myPartnership, checkIns, plan } = await openPlan(deps, who, planId);
  if (access === 'reader' || (access === 'partner' && myPartnership?.status !== 'accepted')) {
    throw new ForbiddenError('comment-plan', msg('plans.errors.replyNotAllowed'));
  }
  if (checkInId && !checkIns.some((c) => c.id === checkInId)) throw new NotFoundError('check-in');
  await withTransaction(deps.db, async (tx) => {
    await plans.insertComment(tx, { tenantId: who.tenantId, planId: plan.id, checkInId, authorMembershipId: who.membershipId, managerInviteId: null, kind: 'comment', body });
    if (access === 'partner') {
      await queueActionPlanEmail(deps.queue, tx, { type: 'partner-replied', tenantId: who.tenantId, planId: plan.id, membershipId: who.membershipId });
      await notifications.insertPlanNotification(tx, { tenantId: who.tenantId, kind: 'plan-comment', actorMembershipId: who.membershipId, planId: plan.id, membershipId: plan.membershipId });
    }
  });
}
