// The grade-delivery worker: posts each outbox row's score to the LMS (pg-boss queue
// `grade-delivery`), retrying with backoff; and a catch-up that re-sends jobs for pending rows whose
// job was lost, at registration and every few minutes.
//
// One AGS call at a time per LMS registration: the queue's policy is `singleton` with the platform id
// as singleton key (pg-boss lets only one job per key be active, across all processes), and each
// process works it with batchSize 1 and localConcurrency 1.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { deliverGrade, GRADE_DELIVERY_QUEUE, resendStalledGrades } from './grades.service.ts';

const CATCH_UP_QUEUE = 'grade-delivery-catch-up';
const JobData = z.object({ tenantId: z.uuid(), outboxId: z.uuid() });

export interface GradeDeliveryOptions {
  /** Attempts after the first (default 8). */
  retryLimit?: number;
  /** Delay before the first retry, doubled each time with jitter (default 5 s, at most 10 min). 0: retry at once, no backoff (tests). */
  retryDelaySeconds?: number;
  /** How often an idle worker looks for jobs (default 2 s). */
  pollingIntervalSeconds?: number;
  /** Cron of the catch-up pass (default every 5 minutes); null: only the pass at registration. */
  catchUpCron?: string | null;
  /** Per HTTP request to the LMS (default 15 s). */
  timeoutMs?: number;
}

export async function registerGradeDelivery(
  queue: JobQueue,
  deps: { db: Db; log: Logger; ltiEncryptionKey: string },
  opts: GradeDeliveryOptions = {},
): Promise<void> {
  const { boss } = queue;
  const delay = opts.retryDelaySeconds ?? 5;
  const retry = {
    retryLimit: opts.retryLimit ?? 8,
    retryDelay: delay,
    retryBackoff: delay > 0,
    // Long enough for a token request, a line item lookup or creation and the score, each with its timeout.
    expireInSeconds: 120,
  };
  const retryDelayMax = delay > 0 ? 600 : null;
  await boss.createQueue(GRADE_DELIVERY_QUEUE, { policy: 'singleton', ...retry, ...(retryDelayMax ? { retryDelayMax } : {}) });
  // createQueue keeps an existing queue as it was: the settings follow the code at every start.
  await boss.updateQueue(GRADE_DELIVERY_QUEUE, { ...retry, retryDelayMax });

  const work = { batchSize: 1, localConcurrency: 1, includeMetadata: true, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 } as const;
  // After a job, fetch again at once: more are often waiting (a cohort finishing a module), and
  // pg-boss would otherwise wait the polling interval after every fetch (one score per 2 s). An
  // empty fetch calls the handler with no job and goes back to polling.
  let workerId: string | undefined;
  workerId = await boss.work(GRADE_DELIVERY_QUEUE, work, async ([job]) => {
    if (!job) return;
    if (workerId) boss.notifyWorker(workerId);
    const data = JobData.safeParse(job.data);
    if (!data.success) {
      deps.log.error({ jobId: job.id }, 'grade delivery job with malformed data: dropped');
      return;
    }
    const outcome = await deliverGrade({ ...deps, timeoutMs: opts.timeoutMs }, data.data, { last: job.retryCount >= job.retryLimit });
    deps.log.info({ outboxId: data.data.outboxId, outcome, attempt: job.retryCount + 1 }, 'grade delivery');
  });

  await boss.createQueue(CATCH_UP_QUEUE, { retryLimit: 0 });
  await boss.work(CATCH_UP_QUEUE, { pollingIntervalSeconds: 30 }, async () => {
    const sent = await resendStalledGrades({ db: deps.db, queue });
    if (sent > 0) deps.log.warn({ sent }, 'grade delivery: re-sent jobs for stalled scores');
  });
  const cron = opts.catchUpCron === undefined ? '*/5 * * * *' : opts.catchUpCron;
  if (cron) await boss.schedule(CATCH_UP_QUEUE, cron);
  else await boss.unschedule(CATCH_UP_QUEUE);
  const sent = await resendStalledGrades({ db: deps.db, queue });
  if (sent > 0) deps.log.warn({ sent }, 'grade delivery: re-sent jobs for stalled scores');
}
