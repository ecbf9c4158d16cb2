// Announcements from a facilitator to the whole cohort or one group: shown on the hub of the
// members they are for, and emailed (a pg-boss job queued in the announcement's transaction) to
// those with an address the LMS shared who did not turn the topic off.
import { withTransaction, type Db } from '../../models/db.ts';
import * as groups from '../../models/groups.queries.ts';
import * as moderation from '../../models/moderation.queries.ts';
import * as prefs from '../../models/email-preferences.queries.ts';
import { ValidationError, type UserText } from '../errors.ts';
import { i18nFor, msg } from '../i18n/i18n.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { composeEmail } from '../email/compose-email.ts';
import type { EmailDeps } from '../email/mailer.ts';
import { requireFacilitator } from './moderation.service.ts';

export const ANNOUNCEMENT_EMAIL_QUEUE = 'announcement-email';
export interface AnnouncementJob {
  tenantId: string;
  announcementId: string;
}

export interface AnnouncementInput {
  /** 'cohort', or a group id of the cohort. */
  audience: string;
  title: string;
  body: string;
}

export async function announce(deps: { db: Db; queue?: JobQueue | undefined }, who: LaunchContext, input: AnnouncementInput) {
  requireFacilitator(who, 'announce');
  const title = input.title.trim();
  const body = input.body.trim();
  const fields: Record<string, UserText> = {};
  if (title.length < 1 || title.length > 200) fields.title = msg('moderation.announcements.error.titleField', { maximum: 200 });
  if (body.length < 1 || body.length > 5000) fields.body = msg('moderation.announcements.error.bodyField', { maximum: 5000 });
  let groupId: string | null = null;
  if (input.audience !== 'cohort') {
    const group = /^[0-9a-f-]{36}$/i.test(input.audience) ? await groups.findGroup(deps.db, who.tenantId, input.audience) : undefined;
    if (!group || group.cohortId !== who.cohortId) fields.audience = msg('moderation.announcements.error.audienceField');
    else groupId = group.id;
  }
  if (Object.keys(fields).length > 0) throw new ValidationError(msg('moderation.announcements.error.summary'), fields);
  return withTransaction(deps.db, async (tx) => {
    const a = await moderation.insertAnnouncement(tx, { tenantId: who.tenantId, cohortId: who.cohortId, groupId, authorMembershipId: who.membershipId, title, body });
    await deps.queue?.sendInTransaction(tx, ANNOUNCEMENT_EMAIL_QUEUE, { tenantId: who.tenantId, announcementId: a.id } satisfies AnnouncementJob, { retryLimit: 5, retryDelay: 60, retryBackoff: true });
    await moderation.insertModerationAction(tx, { tenantId: who.tenantId, cohortId: who.cohortId, actorMembershipId: who.membershipId, action: 'announce', targetKind: 'announcement', targetId: a.id, subjectMembershipId: null, reason: title });
    return a;
  });
}

/** A facilitator reads every group's announcements; anyone else the cohort's and their own group's. */
export function announcementReader(who: LaunchContext): moderation.AnnouncementReader {
  return who.role === 'facilitator' ? { allGroups: true } : { membershipId: who.membershipId };
}

/** The announcements this person sees, newest first (the hub reads them with its own statement). */
export async function announcementsFor(deps: { db: Db }, who: LaunchContext) {
  return moderation.listAnnouncementsFor(deps.db, who.tenantId, who.cohortId, announcementReader(who));
}


/**
 * Emails one announcement to each person it is for. Each email is claimed by a row in its own
 * transaction (undone if the email fails), so a retried job sends only what is missing.
 */
export async function sendAnnouncementEmails(deps: EmailDeps, job: AnnouncementJob): Promise<{ sent: number }> {
  const a = await moderation.findAnnouncement(deps.db, job.tenantId, job.announcementId);
  if (!a) return { sent: 0 };
  let sent = 0;
  const failures: Error[] = [];
  for (const person of await moderation.listAnnouncementAudience(deps.db, job.tenantId, a)) {
    if (!person.email) continue;
    const to = { tenantId: job.tenantId, personId: person.personId };
    try {
      const didSend = await withTransaction(deps.db, async (tx) => {
        if ((await prefs.listOptOuts(tx, job.tenantId, person.personId)).includes('announcements')) return false;
        if (!(await moderation.claimAnnouncementEmail(tx, job.tenantId, a.id, person.personId))) return false;
        const preferencesUrl = deps.links.preferencesUrl(to);
        // In the recipient's language; the title and body are the facilitator's words.
        const i18n = i18nFor(person.locale);
        const email = composeEmail({
          subject: i18n.t('moderation.announcementEmail.subject', { cohort: a.cohortTitle, title: a.title }),
          greeting: person.name ? i18n.t('moderation.announcementEmail.greeting', { name: person.name }) : i18n.t('moderation.announcementEmail.greetingNoName'),
          paragraphs: [i18n.t('moderation.announcementEmail.intro', { cohort: a.cohortTitle }), a.title, ...a.body.split(/\n{2,}/)],
          action: { label: i18n.t('moderation.announcementEmail.action'), href: new URL(`/cohorts/${a.cohortId}`, deps.publicUrl).href },
          reason: i18n.t('moderation.announcementEmail.reason'),
          preferencesUrl,
        });
        await deps.mailer.send({ to: person.email!, ...email, preferencesUrl, unsubscribeUrl: deps.links.unsubscribeUrl(to, 'announcements') });
        return true;
      });
      if (didSend) sent++;
    } catch (err) {
      deps.log.warn({ err, tenantId: job.tenantId, personId: person.personId }, 'announcement email not sent; retried with the job');
      failures.push(err as Error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} announcement email(s) failed (${sent} sent)`);
  return { sent };
}

export async function registerAnnouncementEmails(queue: JobQueue, deps: EmailDeps, opts: { pollingIntervalSeconds?: number } = {}): Promise<void> {
  await queue.boss.createQueue(ANNOUNCEMENT_EMAIL_QUEUE, { retryLimit: 5, retryDelay: 60, retryBackoff: true });
  await queue.boss.work<AnnouncementJob>(ANNOUNCEMENT_EMAIL_QUEUE, opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {}, async (jobs) => {
    for (const job of jobs) {
      const outcome = await sendAnnouncementEmails(deps, job.data);
      deps.log.info({ ...outcome, announcementId: job.data.announcementId }, 'announcement emailed');
    }
  });
}
