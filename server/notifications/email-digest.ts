// The daily email digest: one email per person listing their unread notifications not emailed
// before, to the address the LMS shared, unless they opted out. A notification is emailed at most
// once; the in-app list stays the source of truth.
import { i18nFor } from '../i18n/i18n.ts';
import * as notifications from '../../models/notifications.queries.ts';
import * as prefs from '../../models/email-preferences.queries.ts';
import { composeEmail } from '../email/compose-email.ts';
import type { EmailDeps } from '../email/mailer.ts';
import { describeNotification, groupNotifications, NO_NAME } from './notification-text.ts';


/** People handled per batch; the loop continues until none is left. */
const BATCH = 200;

/**
 * Sends every digest due at `now`. One person's failed email does not stop the others; if any
 * failed, it throws at the end (after logging each), so the job is retried for those people.
 */
export async function sendEmailDigests(deps: EmailDeps, now: Date): Promise<{ sent: number; skipped: number }> {
  let sent = 0;
  let skipped = 0;
  const failures: Error[] = [];
  const seen = new Set<string>();
  for (;;) {
    const recipients = (await notifications.listDigestRecipients(deps.db, now, BATCH)).filter((r) => !seen.has(`${r.tenantId}:${r.personId}`));
    if (recipients.length === 0) break;
    for (const r of recipients) {
      seen.add(`${r.tenantId}:${r.personId}`);
      try {
        (await sendDigestTo(deps, r, now)) ? sent++ : skipped++;
      } catch (err) {
        deps.log.warn({ err, tenantId: r.tenantId, personId: r.personId }, 'email digest not sent; kept for the next run');
        failures.push(err as Error);
      }
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} digest email(s) failed (${sent} sent)`);
  return { sent, skipped };
}

/**
 * Claims the person's notifications and emails them in one transaction: if the email fails the
 * claim is undone and the next run tries again. No address or an opt-out: the notifications are
 * marked covered without an email, so a later opt-in does not send a backlog.
 */
async function sendDigestTo(deps: EmailDeps, who: { tenantId: string; personId: string }, now: Date): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    const person = await prefs.findPersonForEmail(tx, who.tenantId, who.personId);
    const optedOut = (await prefs.listOptOuts(tx, who.tenantId, who.personId)).includes('digest');
    const items = await notifications.claimDigestNotifications(tx, who.tenantId, who.personId, now);
    if (!person?.email || optedOut || items.length === 0) return false;
    const preferencesUrl = deps.links.preferencesUrl(who);
    // In the recipient's language.
    const i18n = i18nFor(person.locale);
    const email = composeEmail({
      subject: i18n.t('notifications.digest.subject', { count: items.length }),
      greeting: i18n.t('notifications.digest.greeting', { name: person.name ?? NO_NAME }),
      paragraphs: [i18n.t('notifications.digest.lead')],
      items: groupNotifications(items, false, (n) => n.cohortId).map(({ first, count }) => {
        const { message, path } = describeNotification(first, first.cohortId, count);
        return { text: i18n.t('notifications.digest.item', { text: i18n.text(message), cohort: first.cohortTitle }), href: new URL(path, deps.publicUrl).href };
      }),
      reason: i18n.t('notifications.digest.reason'),
      preferencesUrl,
    }, i18n);
    await deps.mailer.send({ to: person.email, ...email, preferencesUrl, unsubscribeUrl: deps.links.unsubscribeUrl(who, 'digest') });
    deps.log.info({ tenantId: who.tenantId, personId: who.personId, notifications: items.length }, 'email digest sent');
    return true;
  });
}
