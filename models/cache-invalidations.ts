// The channel on which triggers (migration 20261204T1200) name what changed, for the in-process
// caches of every app process (server/cache/). Payload: tags separated by spaces; '*' is everything.
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
