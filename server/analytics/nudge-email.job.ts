// Emails a nudge (pg-boss queue 'nudge-email', one job per nudge, sent in the nudge's transaction):
// only to the address the LMS shared, and not to people who turned off the 'nudges' topic. The
// nudge row is claimed (locked, emailed_at still empty) in the email's transaction, so a retried
// or duplicated job never emails twice; a failed send rolls back and pg-boss retries.
import * as nudges from '../../models/nudges.queries.ts';
import * as prefs from '../../models/email-preferences.queries.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { composeEmail } from '../email/compose-email.ts';
import type { EmailDeps } from '../email/mailer.ts';
import { NUDGE_EMAIL_QUEUE } from './nudges.service.ts';
import { i18nFor } from '../i18n/i18n.ts';


export async function emailNudge(deps: EmailDeps, job: { tenantId: string; nudgeId: string }): Promise<'sent' | 'skipped'> {
  return deps.db.transaction().execute(async (tx) => {
    const n = await nudges.claimNudgeForEmail(tx, job.tenantId, job.nudgeId);
    if (!n) return 'skipped';
    const who = { tenantId: job.tenantId, personId: n.personId };
    const optedOut = (await prefs.listOptOuts(tx, job.tenantId, n.personId)).includes('nudges');
    // Marked either way: a later opt-in must not send an old nudge.
    await nudges.markNudgeEmailed(tx, job.tenantId, n.id);
    if (!n.email || optedOut) return 'skipped';
    const preferencesUrl = deps.links.preferencesUrl(who);
    // In the recipient's language; the message itself is the facilitator's words.
    const i18n = i18nFor(n.locale);
    const email = composeEmail({
      subject: i18n.t('analytics.nudgeEmail.subject', { cohort: n.cohortTitle }),
      greeting: n.name ? i18n.t('analytics.nudgeEmail.greeting', { name: n.name }) : i18n.t('analytics.nudgeEmail.greetingNoName'),
      paragraphs: n.message.split(/\n{2,}/),
      action: { label: i18n.t('analytics.nudgeEmail.action'), href: new URL(`/cohorts/${n.cohortId}`, deps.publicUrl).href },
      reason: i18n.t('analytics.nudgeEmail.reason'),
      preferencesUrl,
    });
    await deps.mailer.send({ to: n.email, ...email, preferencesUrl, unsubscribeUrl: deps.links.unsubscribeUrl(who, 'nudges') });
    deps.log.info({ tenantId: job.tenantId, nudgeId: n.id }, 'nudge emailed');
    return 'sent';
  });
}

export async function registerNudgeEmails(queue: JobQueue, deps: EmailDeps, opts: { pollingIntervalSeconds?: number } = {}): Promise<void> {
  await queue.boss.createQueue(NUDGE_EMAIL_QUEUE, { retryLimit: 5, retryDelay: 60, retryBackoff: true });
  await queue.boss.work<{ tenantId: string; nudgeId: string }>(NUDGE_EMAIL_QUEUE, opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {}, async (jobs) => {
    for (const job of jobs) await emailNudge(deps, job.data);
  });
}
