// Boot: config → database (embedded or DATABASE_URL) → migrations → content → app → listen.
// SIGTERM/SIGINT: stop accepting, let requests finish, close the pool, stop embedded PostgreSQL.
import { pino } from 'pino';
import { loadConfig, ConfigError } from './config.ts';
import { openDatabase } from './database.ts';
import { EmbeddedPostgresError } from '../models/embedded-postgres.ts';
import { resolveSecrets } from './secrets.ts';
import { buildWorkshop } from './modules/workshop-content.ts';
import { loadDefaultEditions } from './modules/workshop-files.ts';
import { CONTENT_LANGUAGES } from './i18n/locales.ts';
import { createApp } from './app.ts';
import { seedAdmin } from './admin/admin.service.ts';
import { startHousekeeping } from './housekeeping.ts';
import { createJobQueue } from './jobs/job-queue.ts';
import { registerRosterSync } from './roster/roster-sync.job.ts';
import { registerGradeDelivery } from './grades/grade-delivery.job.ts';
import { registerEmailDigest } from './notifications/email-digest.job.ts';
import { registerActionPlanEmails } from './action-plans/action-plan-emails.ts';
import { registerCheckInReminders } from './action-plans/check-ins.service.ts';
import { registerNudgeEmails } from './analytics/nudge-email.job.ts';
import { registerAnnouncementEmails } from './moderation/announcements.service.ts';
import { registerPersonalExports } from './privacy/export.service.ts';
import { createMediaStorage } from './media/storage.ts';
import { registerRetention } from './privacy/retention.service.ts';
import { registerProgrammeSnapshots } from './programme/programme-snapshots.ts';
import { createMailer } from './email/mailer.ts';
import { createPreferenceLinks } from './email/preference-links.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
// In production the log is written asynchronously (a request never waits on a write to stdout);
// pino flushes it synchronously at exit, process.exit included, and shutdown flushes it first.
const log = config.env === 'production' ? pino({ level: config.logLevel }, pino.destination({ sync: false })) : pino({ level: config.logLevel });
let stopping = false;
// Stopping the embedded PostgreSQL (our shutdown, or a Ctrl-C, which reaches it too) ends every
// connection at once (57P01): expected then, not a failure.
const endedByShutdown = (err: unknown) => stopping && (err as { code?: string }).code === '57P01';
/** Everything shutdown() stops has started. */
let booted = false;
const defaultEditions = loadDefaultEditions(CONTENT_LANGUAGES);
const workshop = buildWorkshop(defaultEditions.en);
const secrets = resolveSecrets(config);
const database = await openDatabase(config, {
  log: (m) => log.info(m),
  migrate: true,
  onPoolError: (err) => {
    if (endedByShutdown(err)) return;
    // The message and code only: pg hangs the whole client (its settings included) on the error.
    log.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'database pool error');
  },
  // Our embedded PostgreSQL stopped, or was asked to, by someone else: stop too, rather than stay up on
  // a database that is gone. Killed or crashed, with a failing exit code, so a supervisor restarts us.
  onEmbeddedStopped: ({ orderly, reason }) => {
    if (stopping) return;
    if (orderly) log.warn(`the embedded PostgreSQL ${reason}: shutting down`);
    else log.fatal(`the embedded PostgreSQL ${reason}: shutting down; start Circlework again to restart it`);
    if (!orderly) process.exitCode = 1;
    // Still starting: shutdown() would reach a server and queue not made yet; nothing is being served.
    if (!booted) process.exit(process.exitCode ?? 0);
    void shutdown('embedded PostgreSQL stopped');
  },
}).catch((err: unknown) => {
  if (err instanceof EmbeddedPostgresError) log.fatal(err.message);
  else log.fatal({ err }, 'the database could not be opened');
  process.exit(1);
});
if (config.admin) log.info(`admin account ${config.admin.email}: ${await seedAdmin(database.db, config.admin)}`);

const shuttingDown = () => stopping;
const queue = createJobQueue({ connectionString: database.url, log, expected: endedByShutdown });
await queue.start();
const jobDeps = { db: database.db, log, ltiEncryptionKey: secrets.ltiEncryptionKey };
await registerRosterSync(queue, jobDeps);
await registerGradeDelivery(queue, jobDeps);
const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.emailFrom, log });
const emailDeps = { db: database.db, log, mailer, links: createPreferenceLinks(config.publicUrl, secrets.sessionSecret), publicUrl: config.publicUrl };
await registerEmailDigest(queue, emailDeps);
const actionPlanEmailDeps = { ...emailDeps, now: () => new Date() };
await registerActionPlanEmails(queue, actionPlanEmailDeps);
await registerCheckInReminders(queue, actionPlanEmailDeps);
await registerNudgeEmails(queue, emailDeps);
await registerAnnouncementEmails(queue, emailDeps);
// One store of attachments' bytes for the app, its export job and housekeeping.
const mediaStorage = createMediaStorage(database.db, config.media.s3);
await registerPersonalExports(queue, { db: database.db, workshop, email: emailDeps, mediaStorage });
await registerRetention(queue, { db: database.db, now: () => new Date(), email: emailDeps, log });
await registerProgrammeSnapshots(queue, { db: database.db, workshop, now: () => new Date(), log });

const { app, ready, closeStreams, close: closeApp } = createApp({ config, db: database.db, pool: database.pool, log, defaultEditions, secrets, queue, email: emailDeps, mediaStorage, shuttingDown });
await ready();
const housekeeping = startHousekeeping(database.db, log, undefined, mediaStorage);
const server = app.listen(config.port, config.host, () => {
  log.info(`Circlework listening on ${config.host}:${config.port}, public URL ${config.publicUrl.href}`);
});
booted = true;
// Idle keep-alive connections stay open longer than clients and proxies keep theirs (60 s is the
// common default): closing first races a request the client is sending on that socket (ECONNRESET).
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.once('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EADDRINUSE') log.fatal(`Port ${config.port} on ${config.host} is already in use: stop the program using it or choose another with PORT=<port>.`);
  else log.fatal({ err }, 'cannot listen');
  void database.shutdown().finally(() => process.exit(1));
});

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info(`${signal}: shutting down`);
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, 15_000);
  force.unref();
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  server.close();
  server.closeIdleConnections();
  await closeStreams();
  await closed;
  housekeeping.stop();
  await queue.stop();
  mailer.close();
  await closeApp();
  await database.shutdown();
  log.info('shutdown complete');
  log.flush();
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
