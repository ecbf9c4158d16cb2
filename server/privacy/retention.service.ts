// Retention per tenant: the tool admin sets how many months a cohort's data is kept after the cohort's
// end (its course end date; without one, its last launch) or its last check-in, whichever is later.
// A pg-boss schedule runs once a day:
// - a cohort whose data expires within a week gets one warning email to its facilitators;
// - a cohort is erased once it has expired *and* its warning went out at least a week ago (a tenant
//   that turns retention on does not lose a cohort without notice);
// - erasing deletes the cohort's rows in chunks, each chunk its own transaction that also records the
//   progress (retention_erasures): a run killed halfway leaves whole chunks done and resumes, since
//   each chunk deletes what is left; the last transaction deletes the cohort and the people left with
//   no cohort in the tenant, and marks the erasure finished.
import type { Logger } from 'pino';
import type { Db } from '../../models/db.ts';
import * as q from '../../models/retention.queries.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { EmailDeps } from '../email/mailer.ts';
import { composeEmail } from '../email/compose-email.ts';
import { ValidationError } from '../errors.ts';
import { i18nFor, msg } from '../i18n/i18n.ts';
import { NO_NAME } from '../notifications/notification-text.ts';

export const RETENTION_QUEUE = 'retention';
const WEEK_MS = 7 * 24 * 3600_000;

export interface RetentionDeps {
  db: Db;
  now: () => Date;
  email?: EmailDeps | undefined;
  log?: Logger | undefined;
  /** Rows per chunk (each chunk one transaction). */
  chunkRows?: number;
  /** A pause between chunks, so a large cohort's erasure leaves the database to the people using it. */
  pauseMs?: number;
}

/** The tool admin's setting: months, or null to keep data until erased by hand. */
export async function setRetentionMonths(db: Db, tenantId: string, months: number | null): Promise<void> {
  if (months !== null && (!Number.isInteger(months) || months < 1 || months > 120)) {
    throw new ValidationError(msg('privacy.retention.invalid', { min: 1, max: 120 }), { retentionMonths: msg('privacy.retention.invalidField', { min: 1, max: 120 }) });
  }
  await q.upsertRetentionMonths(db, tenantId, months);
}

/** When the cohort goes: not before its expiry, and not before a week after its facilitators were warned. */
export function erasesAt(c: { expiresAt: Date; warnedAt: Date | null }): Date | undefined {
  if (!c.warnedAt) return undefined;
  return new Date(Math.max(c.expiresAt.getTime(), c.warnedAt.getTime() + WEEK_MS));
}

/** One run over every tenant with retention: warnings first, then the erasures that are due. */
export async function runRetention(deps: RetentionDeps): Promise<{ warned: string[]; erased: string[] }> {
  const warned: string[] = [];
  const erased: string[] = [];
  for (const { tenantId, retentionMonths } of await q.listTenantsWithRetention(deps.db)) {
    const now = deps.now();
    const due = await q.listCohortExpiries(deps.db, tenantId, retentionMonths, { expiresBefore: new Date(now.getTime() + WEEK_MS) });
    for (const cohort of due) {
      if (!cohort.warnedAt && (await warnFacilitators(deps, tenantId, cohort))) warned.push(cohort.cohortId);
    }
    for (const cohort of await q.listCohortExpiries(deps.db, tenantId, retentionMonths, { expiresBefore: now })) {
      const at = erasesAt(cohort);
      if (!at || at.getTime() > deps.now().getTime()) continue;
      await eraseCohort(deps, tenantId, cohort.cohortId, cohort.expiresAt);
      erased.push(cohort.cohortId);
    }
  }
  return { warned, erased };
}

/** Claims the cohort's one warning (so two processes never both send it), then emails its facilitators. */
async function warnFacilitators(deps: RetentionDeps, tenantId: string, cohort: q.CohortExpiry): Promise<boolean> {
  const claimed = await q.insertRetentionWarning(deps.db, { tenantId, cohortId: cohort.cohortId, expiresAt: cohort.expiresAt, sentAt: deps.now() });
  if (!claimed || !deps.email) return claimed;
  const on = erasesAt({ expiresAt: cohort.expiresAt, warnedAt: deps.now() })!;
  for (const f of await q.listFacilitatorAddresses(deps.db, tenantId, cohort.cohortId)) {
    const preferencesUrl = deps.email.links.preferencesUrl({ tenantId, personId: f.personId });
    const i18n = i18nFor(f.locale);
    const email = composeEmail({
      subject: i18n.t('email.retention.subject', { cohort: cohort.title, date: on }),
      greeting: i18n.t('notifications.digest.greeting', { name: f.name ?? NO_NAME }),
      paragraphs: [i18n.t('email.retention.body', { cohort: cohort.title, date: on }), i18n.t('email.retention.export')],
      reason: i18n.t('email.retention.reason'),
      preferencesUrl,
    }, i18n);
    await deps.email.mailer.send({ to: f.email, ...email, preferencesUrl });
  }
  return true;
}

/** Erases one cohort in chunks (each its own transaction, with its progress), then the cohort itself. */
export async function eraseCohort(deps: RetentionDeps, tenantId: string, cohortId: string, expiredAt: Date): Promise<void> {
  const limit = deps.chunkRows ?? 500;
  await q.insertRetentionErasure(deps.db, { tenantId, cohortId, expiredAt });
  for (const step of q.COHORT_CHUNK_STEPS) {
    for (;;) {
      const n = await deps.db.transaction().execute(async (tx) => {
        const deleted = await q.deleteCohortChunk(tx, tenantId, cohortId, step, limit);
        if (deleted > 0) await q.addRetentionProgress(tx, tenantId, cohortId, deleted);
        return deleted;
      });
      if (n === 0) break;
      if (deps.pauseMs) await new Promise((resolve) => setTimeout(resolve, deps.pauseMs));
    }
  }
  await deps.db.transaction().execute(async (tx) => {
    const deleted = await q.deleteCohortAndLeftPeople(tx, tenantId, cohortId);
    await q.addRetentionProgress(tx, tenantId, cohortId, deleted);
    await q.finishRetentionErasure(tx, tenantId, cohortId, deps.now());
  });
  deps.log?.info({ tenantId, cohortId }, 'retention erased a cohort');
}

/** Registers the daily run (one at a time across processes: pg-boss hands a scheduled job to one worker). */
export async function registerRetention(queue: JobQueue, deps: RetentionDeps, opts: { pollingIntervalSeconds?: number } = {}): Promise<void> {
  const polling = opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {};
  await queue.boss.createQueue(RETENTION_QUEUE, { policy: 'singleton', retryLimit: 3, retryDelay: 300 });
  await queue.boss.schedule(RETENTION_QUEUE, '23 3 * * *');
  await queue.boss.work(RETENTION_QUEUE, polling, async () => {
    await runRetention(deps);
  });
}
