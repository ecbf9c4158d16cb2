// The channel on which triggers (migration 20261204T1200) name what changed, for the in-process
// caches of every app process (server/cache/). Payload: tags separated by spaces; '*' is everything.
import type pg from 'pg';
import { listenToChannel, type ChannelListener } from './listen.ts';

export const CACHE_CHANNEL = 'circlework_cache';
/** The listener's application_name, so an operator (or a test) can find its backend. */
export const CACHE_LISTENER_NAME = 'circlework-cache-listener';

export function listenToCacheInvalidations(
  connectionString: string,
  handlers: { onTags(tags: string[]): void; onUp(): void; onDown(): void; onError(err: Error): void },
): ChannelListener {
  return listenToChannel(connectionString, CACHE_CHANNEL, {
    onPayload: (payload) => handlers.onTags(payload.split(' ')),
    onUp: handlers.onUp,
    onDown: handlers.onDown,
    onError: handlers.onError,
    applicationName: CACHE_LISTENER_NAME,
  });
}

/**
 * Hands this process the notifications its pool connections receive (each LISTENs from its connect,
 * models/db.ts). PostgreSQL delivers a session's own notifications before it answers the COMMIT, and
 * pg emits them before the query resolves: a change written through this process has dropped its
 * cached copies here before the writer's await returns. Other processes hear it on their listener
 * connection, a NOTIFY's flight later.
 */
export function listenOnPoolConnections(pool: pg.Pool, onTags: (tags: string[]) => void): void {
  const heard = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => {
    if (heard.has(client)) return;
    heard.add(client);
    client.on('notification', (msg) => {
      if (msg.channel === CACHE_CHANNEL && msg.payload) onTags(msg.payload.split(' '));
    });
  });
}
