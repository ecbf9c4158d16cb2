// Live updates between app processes: a post's commit sends a PostgreSQL NOTIFY (transactional:
// nothing is sent if the transaction rolls back), and every process LISTENs on one connection.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import { listenToChannel, type ChannelListener } from './listen.ts';

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

/** Every post event committed by any process, on this process's LISTEN connection. */
export function listenToPostEvents(connectionString: string, onEvent: (e: PostEvent) => void, onError: (err: Error) => void): ChannelListener {
  return listenToChannel(connectionString, POST_EVENTS_CHANNEL, { onPayload: (payload) => onEvent(JSON.parse(payload) as PostEvent), onError });
}
