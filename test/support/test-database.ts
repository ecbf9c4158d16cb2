// The test suite's PostgreSQL. TEST_DATABASE_URL: that database is wiped and used. DATABASE_URL: a
// separate database circlework_test is created (and recreated each run) on that server, so the app's
// own data is never touched. Neither: an embedded server of the run's own in a temporary folder, on
// a free port (or TEST_PG_PORT), removed at the end.
//
// mocha --parallel runs test files in worker processes at once. Each worker copies the migrated
// database into one of its own (<name>_w<worker>, CREATE DATABASE … TEMPLATE) before its first file,
// so one worker's TRUNCATE never empties another's tables; NOTIFY channels are per database too.
import { createDb, type DbHandle } from '../../models/db.ts';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../../models/embedded-postgres.ts';
import { migrateToLatest } from '../../models/migrate.ts';
import { sql } from 'kysely';
import pg from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './processes.ts';

let embedded: EmbeddedServer | undefined;
let runDir: string | undefined;
let url: string | undefined;
const DATABASE = 'circlework_test';
/** The migrated database's URL, handed to mocha's workers (they are forked after global setup). */
const TEMPLATE_ENV = 'CIRCLEWORK_TEST_TEMPLATE_URL';
const WORKER_SUFFIX = '_w';

export async function startTestDatabase(): Promise<void> {
  const given = process.env.TEST_DATABASE_URL;
  const server = process.env.DATABASE_URL;
  if (given) {
    url = given;
  } else if (server) {
    await ensureDatabase(server, DATABASE, { recreate: true });
    url = onDatabase(server, DATABASE);
  } else {
    // A server of this run's own (fresh data dir, free port): runs side by side never collide.
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'circlework-test-'));
    embedded = await startEmbeddedPostgres({ dataDir: runDir, port: Number(process.env.TEST_PG_PORT ?? (await freePort())) });
    await ensureDatabase(embedded.url('postgres'), DATABASE, { recreate: true });
    url = embedded.url(DATABASE);
  }
  const handle = createDb(url, { max: 2 });
  try {
    if (given) await sql`DROP SCHEMA public CASCADE; CREATE SCHEMA public`.execute(handle.db);
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
  process.env[TEMPLATE_ENV] = url;
}

/** `serverUrl` with another database: `postgres`, the maintenance one, for statements that must not be connected to the database they name. */
export function onDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}
const databaseOf = (databaseUrl: string) => new URL(databaseUrl).pathname.slice(1);

let workerDatabase: Promise<void> | undefined;

/** In a mocha worker (root beforeAll hook): the worker's own copy of the migrated database. Elsewhere nothing. */
export function useWorkerDatabase(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  const worker = process.env.MOCHA_WORKER_ID;
  if (!template || worker === undefined) return Promise.resolve();
  workerDatabase ??= (async () => {
    const name = `${databaseOf(template)}${WORKER_SUFFIX}${worker}`;
    await ensureDatabase(onDatabase(template, 'postgres'), name, { recreate: true, template: databaseOf(template) });
    url = onDatabase(template, name);
  })();
  return workerDatabase;
}

/** Drops the workers' copies (an embedded server goes whole). */
async function dropWorkerDatabases(): Promise<void> {
  if (!url) return;
  const client = new pg.Client({ connectionString: onDatabase(url, 'postgres') });
  await client.connect();
  try {
    const prefix = `${databaseOf(url)}${WORKER_SUFFIX}`;
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function stopTestDatabase(): Promise<void> {
  if (!embedded) await dropWorkerDatabases();
  await embedded?.stop();
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
}

export function testDatabaseUrl(): string {
  if (!url) throw new Error('the test database is not started (test/support/hooks.ts)');
  return url;
}

/** A pool on the test database; close it in `after`. */
export function openTestDb(max = 5): DbHandle {
  return createDb(testDatabaseUrl(), { max });
}

const TABLES = ['nudges', 'cohort_analytics_settings', 'announcement_emails', 'announcements', 'member_mutes', 'moderation_actions', 'post_flags', 'action_plan_comments', 'check_in_reminders', 'check_ins', 'manager_invites', 'signed_links', 'action_plan_partners', 'action_plans', 'action_plan_schedules', 'post_drafts', 'group_norm_versions', 'email_opt_outs', 'profiles', 'notifications', 'kudos', 'post_revisions', 'posts', 'threads', 'spaces', 'group_members', 'groups', 'grade_outbox', 'module_completions', 'activity_responses', 'module_schedules', 'resource_links', 'memberships', 'persons', 'cohorts', 'tenants', 'platforms', 'lti_documents', 'lti_logins', 'launch_handovers', 'http_sessions', 'admin_users', 'rate_limits', 'demo_scores', 'media_deletions'];

/** Resolves once an app's cache has heard `marker` on the cache channel (or keeps nothing anyway). */
type HeardBy = (marker: string) => Promise<void>;
const appCaches = new Set<HeardBy>();
let resets = 0;

/** An app of this process caching from the test database (test-app.ts): each reset waits for it. Returns the undo. */
export function watchResets(heard: HeardBy): () => void {
  appCaches.add(heard);
  return () => appCaches.delete(heard);
}

/**
 * Empties every table. TRUNCATE fires no row triggers: its cache flush is a NOTIFY '*' that reaches
 * an app's listener asynchronously, later on a busy machine. So a marker follows it, and the reset
 * returns only once every app of this process has heard the marker: notifications arrive in commit
 * order, and the marker carries '*' itself, for a pool connection opened after the TRUNCATE.
 */
export async function resetDatabase(handle: DbHandle): Promise<void> {
  await sql.raw(`TRUNCATE ${TABLES.join(', ')} CASCADE`).execute(handle.db);
  if (appCaches.size === 0) return;
  const marker = `test-reset:${++resets}`;
  const heard = Promise.all([...appCaches].map((h) => h(marker)));
  await sql`SELECT pg_notify('circlework_cache', ${`* ${marker}`})`.execute(handle.db);
  await heard;
}
