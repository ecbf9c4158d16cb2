// Faults with real processes: PostgreSQL restarted under traffic. While it is down /healthz and
// pages answer a plain 503; once it is back, pages, pg-boss jobs and LISTEN-based live updates work
// again with no manual step. The test runs a PostgreSQL of its own so it can stop and start it.
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { parse } from 'node-html-parser';
import { pino } from 'pino';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../../models/embedded-postgres.ts';
import { createDb, type DbHandle } from '../../models/db.ts';
import { migrateToLatest } from '../../models/migrate.ts';
import { createJobQueue, type JobQueue } from '../../server/jobs/job-queue.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { freePort } from '../support/processes.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { waitFor } from '../support/wait.ts';

/** An SSE stream of a space, read with the browser's cookies: its `post` events' data. */
function openEvents(url: string, cookie: string) {
  const events: Array<{ postId: string }> = [];
  let status = 0;
  const req = http.get(url, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
    status = res.statusCode ?? 0;
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (/^event: post$/m.test(block) && data) events.push(JSON.parse(data));
      }
    });
  });
  req.on('error', () => undefined);
  return { events, status: () => status, close: () => req.destroy() };
}

describe('faults: PostgreSQL restarted under traffic', function () {
  this.timeout(180_000);
  let dataDir: string;
  let port: number;
  let pgServer: EmbeddedServer | undefined;
  let url: string;
  let probe: DbHandle | undefined;
  let queue: JobQueue | undefined;
  let app: TestApp | undefined;
  let sim: LtiPlatformSimulator | undefined;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'circlework-restart-'));
    port = await freePort();
    pgServer = await startEmbeddedPostgres({ dataDir, port });
    await ensureDatabase(pgServer.url('postgres'), 'circlework', { recreate: true });
    url = pgServer.url('circlework');
    const migrator = createDb(url, { max: 1 });
    try {
      await migrateToLatest(migrator.db);
    } finally {
      await migrator.close();
    }
    probe = createDb(url, { max: 1 });
    queue = createJobQueue({ connectionString: url, log: pino({ level: 'silent' }), max: 2 });
    await queue.start();
    app = await startTestApp({}, { databaseUrl: url, queue });
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });

  after(async () => {
    await sim?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await queue?.stop().catch(() => undefined);
    await probe?.close().catch(() => undefined);
    await pgServer?.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while it is down, and serves pages, jobs and live updates again once it is back', async () => {
    const a = app!;
    const lms = await connectPlatform(a, sim!);
    const browser = new LtiHttpClient();
    const res = await sim!.launch(a.url, browser, { user: { sub: 'l', name: 'Lee Learner', roles: [ROLES.learner] }, clientId: lms.clientId, context: { id: 'restart' } });
    const cohortPath = new URL(res.finalUrl).pathname;
    const spacePath = (await browser.request(`${a.url}${cohortPath}/commons`)).headers.get('location')!;
    const cookie = (await browser.cookies(a.url)).map((c) => `${c.key}=${c.value}`).join('; ');
    const postThread = async (title: string) => {
      const page = parse((await browser.request(`${a.url}${spacePath}`)).body);
      return browser.request(`${a.url}${spacePath}/threads`, { method: 'POST', form: { title, body: title, _csrf: page.querySelector('input[name=_csrf]')!.getAttribute('value')! } });
    };
    expect((await postThread('Before the restart')).status).to.equal(303);

    const worked: string[] = [];
    await queue!.boss.createQueue('fault-echo');
    await queue!.boss.work<{ word: string }>('fault-echo', { pollingIntervalSeconds: 0.5 }, async ([job]) => {
      worked.push(job!.data.word);
    });

    // Down: a load balancer and a person both get a plain 503, and nothing hangs.
    await pgServer!.stop();
    pgServer = undefined;
    const health = await fetch(`${a.url}/healthz`, { signal: AbortSignal.timeout(20_000) });
    expect(health.status).to.equal(503);
    const page = await browser.request(`${a.url}${spacePath}`);
    expect(page.status, page.body).to.equal(503);
    expect(page.body).to.contain('cannot reach its database');
    expect(page.body).to.not.match(/ECONNREFUSED|57P01|terminating connection|\bat \S+ \(|node_modules/);

    // Back, on the same data and port: no restart of the app, no manual step.
    pgServer = await startEmbeddedPostgres({ dataDir, port });
    await waitFor('/healthz to answer 200', async () => (await fetch(`${a.url}/healthz`)).status === 200, 30_000);
    await waitFor('the space page to answer 200', async () => (await browser.request(`${a.url}${spacePath}`)).status === 200, 30_000);

    // The LISTEN connection reconnected by itself (its backend's last query is the LISTEN).
    await waitFor('the live-updates LISTEN connection to be back', async () => {
      const rows = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where query ilike 'LISTEN circlework_post_events'`.execute(probe!.db).catch(() => undefined);
      return (rows?.rows[0]?.n ?? 0) > 0;
    }, 40_000);
    const stream = openEvents(`${a.url}${spacePath}/events`, cookie);
    try {
      await waitFor('the live-updates stream to open', async () => stream.status() !== 0);
      expect(stream.status()).to.equal(200);
      expect((await postThread('After the restart')).status).to.equal(303);
      const after = await a.db.selectFrom('posts').select('id').where('bodySource', '=', 'After the restart').executeTakeFirstOrThrow();
      await waitFor('the post made after the restart on the stream', async () => stream.events.some((e) => e.postId === after.id));
    } finally {
      stream.close();
    }

    // pg-boss: a job sent after the restart runs.
    await queue!.boss.send('fault-echo', { word: 'after-restart' });
    await waitFor('the job sent after the restart to run', async () => worked.includes('after-restart'), 30_000);
  });
});
