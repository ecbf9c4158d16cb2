// One PostgreSQL LISTEN connection per use, reconnected with a back-off when it drops or cannot be
// made. NOTIFY is transactional (sent at commit, never on rollback), so a listener hears only what
// was committed. `onUp`/`onDown` tell a user when it may rely on hearing every notification.
import pg from 'pg';

export interface ChannelListener {
  /** Settles with the first attempt (a database that is down at start rejects it; retries go on). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function listenToChannel(
  connectionString: string,
  channel: string,
  handlers: { onPayload(payload: string): void; onError(err: Error): void; onUp?(): void; onDown?(): void; applicationName?: string; heartbeatMs?: number },
): ChannelListener {
  // A connection can die without a word (a stalled backend, a dropped network path): a cheap query
  // every so often, with a deadline, finds out within a beat rather than never.
  const heartbeatMs = handlers.heartbeatMs ?? 30_000;
  let client: pg.Client | undefined;
  let beat: NodeJS.Timeout | undefined;
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
    const c = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000, keepAlive: true, ...(handlers.applicationName ? { application_name: handlers.applicationName } : {}) });
    c.on('notification', (msg) => {
      if (msg.channel !== channel || !msg.payload) return;
      try {
        handlers.onPayload(msg.payload);
      } catch (err) {
        handlers.onError(err as Error);
      }
    });
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      const wasUp = client === c;
      if (wasUp) clearInterval(beat);
      if (wasUp) client = undefined;
      void c.end().catch(() => undefined);
      if (wasUp) handlers.onDown?.();
      if (!closed) handlers.onError(err);
      retry();
    };
    c.on('error', fail);
    // A backend ended from the server side (pg_terminate_backend, a restart) may only end the socket.
    c.on('end', () => fail(new Error(`${channel} listener connection ended`)));
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      fail(err as Error);
      throw err;
    }
    if (closed || failed) {
      await c.end().catch(() => undefined);
      return;
    }
    retryMs = 500;
    client = c;
    beat = setInterval(() => {
      c.query({ text: 'SELECT 1', query_timeout: heartbeatMs } as pg.QueryConfig).catch((err: Error) => fail(new Error(`${channel} listener missed its heartbeat: ${err.message}`)));
    }, heartbeatMs).unref();
    handlers.onUp?.();
  };
  const ready = connect();
  ready.catch(() => undefined); // reported through onError; retries are scheduled
  return {
    ready,
    close: async () => {
      closed = true;
      await ready.catch(() => undefined);
      clearInterval(beat);
      const c = client;
      client = undefined;
      if (c) handlers.onDown?.();
      await c?.end().catch(() => undefined);
    },
  };
}
