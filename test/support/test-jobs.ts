// pg-boss on the test database, as the app runs it.
import { pino } from 'pino';
import { createJobQueue, type JobQueue } from '../../server/jobs/job-queue.ts';
import { testDatabaseUrl } from './test-database.ts';

export async function startTestJobQueue(): Promise<JobQueue> {
  const queue = createJobQueue({ connectionString: testDatabaseUrl(), log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), max: 3 });
  await queue.start();
  return queue;
}

/** A queue that forwards to whichever one `current` names: the app holds it for its life while a suite swaps workers behind it. */
export function forwardingQueue(current: () => JobQueue): JobQueue {
  return {
    get boss() { return current().boss; },
    sendInTransaction: (tx, name, data, options) => current().sendInTransaction(tx, name, data, options),
    start: () => current().start(),
    stop: () => current().stop(),
  };
}
