// Live updates between app processes: a post's commit sends a PostgreSQL NOTIFY (transactional:
// nothing is sent if the transaction rolls back), and every process LISTENs on one connection.
import pg from 'pg';
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export const POST_EVENTS_CHANNEL = 'circlework_post_events';

export interface PostEvent {
  tenantId: string;
  spaceId: string;
  threadId: string;
  postId: string;
}

/** Queues the event for delivery at commit. Payloads are ids only: readers fetch what they may see. */
export async function notifyPostEvent(ex: Executor, event: PostEvent): Promise<void> {
  await sql`SELECT pg_notify(${POST_EVENTS_CHANNEL}, ${JSON.stringify(event)})`.execute(ex);
}

/**
 * One LISTEN connection, reconnected with a back-off when it drops or cannot be made. `ready`
 * settles with the first attempt (a database that is down at start rejects it; retries go on).
 */
export function listenToPostEvents(connectionString: string, onEvent: (e: PostEvent) => void, onError: (err: Error) => void): { ready: Promise<void>; close(): Promise<void> } {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = 500;
  const retry = (): void => {
    if (closed) return;
    setTimeout(() => void connect().catch(() => undefined), retryMs).unref(); // failures are reported by fail()
    retryMs = Math.min(retryMs * 2, 30_000);
  };
  const connect = async (): Promise<void> => {
    if (closed) return;
    // Bounded connect: a database that accepts but never answers must not leave `ready` (and close) hanging.
    const c = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000, keepAlive: true });
    c.on('notification', (msg) => {
      if (msg.channel !== POST_EVENTS_CHANNEL || !msg.payload) return;
      try {
        onEvent(JSON.parse(msg.payload) as PostEvent);
      } catch (err) {
        onError(err as Error);
      }
    });
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      if (client === c) client = undefined;
      void c.end().catch(() => undefined);
      if (!closed) onError(err);
      retry();
    };
    c.on('error', fail);
    try {
      await c.connect();
      await c.query(`LISTEN ${POST_EVENTS_CHANNEL}`);
    } catch (err) {
      fail(err as Error);
      throw err;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    retryMs = 500;
    client = c;
  };
  const ready = connect();
  ready.catch(() => undefined); // reported through onError; retries are scheduled
  return {
    ready,
    close: async () => {
      closed = true;
      await ready.catch(() => undefined);
      await client?.end().catch(() => undefined);
    },
  };
}
