// Fans post events out to this process's SSE clients, by space. Fed by PostgreSQL LISTEN, so an
// event from any app process reaches every process's subscribers.
import type { Logger } from 'pino';
import { listenToPostEvents, type PostEvent } from '../../models/post-events.ts';

export interface PostEventSubscriber {
  onEvent(e: PostEvent): void;
  /** The hub is closing (shutdown): end the stream so the server can stop. */
  onClose(): void;
}

export class PostEventsHub {
  readonly #subscribers = new Map<string, Set<PostEventSubscriber>>();
  readonly #listener: { ready: Promise<void>; close(): Promise<void> };

  constructor(connectionString: string, log: Logger) {
    this.#listener = listenToPostEvents(connectionString, (e) => this.#dispatch(e), (err) => log.warn({ err }, 'post events listener'));
  }

  ready(): Promise<void> {
    return this.#listener.ready;
  }

  subscribe(tenantId: string, spaceId: string, listener: PostEventSubscriber): () => void {
    const key = `${tenantId}:${spaceId}`;
    const set = this.#subscribers.get(key) ?? new Set();
    set.add(listener);
    this.#subscribers.set(key, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#subscribers.delete(key);
    };
  }

  #dispatch(e: PostEvent): void {
    for (const listener of this.#subscribers.get(`${e.tenantId}:${e.spaceId}`) ?? []) listener.onEvent(e);
  }

  close(): Promise<void> {
    for (const set of this.#subscribers.values()) for (const s of set) s.onClose();
    this.#subscribers.clear();
    return this.#listener.close();
  }
}
