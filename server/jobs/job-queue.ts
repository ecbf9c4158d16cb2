// pg-boss on our PostgreSQL: durable jobs shared by every app process (schema `pgboss`, created by
// pg-boss itself on start). Features register their queues and workers on the started queue.
import { PgBoss, fromKysely } from 'pg-boss';
import type { Logger } from 'pino';
import type { Tx } from '../../models/db.ts';

export interface JobQueue {
  boss: PgBoss;
  /** Sends a job inside an open transaction: it exists only if the transaction commits. */
  sendInTransaction(tx: Tx, name: string, data: object, options?: Parameters<PgBoss['send']>[2]): Promise<string | null>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** `expected`: errors that are no failure, not logged (the connections PostgreSQL ends while the process stops). */
export function createJobQueue(opts: { connectionString: string; log: Logger; max?: number; expected?: (err: unknown) => boolean }): JobQueue {
  const boss = new PgBoss({ connectionString: opts.connectionString, schema: 'pgboss', max: opts.max ?? 4 });
  boss.on('error', (err) => {
    if (!opts.expected?.(err)) opts.log.error({ err }, 'job queue error');
  });
  return {
    boss,
    sendInTransaction: (tx, name, data, options) => boss.send(name, data, { ...(options ?? {}), db: fromKysely(tx) }),
    start: async () => {
      await boss.start();
    },
    stop: async () => {
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}
