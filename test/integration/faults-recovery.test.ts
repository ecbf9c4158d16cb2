// Faults with real processes. PostgreSQL restarted under traffic: while it is down /healthz and
// pages answer a plain 503; once it is back, pages, pg-boss jobs and LISTEN-based live updates work
// again with no manual step (the test runs a PostgreSQL of its own so it can stop and start it).
// An app process killed (SIGKILL) while learners post: every reply it acknowledged is stored.
// The SMTP server refusing an email: the pg-boss job fails, is retried, and the email arrives once.
// The LMS's JWKS never answering: the launch ends with a clear page within the bounded fetch. Its
// token endpoint down: grade delivery retries and delivers once it is back, with the same payload.
import { expect } from 'chai';
import fs from 'node:fs';
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
import { freePort, startScript } from '../support/processes.ts';
import { resetDatabase, testDatabaseUrl } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { asSentScore, connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { waitFor } from '../support/wait.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { registerNudgeEmails } from '../../server/analytics/nudge-email.job.ts';
import { NUDGE_EMAIL_QUEUE } from '../../server/analytics/nudges.service.ts';
import { startTestJobQueue } from '../support/test-jobs.ts';
import { registerGradeDelivery } from '../../server/grades/grade-delivery.job.ts';
import { enqueueGrades } from '../../server/grades/grades.service.ts';
import { openEvents } from '../support/sse-reader.ts';

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

describe('faults: an app process killed (SIGKILL) while learners post', function () {
  this.timeout(180_000);
  const SECRETS = { SESSION_SECRET: 'kill-session-secret-0123456789abcdef0123456789', LTI_ENCRYPTION_KEY: 'kill-lti-encryption-key-0123456789abcdef012345' };
  let handle: DbHandle;
  let sim: LtiPlatformSimulator;
  const started: Array<ReturnType<typeof startScript>> = [];
  before(async () => {
    handle = createDb(testDatabaseUrl(), { max: 2 });
    await resetDatabase(handle);
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    for (const s of started) if (s.child.exitCode === null && s.child.signalCode === null) { s.child.kill('SIGKILL'); await s.exited; }
    await sim.close();
    await handle.close();
  });

  it('keeps every reply it acknowledged with a 303, and serves again once started again', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { ...SECRETS, NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DATABASE_URL: testDatabaseUrl() };
    const healthy = () => waitFor('the app process to answer /healthz', async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok, 60_000);
    const first = startScript('server/main.ts', env);
    started.push(first);
    await healthy();
    const app = { url, db: handle.db, config: { ltiEncryptionKey: SECRETS.LTI_ENCRYPTION_KEY } } as unknown as TestApp;
    const { clientId } = await connectPlatform(app, sim);
    const learners = await Promise.all(['k1', 'k2', 'k3'].map(async (sub) => {
      const browser = new LtiHttpClient();
      const res = await sim.launch(url, browser, { user: { sub, name: `Learner ${sub}`, roles: [ROLES.learner] }, clientId, context: { id: 'killed' } });
      expect(res.status).to.be.below(400);
      return { sub, base: new URL(res.finalUrl).pathname, cookie: (await browser.cookies(url)).map((c) => `${c.key}=${c.value}`).join('; ') };
    }));
    const headers = (cookie: string) => ({ cookie, 'content-type': 'application/x-www-form-urlencoded', origin: url, 'sec-fetch-site': 'same-origin' });
    const csrfOf = async (cookie: string, path: string) => /name="_csrf" value="([^"]+)"/.exec(await (await fetch(`${url}${path}`, { headers: { cookie } })).text())?.[1];
    const spacePath = (await fetch(`${url}${learners[0]!.base}/commons`, { headers: { cookie: learners[0]!.cookie }, redirect: 'manual' })).headers.get('location')!;
    const opened = await fetch(`${url}${spacePath}/threads`, { method: 'POST', redirect: 'manual', headers: headers(learners[0]!.cookie), body: new URLSearchParams({ _csrf: (await csrfOf(learners[0]!.cookie, spacePath))!, title: 'Kill me softly', body: 'Reply below.' }) });
    expect(opened.status).to.equal(303);
    const threadPath = new URL(opened.headers.get('location')!, url).pathname;

    // Each learner posts replies one after another until the process is gone.
    const acknowledged: string[] = [];
    let sent = 0;
    const loops = learners.map(async (l) => {
      for (let n = 0; ; n++) {
        try {
          const csrf = await csrfOf(l.cookie, threadPath);
          if (!csrf) return;
          const body = `kill reply ${l.sub}-${n}`;
          sent++;
          const r = await fetch(`${url}${threadPath}/posts`, { method: 'POST', redirect: 'manual', headers: headers(l.cookie), body: new URLSearchParams({ _csrf: csrf, body }) });
          if (r.status === 303) acknowledged.push(body);
          else return;
        } catch {
          return; // the process is gone
        }
      }
    });
    await waitFor('a few replies acknowledged', async () => acknowledged.length >= 6, 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    await Promise.all(loops);

    const stored = new Set((await handle.db.selectFrom('posts').select('bodySource').where('bodySource', 'like', 'kill reply %').execute()).map((r) => r.bodySource));
    expect(acknowledged.filter((b) => !stored.has(b)), `lost of ${acknowledged.length} acknowledged (${sent} sent)`).to.deep.equal([]);

    // Started again on the same database: it serves, the learner's session included.
    const second = startScript('server/main.ts', env);
    started.push(second);
    await healthy();
    const page = await fetch(`${url}${threadPath}`, { headers: { cookie: learners[1]!.cookie } });
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain(acknowledged[0]);
    second.child.kill('SIGTERM');
    expect(await second.exited).to.equal(0);
  });
});

describe('faults: the SMTP server refuses an email', function () {
  this.timeout(60_000);
  const { env, clock, smtp, queues, launch, get, post } = cohortSuite({ context: { id: 'course-smtp', title: 'SMTP course' }, smtp: true, queues: 1 });
  before(async () => {
    await registerNudgeEmails(queues[0]!, env.app.emailDeps, { pollingIntervalSeconds: 0.5 });
  });

  it('fails the email job on a 451, and the retry delivers the email exactly once', async () => {
    await launch({ sub: 'sm1', name: 'Sam Mail', email: 'sam@example.org', roles: [ROLES.learner] });
    const f = await launch({ sub: 'fac', name: 'Fay Facilitator', roles: [ROLES.instructor] });
    const membershipId = (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId')).select('m.id').where('p.sub', '=', 'sm1').executeTakeFirstOrThrow()).id;
    clock.offsetMs = 8 * 86_400_000;
    expect((await get(f, `${f.base}/console/dashboard`)).status).to.equal(200);
    smtp.failNext(1);
    // pg-boss's tables outlive the suites' database resets: look only at this test's job.
    const since = new Date();
    const sent = await post(f, `${f.base}/console/nudges/${membershipId}`, { message: 'Hello Sam, we miss you.' });
    expect(sent.status, sent.body.slice(0, 300)).to.equal(303);

    type JobRow = { id: string; state: string; retryCount: number };
    const job = () => sql<JobRow>`select id, state, retry_count as "retryCount" from pgboss.job where name = ${NUDGE_EMAIL_QUEUE} and created_on >= ${since}`.execute(env.app.db).then((r) => r.rows);
    // The refused send failed the job: pg-boss holds it for a retry (after its delay), nothing arrived.
    const [held] = await waitFor('the nudge email job to wait for its retry', async () => { const rows = await job(); return rows[0]?.state === 'retry' ? rows : undefined; }, 30_000);
    expect(smtp.to('sam@example.org')).to.have.length(0);
    expect((await env.app.db.selectFrom('nudges').select('emailedAt').executeTakeFirstOrThrow()).emailedAt).to.equal(null);
    // The retry delay (a minute) has passed.
    await sql`update pgboss.job set start_after = now() where id = ${held!.id}`.execute(env.app.db);
    await waitFor('the retried job to complete', async () => (await job())[0]?.state === 'completed', 30_000);
    expect(smtp.to('sam@example.org')).to.have.length(1);
    expect(smtp.to('sam@example.org')[0]!.text).to.contain('we miss you');
    expect((await job())[0]!.retryCount).to.equal(1);
  });
});

describe('faults: the LMS is slow or down', function () {
  this.timeout(60_000);
  let app: TestApp;
  let sim: LtiPlatformSimulator;
  let queue: JobQueue;
  before(async () => {
    queue = await startTestJobQueue();
    app = await startTestApp({}, { queue });
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    await sim.close();
    await app.close();
    await queue.stop();
  });

  it('ends a launch against a JWKS that never answers with a clear 502 page, not a hang', async () => {
    await resetDatabase(app.handle);
    const { clientId } = await connectPlatform(app, sim);
    sim.outage.jwksHangs = true;
    try {
      const res = await sim.launch(app.url, new LtiHttpClient(), { user: { sub: 'j1', name: 'Jo Waiting', roles: [ROLES.learner] }, clientId, context: { id: 'jwks-down' } });
      expect(res.status, res.body.slice(0, 300)).to.equal(502);
      expect(res.body).to.contain('could not fetch your learning platform');
      expect(res.body).to.not.match(/AbortError|TimeoutError|\bat \S+ \(|node_modules/);
      expect(sim.jwksFetchCount).to.be.at.least(1);
    } finally {
      sim.outage.jwksHangs = false;
    }
    // Once the LMS answers again, the next launch goes through.
    const ok = await sim.launch(app.url, new LtiHttpClient(), { user: { sub: 'j1', name: 'Jo Waiting', roles: [ROLES.learner] }, clientId, context: { id: 'jwks-down' } });
    expect(ok.status, ok.body.slice(0, 300)).to.equal(200);
  });

  it('retries grade delivery while the token endpoint is down, and delivers one score with the same payload once it is back', async () => {
    await resetDatabase(app.handle);
    const { clientId } = await connectPlatform(app, sim);
    sim.scores.length = 0;
    // Retries at once and many of them: the test, not the back-off, decides when the LMS is back.
    await registerGradeDelivery(queue, { db: app.db, log: pino({ level: 'silent' }), ltiEncryptionKey: app.config.ltiEncryptionKey! }, { retryDelaySeconds: 0, retryLimit: 1000, pollingIntervalSeconds: 0.5, catchUpCron: null });
    const res = await sim.launch(app.url, new LtiHttpClient(), { user: { sub: 'g1', name: 'Gail Graded', roles: [ROLES.learner] }, clientId, context: { id: 'token-down' } });
    expect(res.status, res.body.slice(0, 300)).to.equal(200);
    const who = await app.db
      .selectFrom('memberships as m')
      .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
      .select(['m.tenantId', 'm.cohortId', 'm.id as membershipId', 'm.role', 'p.sub'])
      .where('p.sub', '=', 'g1')
      .executeTakeFirstOrThrow();
    sim.outage.tokenDown = true;
    try {
      await app.db.transaction().execute((tx) => enqueueGrades(tx, queue, who, [1, 2, 3]));
      await waitFor('two failed delivery attempts', async () => ((await app.db.selectFrom('gradeOutbox').select('attempts').executeTakeFirst())?.attempts ?? 0) >= 2, 30_000);
      expect(sim.scores).to.have.length(0);
    } finally {
      sim.outage.tokenDown = false;
    }
    const row = await waitFor('the score to be delivered', async () => { const r = await app.db.selectFrom('gradeOutbox').selectAll().executeTakeFirst(); return r?.status === 'delivered' && r; }, 30_000);
    expect(row.status).to.equal('delivered');
    expect(sim.scores).to.have.length(1);
    expect(sim.scores[0]!.body).to.deep.equal(asSentScore(row.payload));
  });
});
