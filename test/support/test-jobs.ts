// pg-boss on the test database, as the app runs it.
import { pino } from 'pino';
import { createJobQueue, type JobQueue } from '../../server/jobs/job-queue.ts';
import { testDatabaseUrl } from './test-database.ts';

export async function startTestJobQueue(): Promise<JobQueue> {
  const queue = createJobQueue({ connectionString: testDatabaseUrl(), log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), max: 3 });
  await queue.start();
  return queue;
}
