// Every email about action plans: partner requests and answers, partners' replies, check-in
// notices to partners and the manager (a job, queued in the transaction that caused it), and the
// ones sent at once (the manager's invitation, a fresh sign-in link). Each has a text part and a
// preferences link (composeEmail); a person's emails go only to the address the LMS shared, unless
// they opted out of the topic; a manager's go to the address the learner typed.
import type { Executor, Tx } from '../../models/db.ts';
import * as plans from '../../models/action-plans.queries.ts';
import * as inviteQueries from '../../models/manager-invites.queries.ts';
import { listOptOuts } from '../../models/email-preferences.queries.ts';
import { composeEmail, type EmailContent } from '../email/compose-email.ts';
import type { EmailDeps } from '../email/mailer.ts';
import type { EmailTopic } from '../email/email-topics.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { issueSignedLink } from './signed-links.ts';
import { i18nFor, type I18n } from '../i18n/i18n.ts';
import { findPersonLocales } from '../../models/profiles.queries.ts';
import { NO_NAME } from '../notifications/notification-text.ts';

export const ACTION_PLAN_EMAIL_QUEUE = 'action-plan-emails';
export const SIGN_IN_TTL_MS = 7 * 24 * 3600 * 1000;
export const MANAGER_LINK_TTL_MS = 30 * 24 * 3600 * 1000;

export type ActionPlanEmailJob =
  | { type: 'partner-asked' | 'partner-answered' | 'partner-replied'; tenantId: string; planId: string; membershipId: string }
  | { type: 'check-in-recorded'; tenantId: string; planId: string; seq: number };

/** Action-plan emails also need the clock (reminders and link expiry follow it). */
export interface ActionPlanEmailDeps extends EmailDeps {
  now: () => Date;
}

export async function queueActionPlanEmail(queue: JobQueue | undefined, tx: Tx, job: ActionPlanEmailJob): Promise<void> {
  await queue?.sendInTransaction(tx, ACTION_PLAN_EMAIL_QUEUE, job, { retryLimit: 5, retryDelay: 60, retryBackoff: true });
}

export async function registerActionPlanEmails(queue: JobQueue, deps: ActionPlanEmailDeps, opts: { pollingIntervalSeconds?: number } = {}): Promise<void> {
  await queue.boss.createQueue(ACTION_PLAN_EMAIL_QUEUE, { retryLimit: 5, retryDelay: 60, retryBackoff: true });
  await queue.boss.work<ActionPlanEmailJob>(ACTION_PLAN_EMAIL_QUEUE, opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {}, async (jobs) => {
    for (const job of jobs) await sendActionPlanEmail(deps, job.data);
  });
}

const url = (deps: { publicUrl: URL }, path: string) => new URL(path, deps.publicUrl).href;
/** A person's name in an email, or the words for someone unnamed ("A colleague") in its language. */
const nameIn = (i18n: I18n, name: string | null | undefined, unnamed: string) => name ?? i18n.t(unnamed);

/**
 * Emails a member (tenant + membership) on `topic`, unless there is no address or they opted out.
 * `asked`: the person just asked for this email (a sign-in link), so an opt-out of the topic does not stop it.
 */
export async function emailMember(deps: ActionPlanEmailDeps, ex: Executor, tenantId: string, membershipId: string, topic: EmailTopic, content: (i18n: I18n) => Omit<EmailContent, 'preferencesUrl' | 'greeting'>, opts: { asked?: boolean } = {}): Promise<boolean> {
  const person = await plans.findMemberPerson(ex, tenantId, membershipId);
  if (!person?.email || person.status !== 'active') return false;
  if (!opts.asked && (await listOptOuts(ex, tenantId, person.personId)).includes(topic)) return false;
  const who = { tenantId, personId: person.personId };
  const preferencesUrl = deps.links.preferencesUrl(who);
  // In the recipient's language.
  const i18n = i18nFor(person.locale);
  const email = composeEmail({ greeting: i18n.t('notifications.digest.greeting', { name: person.name ?? NO_NAME }), ...content(i18n), preferencesUrl }, i18n);
  await deps.mailer.send({ to: person.email, ...email, preferencesUrl, unsubscribeUrl: deps.links.unsubscribeUrl(who, topic) });
  return true;
}

/** A single-use sign-in link for a member, leading to `returnTo` (the course may be closed). */
export async function signInUrl(deps: ActionPlanEmailDeps, ex: Executor, m: { tenantId: string; cohortId: string; membershipId: string }, returnTo: string): Promise<string> {
  const link = await issueSignedLink(ex, { tenantId: m.tenantId, purpose: 'sign-in', subjectId: m.membershipId, cohortId: m.cohortId, singleUse: true, ttlMs: SIGN_IN_TTL_MS, now: deps.now(), returnTo });
  return url(deps, `/action-plans/links/sign-in/${link.token}`);
}

/** A manager's view link for an invite (reusable until it expires or the learner revokes the invite). */
export async function managerUrl(deps: ActionPlanEmailDeps, ex: Executor, m: { tenantId: string; cohortId: string; inviteId: string }): Promise<string> {
  const link = await issueSignedLink(ex, { tenantId: m.tenantId, purpose: 'manager-view', subjectId: m.inviteId, cohortId: m.cohortId, singleUse: false, ttlMs: MANAGER_LINK_TTL_MS, now: deps.now() });
  return url(deps, `/action-plans/links/manager/${link.token}`);
}

/**
 * The language of emails to a learner's manager: the manager has no account, so the learner's
 * (their colleague writes in it, and chose whom to invite).
 */
export async function managerI18n(ex: Executor, tenantId: string, ownerPersonId: string): Promise<I18n> {
  const l = await findPersonLocales(ex, tenantId, ownerPersonId);
  return i18nFor(l ? (l.locale ?? l.launchLocale ?? l.defaultLocale) : undefined);
}

export async function emailManager(deps: ActionPlanEmailDeps, to: string, href: string, i18n: I18n, c: { subject: string; paragraphs: string[]; label: string }): Promise<void> {
  // A manager has no Circlework account: their "preferences" are on their page (stop these emails).
  const preferencesUrl = `${href}#stop-emails`;
  const email = composeEmail({ subject: c.subject, greeting: i18n.t('plans.email.managerGreeting'), paragraphs: c.paragraphs, action: { label: c.label, href }, reason: i18n.t('plans.email.managerReason'), preferencesUrl }, i18n);
  await deps.mailer.send({ to, ...email, preferencesUrl });
}

export async function sendActionPlanEmail(deps: ActionPlanEmailDeps, job: ActionPlanEmailJob): Promise<void> {
  const plan = await plans.findPlan(deps.db, job.tenantId, job.planId);
  if (!plan) return;
  const owner = (i18n: I18n) => nameIn(i18n, plan.ownerName, 'plans.email.aColleague');
  const planPath = `/cohorts/${plan.cohortId}/action-plans/${plan.id}`;
  const ownPath = `/cohorts/${plan.cohortId}/action-plan`;
  if (job.type === 'partner-asked') {
    await deps.db.transaction().execute(async (tx) => {
      const href = await signInUrl(deps, tx, { tenantId: job.tenantId, cohortId: plan.cohortId, membershipId: job.membershipId }, planPath);
      await emailMember(deps, tx, job.tenantId, job.membershipId, 'partner-updates', (i18n) => ({
        subject: i18n.t('plans.email.askedSubject', { owner: owner(i18n) }),
        paragraphs: [i18n.t('plans.email.askedBody', { owner: owner(i18n) })],
        action: { label: i18n.t('plans.email.askedAction'), href },
        reason: i18n.t('plans.email.askedReason'),
      }));
    });
    return;
  }
  if (job.type === 'partner-answered' || job.type === 'partner-replied') {
    const partner = await plans.findMemberPerson(deps.db, job.tenantId, job.membershipId);
    const status = (await plans.listPartners(deps.db, job.tenantId, plan.id)).find((p) => p.partnerMembershipId === job.membershipId)?.status;
    const name = (i18n: I18n) => nameIn(i18n, partner?.name, 'plans.email.yourPartner');
    const what = job.type === 'partner-replied' ? 'replied' : status === 'accepted' ? 'accepted' : 'declined';
    await emailMember(deps, deps.db, job.tenantId, plan.membershipId, 'partner-updates', (i18n) => ({
      subject: i18n.t(job.type === 'partner-replied' ? 'plans.email.repliedSubject' : 'plans.email.answeredSubject', { name: name(i18n) }),
      paragraphs: [i18n.t('plans.email.partnerNews', { name: name(i18n), what })],
      action: { label: i18n.t('plans.email.openOwnPlan'), href: url(deps, ownPath) },
      reason: i18n.t('plans.email.partnerNewsReason'),
    }));
    return;
  }
  const seq = (job as Extract<ActionPlanEmailJob, { type: 'check-in-recorded' }>).seq;
  // check-in-recorded: each accepted partner, and each active invited manager if check-ins are shared.
  for (const p of (await plans.listPartners(deps.db, job.tenantId, plan.id)).filter((x) => x.status === 'accepted')) {
    await deps.db.transaction().execute(async (tx) => {
      const href = await signInUrl(deps, tx, { tenantId: job.tenantId, cohortId: plan.cohortId, membershipId: p.partnerMembershipId }, planPath);
      await emailMember(deps, tx, job.tenantId, p.partnerMembershipId, 'partner-updates', (i18n) => ({
        subject: i18n.t('plans.email.checkedInSubject', { owner: owner(i18n) }),
        paragraphs: [i18n.t('plans.email.checkedInPartner', { owner: owner(i18n), seq })],
        action: { label: i18n.t('plans.email.checkedInPartnerAction'), href },
        reason: i18n.t('plans.email.checkedInPartnerReason'),
      }));
    });
  }
  if (!plan.shareCheckInsWithManager) return;
  const i18n = await managerI18n(deps.db, job.tenantId, plan.ownerPersonId);
  for (const invite of (await inviteQueries.listManagerInvites(deps.db, job.tenantId, plan.id)).filter((i) => i.status === 'active' && !i.emailsStoppedAt)) {
    const href = await managerUrl(deps, deps.db, { tenantId: job.tenantId, cohortId: plan.cohortId, inviteId: invite.id });
    await emailManager(deps, invite.email, href, i18n, {
      subject: i18n.t('plans.email.checkedInSubject', { owner: owner(i18n) }),
      paragraphs: [i18n.t('plans.email.checkedInManager', { owner: owner(i18n), seq }), i18n.t('plans.email.checkedInManagerHint')],
      label: i18n.t('plans.email.checkedInManagerAction'),
    });
  }
}
