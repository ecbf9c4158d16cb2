// Roster sync as jobs: one 'roster-sync' job per cohort (after a facilitator launch, and from the
// schedule), at most one queued and one running per cohort, retried with backoff when the LMS fails.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import type pg from 'pg';
import { findRosterSource, listCohortsDueForRosterSync, waitForRosterSynced } from '../../models/roster.queries.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { LtiServiceError, type NrpsOptions } from '../../lti/nrps.ts';
import { syncRoster } from './roster.service.ts';

export const ROSTER_SYNC_QUEUE = 'roster-sync';
/** Its jobs list the cohorts due for a sync and queue one 'roster-sync' each. */
export const ROSTER_SCHEDULE_QUEUE = 'roster-sync-schedule';
export const DEFAULT_ROSTER_SYNC_CRON = '0 */6 * * *';
/**
 * A cohort is due when its last sync is older than this: the schedule's six hours less a quarter
 * hour, so a sync that ran a few minutes after the previous tick is due again at the next one.
 */
export const DEFAULT_ROSTER_STALE_AFTER_SECONDS = 6 * 3600 - 15 * 60;
/** Most cohorts queued by one schedule tick (the least recently synced first; the rest next tick). */
const MAX_DUE_PER_TICK = 2000;

const RosterSyncJob = z.object({ tenantId: z.uuid(), cohortId: z.uuid() });
type RosterSyncJob = z.infer<typeof RosterSyncJob>;

export interface RosterSyncOptions {
  /** When the schedule looks for cohorts due a sync (pg-boss cron, UTC). */
  everyCron?: string;
  staleAfterSeconds?: number;
  /** The clock the schedule compares last syncs with. */
  now?: () => Date;
  retry?: { limit?: number; delaySeconds?: number; backoff?: boolean; maxDelaySeconds?: number };
  pollingIntervalSeconds?: number;
  nrps?: NrpsOptions;
}

/** Creates the queues, starts the workers and (re)writes the schedule. Call once per process at boot. */
export async function registerRosterSync(
  queue: JobQueue,
  deps: { db: Db; log: Logger; ltiEncryptionKey: string },
  opts: RosterSyncOptions = {},
): Promise<void> {
  const { boss } = queue;
  const backoff = opts.retry?.backoff ?? true;
  const retry = {
    retryLimit: opts.retry?.limit ?? 5,
    retryDelay: opts.retry?.delaySeconds ?? 60,
    retryBackoff: backoff,
    ...(backoff ? { retryDelayMax: opts.retry?.maxDelaySeconds ?? 3600 } : {}),
  };
  // 'stately': per singleton key (the cohort) one job waiting and one running, so two facilitator
  // launches in a row never sync at once, yet a change after a running sync still gets its own.
  await boss.createQueue(ROSTER_SYNC_QUEUE, { policy: 'stately', expireInSeconds: 15 * 60, ...retry });
  await boss.updateQueue(ROSTER_SYNC_QUEUE, { expireInSeconds: 15 * 60, ...retry });
  await boss.createQueue(ROSTER_SCHEDULE_QUEUE, { policy: 'stately', retryLimit: 1 });
  const polling = opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {};

  await boss.work<unknown>(ROSTER_SYNC_QUEUE, { localConcurrency: 2, ...polling }, async (jobs) => {
    for (const job of jobs) await runRosterSync(deps, opts, job.data);
  });
  await boss.work(ROSTER_SCHEDULE_QUEUE, polling, async () => {
    const queued = await enqueueDueRosterSyncs(queue, deps.db, {
      now: opts.now?.() ?? new Date(),
      staleAfterSeconds: opts.staleAfterSeconds ?? DEFAULT_ROSTER_STALE_AFTER_SECONDS,
    });
    deps.log.info({ queued }, 'roster syncs queued by the schedule');
  });
  await boss.schedule(ROSTER_SCHEDULE_QUEUE, opts.everyCron ?? DEFAULT_ROSTER_SYNC_CRON);
}

/** Asks for a sync of the cohort's roster soon (after a facilitator launch). Null: one is already waiting. */
export function requestRosterSync(queue: JobQueue, where: { tenantId: string; cohortId: string }): Promise<string | null> {
  const data: RosterSyncJob = { tenantId: where.tenantId, cohortId: where.cohortId };
  return queue.boss.send(ROSTER_SYNC_QUEUE, data, { singletonKey: `${where.tenantId}:${where.cohortId}` });
}

/** A queued sync older than this is not waited for: no worker is taking it (a failed one waiting to retry neither). */
const QUEUED_SYNC_WAITED_FOR_MS = 60_000;

/** Whether a sync of the cohort is running, or was queued moments ago. */
export async function isRosterSyncUnderWay(queue: JobQueue, where: { tenantId: string; cohortId: string }): Promise<boolean> {
  const jobs = await queue.boss.findJobs(ROSTER_SYNC_QUEUE, { key: `${where.tenantId}:${where.cohortId}` }).catch((err: unknown) => {
    // A process that never registered roster sync has no such queue, hence no sync under way.
    if ((err as { code?: unknown }).code === 'PGBOSS_QUEUE_NOT_FOUND') return [];
    throw err;
  });
  const since = Date.now() - QUEUED_SYNC_WAITED_FOR_MS;
  return jobs.some((j) => j.state === 'active' || (j.state === 'created' && new Date(j.createdOn).getTime() > since));
}

export interface FirstRosterDeps {
  db: Db;
  pool: pg.Pool;
  /** Without a queue no sync is coming, and nothing is waited for. */
  queue?: JobQueue;
  /** Longest wait for the first sync (ROSTER_FIRST_WAIT_MS). */
  waitMs: number;
}

/**
 * True while a cohort's first roster is on its way: it has a roster service, has never been synced,
 * and a sync is queued or running. A cohort synced before, or whose sync failed, is not waited for.
 */
export async function isFirstRosterPending(deps: FirstRosterDeps, where: { tenantId: string; cohortId: string }): Promise<boolean> {
  if (!deps.queue) return false;
  const source = await findRosterSource(deps.db, where.tenantId, where.cohortId);
  if (!source?.nrpsUrl || source.rosterSyncedAt) return false;
  return isRosterSyncUnderWay(deps.queue, where);
}

/**
 * Waits (at most `waitMs`) for a new cohort's first roster sync, so the console's first render
 * shows the roster rather than only the facilitator. Resolves whether it is still pending.
 */
export async function awaitFirstRoster(deps: FirstRosterDeps, where: { tenantId: string; cohortId: string }): Promise<{ pending: boolean }> {
  if (!(await isFirstRosterPending(deps, where))) return { pending: false };
  const synced = await waitForRosterSynced(deps.pool, where, deps.waitMs, async () => !(await isFirstRosterPending(deps, where)));
  return { pending: !synced };
}

/** Queues a sync for every cohort with a roster URL not synced for `staleAfterSeconds`. Returns how many. */
export async function enqueueDueRosterSyncs(
  queue: JobQueue,
  db: Db,
  opts: { now: Date; staleAfterSeconds: number },
): Promise<number> {
  const due = await listCohortsDueForRosterSync(db, {
    syncedBefore: new Date(opts.now.getTime() - opts.staleAfterSeconds * 1000),
    limit: MAX_DUE_PER_TICK,
  });
  let queued = 0;
  for (const cohort of due) if (await requestRosterSync(queue, cohort)) queued++;
  return queued;
}

async function runRosterSync(deps: { db: Db; log: Logger; ltiEncryptionKey: string }, opts: RosterSyncOptions, data: unknown): Promise<void> {
  const parsed = RosterSyncJob.safeParse(data);
  if (!parsed.success) {
    deps.log.error({ data }, 'roster sync job without a tenant and cohort: dropped');
    return;
  }
  const where = parsed.data;
  try {
    const result = await syncRoster({ db: deps.db, ltiEncryptionKey: deps.ltiEncryptionKey, nrps: opts.nrps, log: deps.log }, where);
    deps.log.info({ ...where, ...result }, 'roster synced');
  } catch (err) {
    // What waiting will not fix (no NRPS access, a context gone, a roster too large) is logged once.
    if (err instanceof LtiServiceError && !err.retryable) {
      deps.log.warn({ ...where, err }, 'roster sync refused by the LMS or its answer: not retried');
      return;
    }
    deps.log.warn({ ...where, err }, 'roster sync failed: will retry');
    throw err;
  }
}
