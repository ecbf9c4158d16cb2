// From a learner's submit to the LMS gradebook: completing module 1 over HTTP writes the score in the
// completion's transaction; the worker posts exactly one correct score to the platform.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { pino } from 'pino';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { startTestJobQueue } from '../support/test-jobs.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { sql } from 'kysely';
import { registerGradeDelivery } from '../../server/grades/grade-delivery.job.ts';
import { GRADE_DELIVERY_QUEUE } from '../../server/grades/grades.service.ts';
import type { JobQueue } from '../../server/jobs/job-queue.ts';

describe('grades end to end: module completion → AGS score', function () {
  this.timeout(30_000);
  let app: TestApp;
  let sim: LtiPlatformSimulator;
  let queue: JobQueue;

  before(async () => {
    queue = await startTestJobQueue();
    app = await startTestApp({}, { queue });
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    await registerGradeDelivery(queue, { db: app.db, log: pino({ level: 'silent' }), ltiEncryptionKey: app.config.ltiEncryptionKey! }, { retryDelaySeconds: 0, pollingIntervalSeconds: 0.5, catchUpCron: null });
  });
  after(async () => {
    await sim.close();
    await app.close();
    await queue.stop();
  });

  async function completeModule1(browser: LtiHttpClient, base: string, csrfPage = `${base}/modules/1`) {
    const submit = async (activity: string, form: Record<string, string>) => {
      const page = parse((await browser.request(csrfPage)).body);
      const csrf = page.querySelector('input[name=_csrf]')!.getAttribute('value')!;
      return browser.request(`${base}/modules/1/activities/${activity}`, { method: 'POST', form: { ...form, intent: 'submit', _csrf: csrf } });
    };
    await submit('set-your-intention', { text: 'Ask for help earlier, with my team, on real work.' });
    const ratings = Object.fromEntries(['intention', 'propensity-and-skill', 'relationship-strength', 'activity-match', 'tool-access'].map((f) => [`rating_${f}`, '3']));
    return submit('starting-five-factor-check', { ...ratings, comment: '' });
  }

  it('delivers exactly one correct score for the hub link when a learner completes module 1', async () => {
    await resetDatabase(app.handle);
    const lms = await connectPlatform(app, sim);
    const browser = new LtiHttpClient();
    const launched = await sim.launch(app.url, browser, { user: { sub: 'grace', name: 'Grace', roles: [ROLES.learner] }, clientId: lms.clientId, context: { id: 'graded-course' }, resourceLink: { id: 'hub-link', title: 'Circlework' } });
    const base = launched.finalUrl;
    const before = sim.scores.length;
    const done = await completeModule1(browser, base);
    expect(done.headers.get('location')).to.contain('completed=1');
    // Wait for the outbox row to settle and for every grade job to finish: no duplicate can come later.
    await jobsSettled();
    const scores = sim.scores.slice(before);
    expect(scores).to.have.length(1);
    expect(scores[0]!.body).to.include({ userId: 'grace', scoreGiven: 11, scoreMaximum: 100, activityProgress: 'InProgress', gradingProgress: 'FullyGraded' });
    const row = await app.db.selectFrom('gradeOutbox').selectAll().executeTakeFirstOrThrow();
    expect(row.status).to.equal('delivered');
  });

  /** Every grade job finished (or failed for good), and every outbox row past pending. */
  async function jobsSettled(): Promise<void> {
    for (let i = 0; i < 400; i++) {
      const open = await sql<{ n: string }>`select count(*) as n from pgboss.job where name = ${GRADE_DELIVERY_QUEUE} and state in ('created', 'active', 'retry')`.execute(app.db);
      const pending = await app.db.selectFrom('gradeOutbox').select('id').where('status', '=', 'pending').execute();
      if (Number(open.rows[0]!.n) === 0 && pending.length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('grade jobs did not settle');
  }

  it('writes the score in the completion’s transaction: a completion that fails at commit leaves no score and no job; the next one has both', async () => {
    await resetDatabase(app.handle);
    const lms = await connectPlatform(app, sim);
    const browser = new LtiHttpClient();
    const launched = await sim.launch(app.url, browser, { user: { sub: 'tess', name: 'Tess', roles: [ROLES.learner] }, clientId: lms.clientId, context: { id: 'tx-course' }, resourceLink: { id: 'hub-link', title: 'Circlework' } });
    const base = launched.finalUrl;
    const startedAt = new Date();
    // The completion's transaction fails at COMMIT, after everything in it ran (a deferred trigger).
    await sql`CREATE FUNCTION test_refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'completion refused by the test'; END $$`.execute(app.db);
    await sql`CREATE CONSTRAINT TRIGGER test_refuse_completion AFTER INSERT ON module_completions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse_completion()`.execute(app.db);
    try {
      const failed = await completeModule1(browser, base);
      expect(failed.status).to.equal(500);
      expect(await app.db.selectFrom('moduleCompletions').selectAll().execute()).to.have.length(0);
      expect(await app.db.selectFrom('gradeOutbox').selectAll().execute(), 'an outbox row outside the completion’s transaction').to.have.length(0);
      const jobs = await sql<{ n: string }>`select count(*) as n from pgboss.job where name = ${GRADE_DELIVERY_QUEUE} and created_on >= ${startedAt}`.execute(app.db);
      expect(Number(jobs.rows[0]!.n), 'a grade job outside the completion’s transaction').to.equal(0);
    } finally {
      await sql`DROP TRIGGER test_refuse_completion ON module_completions`.execute(app.db);
      await sql`DROP FUNCTION test_refuse_completion()`.execute(app.db);
    }
    const done = await completeModule1(browser, base);
    expect(done.headers.get('location')).to.contain('completed=1');
    const rows = await app.db.selectFrom('gradeOutbox').selectAll().execute();
    expect(rows).to.have.length(1);
    await jobsSettled();
    expect((await app.db.selectFrom('gradeOutbox').select('status').executeTakeFirstOrThrow()).status).to.equal('delivered');
  });

  it('sends nothing for a facilitator, who cannot complete modules', async () => {
    await resetDatabase(app.handle);
    const lms = await connectPlatform(app, sim);
    const browser = new LtiHttpClient();
    const launched = await sim.launch(app.url, browser, { user: { sub: 'fred', roles: [ROLES.instructor] }, clientId: lms.clientId, context: { id: 'graded-course-2' }, custom: { module: '1' } });
    const base = launched.finalUrl.replace(/\/modules\/1$/, '');
    const res = await completeModule1(browser, base, `${base}/console`);
    expect(res.status).to.equal(403);
    expect(await app.db.selectFrom('gradeOutbox').selectAll().execute()).to.have.length(0);
  });
});
