// Inviting a manager: an email address the learner types, a signed link that expires, a page with
// only what the learner shares (the plan; check-ins if they chose), comments, an acknowledgement and
// a note that the conversation happened. Revoking ends every link of the invite at once.
import { withTransaction } from '../../models/db.ts';
import * as plans from '../../models/action-plans.queries.ts';
import * as inviteQueries from '../../models/manager-invites.queries.ts';
import * as checkInQueries from '../../models/check-ins.queries.ts';
import * as media from '../../models/media.queries.ts';
import { AppError, NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import { ManagerEmail } from './action-plans.schemas.ts';
import { emailManager, managerI18n, managerUrl } from './action-plan-emails.ts';
import { msg } from '../i18n/i18n.ts';
import type { ActionPlansDeps } from './action-plans.service.ts';
import { LinkEndedError, revokeLinksOf, verifyLink } from './signed-links.ts';

export async function inviteManager(deps: ActionPlansDeps, who: LaunchContext, email: string): Promise<void> {
  const parsed = ManagerEmail.safeParse(email.trim());
  if (!parsed.success) throw new ValidationError(msg(parsed.error.issues[0]!.message), { email: msg(parsed.error.issues[0]!.message) });
  const plan = await plans.findPlanOfMember(deps.db, who.tenantId, who.membershipId);
  if (!plan || plan.status !== 'submitted') throw new AppError(400, 'plan-not-submitted', msg('plans.errors.submitBeforeManager'));
  // The email goes inside the transaction: if it cannot be sent, no invite is left behind.
  await withTransaction(deps.db, async (tx) => {
    const inviteId = await inviteQueries.insertManagerInvite(tx, { tenantId: who.tenantId, planId: plan.id, email: parsed.data });
    const href = await managerUrl(deps, tx, { tenantId: who.tenantId, cohortId: who.cohortId, inviteId });
    const i18n = await managerI18n(tx, who.tenantId, plan.ownerPersonId);
    const owner = who.displayName ?? i18n.t('plans.email.aColleague');
    await emailManager(deps, parsed.data, href, i18n, {
      subject: i18n.t('plans.email.inviteSubject', { owner }),
      paragraphs: [i18n.t('plans.email.inviteBody', { owner, checkIns: plan.shareCheckInsWithManager ? 'yes' : 'no' }), i18n.t('plans.email.inviteNoAccount')],
      label: i18n.t('plans.email.seePlan'),
    });
  });
}

export async function revokeManagerInvite(deps: ActionPlansDeps, who: LaunchContext, inviteId: string): Promise<void> {
  const invite = await inviteQueries.findManagerInvite(deps.db, who.tenantId, inviteId);
  const plan = invite && (await plans.findPlan(deps.db, who.tenantId, invite.planId));
  if (!invite || !plan || plan.membershipId !== who.membershipId) throw new NotFoundError('invitation');
  await withTransaction(deps.db, async (tx) => {
    await inviteQueries.revokeManagerInvite(tx, who.tenantId, inviteId);
    await revokeLinksOf(tx, who.tenantId, 'manager-view', inviteId);
  });
}

/** The invite and plan a manager's link opens; a revoked invite ends the link even if the link row was missed. */
export async function openManagerView(deps: ActionPlansDeps, token: string) {
  const link = await verifyLink(deps.db, token, 'manager-view', deps.now());
  const invite = await inviteQueries.findManagerInvite(deps.db, link.tenantId, link.subjectId);
  if (!invite) throw new NotFoundError('invitation');
  if (invite.status !== 'active') throw new LinkEndedError('revoked', link, token);
  const plan = (await plans.findPlan(deps.db, link.tenantId, invite.planId))!;
  const [checkIns, comments] = await Promise.all([
    plan.shareCheckInsWithManager ? checkInQueries.listCheckIns(deps.db, link.tenantId, plan.id) : [],
    plans.listComments(deps.db, link.tenantId, plan.id),
  ]);
  // The files of the check-ins shared with the manager come with them, as they do for partners.
  const checkInFiles = await media.listCheckInAttachments(deps.db, link.tenantId, checkIns.map((c) => c.id));
  // Only what the learner shared: journal entries they chose to share, no partners, only this manager's own words.
  return {
    link,
    invite,
    plan: { ownerName: plan.ownerName, goals: plan.goals, updatedAt: plan.updatedAt },
    checkIns: checkIns.map((c) => ({ id: c.id, seq: c.seq, createdAt: c.createdAt, entries: c.entries, journal: c.journalShared ? c.journal : '', files: checkInFiles.filter((f) => f.checkInId === c.id) })),
    comments: comments.filter((c) => c.managerInviteId === invite.id),
  };
}

/** A file of a check-in the manager's link shows (the link still good, the check-in shared with them). */
export async function findManagerViewFile(deps: ActionPlansDeps, token: string, attachmentId: string) {
  const view = await openManagerView(deps, token);
  const file = await media.findAttachmentForAccess(deps.db, view.link.tenantId, attachmentId);
  if (!file || file.state !== 'ready' || !view.checkIns.some((c) => c.files.some((f) => f.id === file.id))) throw new NotFoundError('file');
  return { tenantId: view.link.tenantId, file };
}

/** A manager's comment, acknowledgement, or note that the conversation happened; the learner hears in-app on their plan page. */
export async function recordManagerResponse(deps: ActionPlansDeps, token: string, kind: 'comment' | 'acknowledged' | 'conversation', body: string, checkInId: string | null): Promise<void> {
  const view = await openManagerView(deps, token);
  if (kind === 'comment' && body.trim() === '') throw new ValidationError(msg('plans.errors.commentFirst'), { body: msg('plans.errors.commentFirst') });
  if (body.length > 2000) throw new ValidationError(msg('plans.errors.commentTooLongPlain', { max: 2000 }), { body: msg('plans.errors.commentTooLongPlain', { max: 2000 }) });
  if (checkInId && !view.checkIns.some((c) => c.id === checkInId)) throw new NotFoundError('check-in');
  await withTransaction(deps.db, async (tx) => {
    await plans.insertComment(tx, { tenantId: view.link.tenantId, planId: view.invite.planId, checkInId, authorMembershipId: null, managerInviteId: view.invite.id, kind, body: body.trim() });
    if (kind === 'acknowledged') await inviteQueries.updateManagerAcknowledged(tx, view.link.tenantId, view.invite.id);
  });
}

export async function stopManagerEmails(deps: ActionPlansDeps, token: string): Promise<void> {
  const view = await openManagerView(deps, token);
  await inviteQueries.updateManagerEmailsStopped(deps.db, view.link.tenantId, view.invite.id);
}
