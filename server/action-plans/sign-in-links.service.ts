// Signing in by an emailed, single-use link after the course (the LMS course may be closed): the
// link becomes a launch context of the same shape an LTI launch makes, for that one cohort; the
// membership checks of requireLaunch still apply on every request.
import * as plans from '../../models/action-plans.queries.ts';
import * as inviteQueries from '../../models/manager-invites.queries.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { SignedLinkRow } from '../../models/signed-links.queries.ts';
import { emailManager, emailMember, managerI18n, managerUrl, signInUrl } from './action-plan-emails.ts';
import { msg } from '../i18n/i18n.ts';
import { SignInEmail } from './action-plans.schemas.ts';
import type { ActionPlansDeps } from './action-plans.service.ts';
import { findLink, verifyLink } from './signed-links.ts';

/** Uses the link (once) and returns the launch context it grants and where to go. */
export async function signInWithLink(deps: ActionPlansDeps, token: string): Promise<{ context: LaunchContext; returnTo: string }> {
  return deps.db.transaction().execute(async (tx) => {
    const link = await verifyLink(tx, token, 'sign-in', deps.now(), { consume: true });
    const parts = await plans.findLaunchParts(tx, link.tenantId, link.subjectId);
    if (!parts) throw new NotFoundError('link');
    const context: LaunchContext = {
      tenantId: parts.tenantId,
      platformId: parts.platformId,
      cohortId: parts.cohortId,
      personId: parts.personId,
      membershipId: parts.membershipId,
      role: parts.role,
      displayName: parts.name ?? 'Learner',
      issuer: parts.issuer,
      sub: parts.sub,
      launchedAt: deps.now().toISOString(),
    };
    return { context, returnTo: link.returnTo ?? `/cohorts/${parts.cohortId}/action-plan` };
  });
}

/** A verified link without using it (the confirmation page before the sign-in POST). */
export function checkSignInLink(deps: ActionPlansDeps, token: string): Promise<SignedLinkRow> {
  return verifyLink(deps.db, token, 'sign-in', deps.now());
}

/**
 * A fresh link in place of an expired or used one, emailed to the address it belongs to (never to
 * an address given here): a member's sign-in link, or a manager's view while the invite is active.
 */
export async function renewLink(deps: ActionPlansDeps, token: string, purpose: 'sign-in' | 'manager-view'): Promise<void> {
  const old = await findLink(deps.db, token, purpose);
  if (!old || old.revokedAt) throw new NotFoundError('link');
  if (purpose === 'sign-in') {
    await deps.db.transaction().execute(async (tx) => {
      const href = await signInUrl(deps, tx, { tenantId: old.tenantId, cohortId: old.cohortId, membershipId: old.subjectId }, old.returnTo ?? `/cohorts/${old.cohortId}/action-plan`);
      await emailMember(deps, tx, old.tenantId, old.subjectId, 'action-plan-reminders', (i18n) => ({
        subject: i18n.t('plans.email.newLinkSubject'),
        paragraphs: [i18n.t('plans.email.newLinkBody')],
        action: { label: i18n.t('plans.email.signIn'), href },
        reason: i18n.t('plans.email.newLinkReason'),
      }), { asked: true });
    });
    return;
  }
  const invite = await inviteQueries.findManagerInvite(deps.db, old.tenantId, old.subjectId);
  if (!invite || invite.status !== 'active') throw new NotFoundError('link');
  const href = await managerUrl(deps, deps.db, { tenantId: old.tenantId, cohortId: old.cohortId, inviteId: invite.id });
  const i18n = await managerI18n(deps.db, old.tenantId, (await plans.findPlan(deps.db, old.tenantId, invite.planId))?.ownerPersonId ?? '');
  await emailManager(deps, invite.email, href, i18n, { subject: i18n.t('plans.email.managerNewLinkSubject'), paragraphs: [i18n.t('plans.email.managerNewLinkBody')], label: i18n.t('plans.email.seePlan') });
}

/**
 * Emails a single-use sign-in link for each cohort where `email` (as the LMS shared it) belongs to
 * someone with an action plan or an accepted partnership. The caller shows the same page whatever
 * happened, so nothing here tells whether the address is known: a failed email is only logged.
 */
export async function requestSignInLinks(deps: ActionPlansDeps, email: string): Promise<void> {
  const parsed = SignInEmail.safeParse(email.trim());
  if (!parsed.success) throw new ValidationError(msg(parsed.error.issues[0]!.message), { email: msg(parsed.error.issues[0]!.message) });
  for (const m of await plans.listSignInMembershipsByEmail(deps.db, parsed.data)) {
    try {
      await deps.db.transaction().execute(async (tx) => {
        const href = await signInUrl(deps, tx, m, `/cohorts/${m.cohortId}/action-plan`);
        await emailMember(deps, tx, m.tenantId, m.membershipId, 'action-plan-reminders', (i18n) => ({
          subject: i18n.t('plans.email.signInSubject', { cohort: m.cohortTitle }),
          paragraphs: [i18n.t('plans.email.signInBody', { cohort: m.cohortTitle }), i18n.t('plans.email.signInIgnore')],
          action: { label: i18n.t('plans.email.signIn'), href },
          reason: i18n.t('plans.email.signInReason'),
        }), { asked: true });
      });
    } catch (err) {
      deps.log.warn({ err, tenantId: m.tenantId, membershipId: m.membershipId }, 'requested sign-in link not emailed');
    }
  }
}
