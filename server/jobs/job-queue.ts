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

/**
 * `shuttingDown`: whether the process is stopping, when PostgreSQL ending the queue's connections
 * (57P01: Ctrl-C reaches the embedded PostgreSQL too, which ends them at once) is expected, not an error.
 */
export function createJobQueue(opts: { connectionString: string; log: Logger; max?: number; shuttingDown?: () => boolean }): JobQueue {
  const boss = new PgBoss({ connectionString: opts.connectionString, schema: 'pgboss', max: opts.max ?? 4 });
  boss.on('error', (err) => {
    if (opts.shuttingDown?.() && (err as { code?: string }).code === '57P01') return;
    opts.log.error({ err }, 'job queue error');
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
