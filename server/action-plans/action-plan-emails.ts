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

/**
 * Emails a member (tenant + membership) on `topic`, unless there is no address or they opted out.
 * `asked`: the person just asked for this email (a sign-in link), so an opt-out of the topic does not stop it.
 */
export async function emailMember(deps: ActionPlanEmailDeps, ex: Executor, tenantId: string, membershipId: string, topic: EmailTopic, content: (name: string) => Omit<EmailContent, 'preferencesUrl' | 'greeting'>, opts: { asked?: boolean } = {}): Promise<boolean> {
  const person = await plans.findMemberPerson(ex, tenantId, membershipId);
  if (!person?.email || person.status !== 'active') return false;
  if (!opts.asked && (await listOptOuts(ex, tenantId, person.personId)).includes(topic)) return false;
  const who = { tenantId, personId: person.personId };
  const preferencesUrl = deps.links.preferencesUrl(who);
  const email = composeEmail({ greeting: `Hello ${person.name ?? 'there'},`, ...content(person.name ?? 'there'), preferencesUrl });
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

export async function emailManager(deps: ActionPlanEmailDeps, to: string, href: string, c: { subject: string; paragraphs: string[]; label: string }): Promise<void> {
  // A manager has no Circlework account: their "preferences" are on their page (stop these emails).
  const preferencesUrl = `${href}#stop-emails`;
  const email = composeEmail({ subject: c.subject, greeting: 'Hello,', paragraphs: c.paragraphs, action: { label: c.label, href }, reason: 'You get this because a colleague invited you to support their action plan in Circlework.', preferencesUrl });
  await deps.mailer.send({ to, ...email, preferencesUrl });
}

export async function sendActionPlanEmail(deps: ActionPlanEmailDeps, job: ActionPlanEmailJob): Promise<void> {
  const plan = await plans.findPlan(deps.db, job.tenantId, job.planId);
  if (!plan) return;
  const owner = plan.ownerName ?? 'A colleague';
  const planPath = `/cohorts/${plan.cohortId}/action-plans/${plan.id}`;
  const ownPath = `/cohorts/${plan.cohortId}/action-plan`;
  if (job.type === 'partner-asked') {
    await deps.db.transaction().execute(async (tx) => {
      const href = await signInUrl(deps, tx, { tenantId: job.tenantId, cohortId: plan.cohortId, membershipId: job.membershipId }, planPath);
      await emailMember(deps, tx, job.tenantId, job.membershipId, 'partner-updates', () => ({
        subject: `${owner} asked you to be an accountability partner`,
        paragraphs: [`${owner} would like you to be one of their accountability partners: to read their action plan and ask how it is going at each check-in. You can accept or decline.`],
        action: { label: 'See the plan and answer', href },
        reason: 'You get this because someone in your cohort asked you to be their accountability partner.',
      }));
    });
    return;
  }
  if (job.type === 'partner-answered' || job.type === 'partner-replied') {
    const partner = await plans.findMemberPerson(deps.db, job.tenantId, job.membershipId);
    const status = (await plans.listPartners(deps.db, job.tenantId, plan.id)).find((p) => p.partnerMembershipId === job.membershipId)?.status;
    const name = partner?.name ?? 'Your partner';
    const what =
      job.type === 'partner-replied'
        ? `${name} replied on your action plan.`
        : status === 'accepted'
          ? `${name} accepted: they will be your accountability partner.`
          : `${name} declined to be your accountability partner. You can ask someone else, from your group or your cohort.`;
    await emailMember(deps, deps.db, job.tenantId, plan.membershipId, 'partner-updates', () => ({
      subject: job.type === 'partner-replied' ? `${name} replied on your action plan` : `${name} answered your partner request`,
      paragraphs: [what],
      action: { label: 'Open your action plan', href: url(deps, ownPath) },
      reason: 'You get this because you asked accountability partners to follow your action plan.',
    }));
    return;
  }
  const seq = (job as Extract<ActionPlanEmailJob, { type: 'check-in-recorded' }>).seq;
  // check-in-recorded: each accepted partner, and each active invited manager if check-ins are shared.
  for (const p of (await plans.listPartners(deps.db, job.tenantId, plan.id)).filter((x) => x.status === 'accepted')) {
    await deps.db.transaction().execute(async (tx) => {
      const href = await signInUrl(deps, tx, { tenantId: job.tenantId, cohortId: plan.cohortId, membershipId: p.partnerMembershipId }, planPath);
      await emailMember(deps, tx, job.tenantId, p.partnerMembershipId, 'partner-updates', () => ({
        subject: `${owner} checked in on their action plan`,
        paragraphs: [`${owner} recorded check-in ${seq} on their action plan. A word of encouragement or advice from you helps keep it going.`],
        action: { label: 'Read it and reply', href },
        reason: 'You get this because you are an accountability partner for this plan.',
      }));
    });
  }
  if (!plan.shareCheckInsWithManager) return;
  for (const invite of (await inviteQueries.listManagerInvites(deps.db, job.tenantId, plan.id)).filter((i) => i.status === 'active' && !i.emailsStoppedAt)) {
    const href = await managerUrl(deps, deps.db, { tenantId: job.tenantId, cohortId: plan.cohortId, inviteId: invite.id });
    await emailManager(deps, invite.email, href, {
      subject: `${owner} checked in on their action plan`,
      paragraphs: [`${owner} recorded check-in ${seq} on their action plan and shared it with you.`, 'This is a good moment for a short conversation: what went well, what is blocked, and what you could do to help. Afterwards you can note on the page that the conversation happened.'],
      label: 'See the check-in',
    });
  }
}
