// The real app (createApp) on a real port and the test database, as a browser or LMS reaches it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { createApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { loadDefaultEditions } from '../../server/modules/workshop-files.ts';
import { CONTENT_LANGUAGES } from '../../server/i18n/locales.ts';
import { openTestDb, watchResets } from './test-database.ts';
import { databaseStallReporter, onStall } from './stall-report.ts';
import { createDb, type DbHandle } from '../../models/db.ts';
import type { JobQueue } from '../../server/jobs/job-queue.ts';
import type { SharedCache } from '../../server/cache/shared-cache.ts';
import { createMailer, type EmailDeps } from '../../server/email/mailer.ts';
import { createPreferenceLinks } from '../../server/email/preference-links.ts';

export interface TestApp {
  url: string;
  /** The Express app itself (its routes are read by the CSRF coverage test). */
  app: import('express').Express;
  /** The app's in-process caches (server/cache/). */
  caches: import('../../server/cache/app-caches.ts').AppCaches;
  config: Config;
  handle: DbHandle;
  db: DbHandle['db'];
  /** The app's own mailer and links, for a test that runs email jobs beside it. */
  emailDeps: EmailDeps;
  close(): Promise<void>;
}

let defaultEditions: ReturnType<typeof loadDefaultEditions> | undefined;

export async function startTestApp(
  env: Record<string, string> = {},
  opts: { host?: string; server?: http.Server; databaseUrl?: string; poolSize?: number; queue?: JobQueue; now?: () => Date; log?: Logger } = {},
): Promise<TestApp> {
  const server = opts.server ?? http.createServer();
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = server instanceof http.Server && !('setSecureContext' in server) ? 'http' : 'https';
  const url = `${scheme}://${host === '127.0.0.1' ? '127.0.0.1' : host}:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL: url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
    LTI_ENCRYPTION_KEY: 'test-lti-encryption-key-0123456789abcdef012345',
    ALLOW_INSECURE_REGISTRATION: 'true',
    // A facilitator's console waits for a new cohort's first roster only in the tests about that wait.
    // Elsewhere no roster worker runs, so the wait (3 s by default) always ran out, and only once an
    // earlier file in the same process had created pg-boss's roster queue (pg-boss's schema outlives
    // resetDatabase): a later file's consoles each took 3 s (the programme tests 65 s instead of 7).
    ROSTER_FIRST_WAIT_MS: '0',
    ...env,
  });
  const handle = opts.databaseUrl ? createDb(opts.databaseUrl, { max: opts.poolSize ?? 5 }) : openTestDb(opts.poolSize);
  defaultEditions ??= loadDefaultEditions(CONTENT_LANGUAGES);
  // Emails go to SMTP_URL when a test gives one (test/support/smtp-sink.ts); otherwise they are only logged.
  const log = opts.log ?? pino({ level: config.logLevel });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.emailFrom, log });
  const emailDeps: EmailDeps = { db: handle.db, log, mailer, links: createPreferenceLinks(config.publicUrl, config.sessionSecret!), publicUrl: config.publicUrl };
  const { app, caches, ready, close } = createApp({
    config,
    db: handle.db,
    pool: handle.pool,
    log,
    defaultEditions,
    email: emailDeps,
    secrets: { sessionSecret: config.sessionSecret!, ltiEncryptionKey: config.ltiEncryptionKey! },
    ...(opts.queue ? { queue: opts.queue } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  server.on('request', app);
  const unwatchResets = opts.databaseUrl ? () => undefined : watchResets(heardBy(caches.shared));
  // An app pointed at a database that is down (the /healthz test) still serves; live updates retry.
  await ready().catch((err: unknown) => {
    if (!opts.databaseUrl) throw err;
  });
  // A test request that stalls names what this app's database work waits on (stall-report.ts).
  const unwatchStalls = onStall(databaseStallReporter(String(handle.pool.options.connectionString), handle.pool, `app at ${url}`));
  return {
    url,
    app,
    caches,
    config,
    handle,
    db: handle.db,
    emailDeps,
    close: async () => {
      unwatchStalls();
      unwatchResets();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await close();
      mailer.close();
      await handle.close();
    },
  };
}

/**
 * For resetDatabase: resolves once this cache has heard `marker` (its invalidations are watched), or
 * at once while it is not listening (it keeps nothing then). Fails after 10 s, naming the marker.
 */
function heardBy(cache: SharedCache): (marker: string) => Promise<void> {
  const waiting = new Map<string, () => void>();
  const invalidate = cache.invalidate.bind(cache);
  cache.invalidate = (tags) => {
    invalidate(tags);
    for (const tag of tags) waiting.get(tag)?.();
  };
  return (marker) => {
    if (!cache.listening) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(marker);
        reject(new Error(`the app's cache did not hear ${marker} within 10 s (is its LISTEN connection up?)`));
      }, 10_000);
      waiting.set(marker, () => {
        clearTimeout(timer);
        waiting.delete(marker);
        resolve();
      });
    });
  };
}
