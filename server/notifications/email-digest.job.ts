// The digest as a pg-boss schedule: one job per tick across all processes (cron, UTC).
import type { JobQueue } from '../jobs/job-queue.ts';
import { sendEmailDigests } from './email-digest.ts';
import type { EmailDeps } from '../email/mailer.ts';

export const EMAIL_DIGEST_QUEUE = 'email-digest';
/** Every day at 07:00 UTC. */
export const DEFAULT_EMAIL_DIGEST_CRON = '0 7 * * *';

export async function registerEmailDigest(queue: JobQueue, deps: EmailDeps, opts: { everyCron?: string; now?: () => Date; pollingIntervalSeconds?: number } = {}): Promise<void> {
  const { boss } = queue;
  // 'stately': a tick while one digest runs waits instead of running beside it.
  await boss.createQueue(EMAIL_DIGEST_QUEUE, { policy: 'stately', retryLimit: 3, retryDelay: 300, expireInSeconds: 30 * 60 });
  await boss.work(EMAIL_DIGEST_QUEUE, opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {}, async () => {
    const outcome = await sendEmailDigests(deps, opts.now?.() ?? new Date());
    deps.log.info(outcome, 'email digest run');
  });
  await boss.schedule(EMAIL_DIGEST_QUEUE, opts.everyCron ?? DEFAULT_EMAIL_DIGEST_CRON);
}
