// Grades back to the LMS (AGS): outbox rows written with a completion, delivered by the pg-boss
// worker to the platform simulator's AGS endpoints, on a real PostgreSQL.
import { expect } from 'chai';
import { waitFor } from '../support/wait.ts';
import { sql } from 'kysely';
import { asSentScore, connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { gradesSuite } from '../support/grades-suite.ts';
import { enqueueGrades, GRADE_DELIVERY_QUEUE, resendStalledGrades } from '../../server/grades/grades.service.ts';
import { GRADE_SYNC_ONLY_REASON } from '../../lti/ags.ts';

const SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
const alice = { sub: 'alice-1', name: 'Alice Learner', roles: [ROLES.learner] };
const bob = { sub: 'bob-1', name: 'Bob Learner', roles: [ROLES.learner] };
const tom = { sub: 'tom-1', name: 'Tom Teacher', roles: [ROLES.instructor] };

describe('grades (AGS) through the outbox and the grade-delivery worker', () => {
  const { env, queueRef, startQueue, deliverOn, startWorker, stopQueues, lineItemIn, launch, person, complete, outbox, waitSettled, jobsOf, scorePosts, gradesPage } = gradesSuite();

  it('delivers exactly one correct score to a line item it finds or creates for the hub link', async () => {
    await launch(alice);
    await complete(await person(alice.sub), [1, 2, 3]);
    const [row] = await waitSettled();
    expect(row!.status).to.equal('delivered');
    expect(row!.attempts).to.equal(1);
    expect(env.moodle.lineItems).to.have.length(1);
    expect(env.moodle.lineItems[0]!.body).to.include({ label: 'Circlework', scoreMaximum: 100, resourceLinkId: 'rl-1' });
    const link = await env.app.db.selectFrom('resourceLinks').select('lineitemUrl').executeTakeFirstOrThrow();
    expect(link.lineitemUrl).to.equal(env.moodle.lineItems[0]!.id);
    expect(env.moodle.scores).to.have.length(1);
    expect(env.moodle.scores[0]!.lineItemUrl).to.equal(link.lineitemUrl);
    expect(env.moodle.scores[0]!.body).to.deep.equal(asSentScore({
      userId: 'alice-1', scoreGiven: 33, scoreMaximum: 100, activityProgress: 'InProgress', gradingProgress: 'FullyGraded', timestamp: row!.scoreTimestamp.toISOString(),
    }));
    expect(asSentScore(row!.payload)).to.deep.equal(env.moodle.scores[0]!.body);
  });

  it('scores the hub with overall completion and each module link with 100 once its module is done; an unchanged score is not re-sent', async () => {
    const items = { hub: lineItemIn(env.moodle, 'rl-1'), m3: lineItemIn(env.moodle, 'rl-m3'), m9: lineItemIn(env.moodle, 'rl-m9') };
    await launch(alice, { lineitem: items.hub });
    await launch(alice, { resourceLink: { id: 'rl-m3', title: 'Module 3' }, module: 3, lineitem: items.m3 });
    await launch(alice, { resourceLink: { id: 'rl-m9', title: 'Module 9' }, module: 9, lineitem: items.m9 });
    const who = await person(alice.sub);
    await complete(who, [1, 3]);
    await waitFor('two scores', async () => env.moodle.scores.length === 2);
    const byLink = (id: string) => env.moodle.scores.filter((s) => s.lineItemUrl === { 'rl-1': items.hub, 'rl-m3': items.m3, 'rl-m9': items.m9 }[id]).map((s) => s.body);
    expect(byLink('rl-1').map((b) => [b.scoreGiven, b.activityProgress])).to.deep.equal([[22, 'InProgress']]);
    expect(byLink('rl-m3').map((b) => [b.scoreGiven, b.activityProgress])).to.deep.equal([[100, 'Completed']]);
    expect(byLink('rl-m9')).to.deep.equal([]);

    await complete(who, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await waitFor('four scores', async () => env.moodle.scores.length === 4);
    await waitSettled();
    expect(byLink('rl-1').map((b) => [b.scoreGiven, b.activityProgress])).to.deep.equal([[22, 'InProgress'], [100, 'Completed']]);
    expect(byLink('rl-m3')).to.have.length(1);
    expect(byLink('rl-m9').map((b) => [b.scoreGiven, b.activityProgress])).to.deep.equal([[100, 'Completed']]);
    expect((await outbox()).every((r) => r.status === 'delivered')).to.equal(true);
  });

  it('keeps timestamps increasing by whole seconds per link and learner (Moodle compares seconds), even behind a clock that ran ahead', async () => {
    await launch(alice, { lineitem: lineItemIn(env.moodle, 'rl-1') });
    const who = await person(alice.sub);
    await complete(who, [1]);
    const [first] = await waitSettled();
    const ahead = new Date(Date.now() + 3_600_000);
    await env.app.db.updateTable('gradeOutbox').set({ scoreTimestamp: ahead }).where('id', '=', first!.id).execute();
    await complete(who, [1, 2]);
    const rows = await waitSettled();
    const nextSecond = (Math.floor(ahead.getTime() / 1000) + 1) * 1000;
    expect(rows.map((r) => r.scoreTimestamp.getTime())).to.deep.equal([ahead.getTime(), nextSecond]);
    expect(rows.map((r) => r.status)).to.deep.equal(['delivered', 'delivered']);
    expect(env.moodle.scores.at(-1)!.body.timestamp).to.equal(new Date(nextSecond).toISOString());
    // The second delivery reused the service token the first one got (cached in ltijs's documents).
    expect(env.moodle.services.tokenRequests.filter((t) => t.ok && t.clientId === env.lms.clientId)).to.have.length(1);
  });

  it('sends only the newest of two scores written before delivery (the older is superseded)', async () => {
    await launch(alice, { lineitem: lineItemIn(env.moodle, 'rl-1') });
    const who = await person(alice.sub);
    await env.app.db.transaction().execute(async (tx) => {
      await enqueueGrades(tx, queueRef, who, [1]);
      await enqueueGrades(tx, queueRef, who, [1, 2]);
    });
    const rows = await waitSettled();
    expect(rows).to.have.length(1);
    await waitFor('both jobs to finish', async () => (await env.queue.boss.findJobs(GRADE_DELIVERY_QUEUE)).every((j) => j.state === 'completed'));
    expect(env.moodle.scores.map((s) => s.body.scoreGiven)).to.deep.equal([22]);
  });

  it('retries a platform failing twice (500) and delivers one score with the identical payload', async () => {
    await launch(alice, { lineitem: lineItemIn(env.moodle, 'rl-1') });
    env.moodle.failNextServiceCalls(2, 500);
    await complete(await person(alice.sub), [1, 2, 3, 4]);
    const [row] = await waitSettled();
    expect(row!.status).to.equal('delivered');
    expect(row!.attempts).to.equal(3);
    expect(scorePosts(env.moodle).map((c) => c.status)).to.deep.equal([500, 500, 200]);
    expect(env.moodle.scores).to.have.length(1);
    // The payload (timestamp included) was fixed when the row was written, not at each attempt.
    expect(env.moodle.scores[0]!.body).to.deep.equal(asSentScore(row!.payload));
    expect(Date.parse(String(row!.payload.timestamp))).to.equal(row!.scoreTimestamp.getTime());
    expect(row!.deliveredAt!.getTime()).to.be.greaterThan(row!.scoreTimestamp.getTime());
  });

  it('retries Canvas’s 403 throttle (Rate Limit Exceeded) and delivers', async () => {
    const onCanvas = await connectPlatform(env.app, env.canvas, { deploymentPolicy: 'record' });
    await launch(alice, { sim: env.canvas, on: onCanvas, lineitem: lineItemIn(env.canvas, 'rl-1') });
    env.canvas.failNextServiceCalls(1, 403, { body: '403 Forbidden (Rate Limit Exceeded)' });
    await complete(await person(alice.sub), [1]);
    const [row] = await waitSettled();
    expect(row).to.include({ status: 'delivered', attempts: 2 });
    expect(scorePosts(env.canvas).map((c) => c.status)).to.deep.equal([403, 200]);
    expect(env.canvas.scores).to.have.length(1);
  });

  it('marks a score failed at once on a 400, with the reason on the grades page, and the facilitator’s retry delivers it', async () => {
    const lineitem = lineItemIn(env.moodle, 'rl-1');
    await launch(alice, { lineitem });
    const { browser, cohortId } = await launch(tom, { lineitem });
    env.moodle.failNextServiceCalls(1, 400 as 500, { body: JSON.stringify({ error: 'Score is invalid for this grade item' }) });
    await complete(await person(alice.sub), [1]);
    const [row] = await waitSettled();
    expect(row).to.include({ status: 'failed', attempts: 1 });
    expect(row!.lastError).to.contain('400').and.to.contain('Score is invalid for this grade item');
    // Not retried: the job finished, and the LMS saw one attempt. The row settles inside the job's
    // handler, a moment before pg-boss marks the job: wait for the job's own end, not the row's.
    const states = await waitFor('the job to end', async () => {
      const now = (await jobsOf(row!.id)).map((j) => j.state);
      return now.length > 0 && now.every((st) => st === 'completed' || st === 'failed') && now;
    });
    expect(states).to.deep.equal(['completed']);
    expect(scorePosts(env.moodle)).to.have.length(1);

    const { status, page } = await gradesPage(browser, cohortId);
    expect(status).to.equal(200);
    const tr = page.querySelector(`[data-test=grade][data-grade-id="${row!.id}"]`)!;
    expect(tr.getAttribute('data-status')).to.equal('failed');
    expect(tr.querySelector('[data-test=grade-learner]')!.text).to.equal('Alice Learner');
    // The score's progress in the words and mark of the module's completion state (the hub's and the module page's).
    const progress = tr.querySelector('[data-test=grade-score] [data-test=module-state]')!;
    expect([progress.getAttribute('data-state'), progress.text]).to.deep.equal(row!.payload.activityProgress === 'Completed' ? ['complete', 'Complete'] : ['in-progress', 'In progress']);
    expect(tr.querySelector('[data-test=grade-error]')!.text).to.contain('Score is invalid for this grade item');
    const form = tr.querySelector('form')!;
    const retry = await browser.request(`${env.app.url}${form.getAttribute('action')}`, { form: { _csrf: form.querySelector('input[name=_csrf]')!.getAttribute('value')! } });
    expect(retry.status).to.equal(303);
    const [again] = await waitSettled();
    expect(again).to.include({ id: row!.id, status: 'delivered', attempts: 2 });
    expect(env.moodle.scores.map((s) => s.body)).to.deep.equal([asSentScore(row!.payload)]);
    const after = await gradesPage(browser, cohortId);
    expect(after.page.querySelector(`[data-grade-id="${row!.id}"]`)!.getAttribute('data-status')).to.equal('delivered');
  });

  it('does not retry a refusal that is not a throttle (403 without “rate limit”, Moodle’s 400 for a user who is not a student)', async () => {
    const lineitem = lineItemIn(env.moodle, 'rl-1');
    await launch(alice, { lineitem });
    await launch(bob, { lineitem });
    env.moodle.failNextServiceCalls(1, 403, { body: JSON.stringify({ errors: 'user not authorized to perform that action' }) });
    await complete(await person(alice.sub), [1]);
    const [denied] = await waitSettled();
    expect(denied).to.include({ status: 'failed', attempts: 1 });
    expect(denied!.lastError).to.contain('403').and.to.contain('not authorized');

    env.moodle.setMembers('course-1', [{ user_id: 'alice-1', roles: [ROLES.learner] }]);
    await complete(await person(bob.sub), [1]);
    const rows = await waitSettled();
    const bobs = rows.find((r) => r.payload.userId === 'bob-1')!;
    expect(bobs).to.include({ status: 'failed', attempts: 1 });
    expect(bobs.lastError).to.contain('400').and.to.contain('Incorrect score received');
    expect(env.moodle.scores).to.have.length(0);
  });

  it('survives an app restart: the job left by a stopped worker is delivered once by a new one', async () => {
    await stopQueues();
    const first = await startWorker({ retryDelaySeconds: 1 });
    await launch(alice, { lineitem: lineItemIn(env.moodle, 'rl-1') });
    env.moodle.failNextServiceCalls(1, 500);
    await complete(await person(alice.sub), [1, 2]);
    const [attempted] = await waitFor('the first attempt to fail', async () => { const rows = await outbox(); return rows[0]?.attempts === 1 && rows; });
    await stopQueues(first);
    expect(attempted!.status).to.equal('pending');
    const jobs = await sql<{ state: string }>`SELECT state FROM pgboss.job WHERE name = ${GRADE_DELIVERY_QUEUE} AND data->>'outboxId' = ${attempted!.id}`.execute(env.app.db);
    expect(jobs.rows.map((r) => r.state)).to.deep.equal(['retry']);
    expect(env.moodle.scores).to.have.length(0);

    await startWorker();
    const [row] = await waitSettled();
    expect(row).to.include({ status: 'delivered', attempts: 2 });
    expect(env.moodle.scores.map((s) => s.body)).to.deep.equal([asSentScore(attempted!.payload)]);
  });

  it('works through waiting scores one after another, not one per polling interval', async () => {
    await stopQueues();
    const items = { hub: lineItemIn(env.moodle, 'rl-1'), m3: lineItemIn(env.moodle, 'rl-m3'), m9: lineItemIn(env.moodle, 'rl-m9') };
    await launch(alice, { lineitem: items.hub });
    await launch(alice, { resourceLink: { id: 'rl-m3', title: 'Module 3' }, module: 3, lineitem: items.m3 });
    await launch(alice, { resourceLink: { id: 'rl-m9', title: 'Module 9' }, module: 9, lineitem: items.m9 });
    // three scores wait while no worker runs (a queue that only sends)
    const queue = await startQueue();
    await complete(await person(alice.sub), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await outbox()).to.have.length(3);
    // a worker whose polling interval is longer than the wait: only fetching again after each job delivers all three
    await deliverOn(queue, { pollingIntervalSeconds: 60 });
    const rows = await waitSettled();
    expect(rows.map((r) => r.status)).to.deep.equal(['delivered', 'delivered', 'delivered']);
    expect(scorePosts(env.moodle)).to.have.length(3);
  });

  it('re-sends a job for a pending score whose job was lost (catch-up), and only when none is alive', async () => {
    await launch(alice, { lineitem: lineItemIn(env.moodle, 'rl-1') });
    const who = await person(alice.sub);
    const lost = await env.app.db
      .insertInto('gradeOutbox')
      .values({ tenantId: who.tenantId, membershipId: who.membershipId, resourceLinkId: 'rl-1', scoreTimestamp: new Date(), payload: JSON.stringify({ userId: 'alice-1', scoreGiven: 11, scoreMaximum: 100, activityProgress: 'InProgress', gradingProgress: 'FullyGraded', timestamp: new Date().toISOString() }), createdAt: new Date(Date.now() - 120_000) })
      .returningAll()
      .executeTakeFirstOrThrow();
    // No worker for now: the job sent stays queued.
    await stopQueues();
    await startQueue();
    const resend = () => resendStalledGrades({ db: env.app.db, queue: queueRef }, { olderThanSeconds: 60 });
    expect(await resend()).to.equal(1);
    expect(await resend(), 'a queued job is alive').to.equal(0);
    await startWorker();
    const [row] = await waitSettled();
    expect(row).to.include({ id: lost.id, status: 'delivered' });
    expect(await resend()).to.equal(0);
    expect(env.moodle.scores).to.have.length(1);
  });

  it('never grades a facilitator', async () => {
    await launch(alice, { lineitem: lineItemIn(env.moodle, 'rl-1') });
    await launch(tom);
    const teacher = await person(tom.sub);
    await complete(teacher, [1, 2]);
    // Even when the caller says "learner", the stored role decides.
    await complete({ ...teacher, role: 'learner' }, [1, 2]);
    expect(await outbox()).to.deep.equal([]);
  });

  it('grade sync only: posts to the line item the launch names, and fails with a clear reason when there is none', async () => {
    const scoreOnly = (lineitem?: string) => () => ({ scope: [SCORE_SCOPE], ...(lineitem ? { lineitem } : {}) });
    await launch(alice, { resourceLink: { id: 'rl-graded' }, ags: scoreOnly(lineItemIn(env.moodle, 'rl-graded')) });
    await launch(alice, { resourceLink: { id: 'rl-plain' }, ags: scoreOnly() });
    const { browser, cohortId } = await launch(tom, { resourceLink: { id: 'rl-plain' }, ags: scoreOnly() });
    await complete(await person(alice.sub), [1]);
    const rows = await waitSettled();
    const of = (id: string) => rows.find((r) => r.resourceLinkId === id)!;
    expect(of('rl-graded').status).to.equal('delivered');
    expect(of('rl-plain')).to.include({ status: 'failed', lastError: GRADE_SYNC_ONLY_REASON });
    expect(env.moodle.lineItems).to.have.length(1);
    expect(env.moodle.scores).to.have.length(1);
    const { page } = await gradesPage(browser, cohortId);
    expect(page.querySelector(`[data-grade-id="${of('rl-plain').id}"] [data-test=grade-error]`)!.text).to.contain('grade sync only');
  });

  describe('the grades page', () => {
    it('shows an empty state before any score was sent', async () => {
      const { browser, cohortId } = await launch(tom);
      const { status, page } = await gradesPage(browser, cohortId);
      expect(status).to.equal(200);
      expect(page.querySelector('[data-test=grades-empty]')).to.not.equal(null);
      expect(page.querySelector('[data-test=grade-table]')).to.equal(null);
    });

    it('is refused to a learner (403) and to a facilitator of another cohort (401)', async () => {
      const learner = await launch(alice);
      expect((await gradesPage(learner.browser, learner.cohortId)).status).to.equal(403);
      const elsewhere = await launch(tom, { context: { id: 'course-2', title: 'Other course' } });
      expect(elsewhere.cohortId).to.not.equal(learner.cohortId);
      expect((await gradesPage(elsewhere.browser, learner.cohortId)).status).to.equal(401);
    });

    it('refuses a retry of a bad, unknown, other cohort’s or not-failed score id, and one without the CSRF token', async () => {
      await launch(alice, { resourceLink: { id: 'rl-plain' }, ags: () => ({ scope: [SCORE_SCOPE] }) });
      await launch(bob, { context: { id: 'course-2' }, resourceLink: { id: 'rl-c2' }, lineitem: lineItemIn(env.moodle, 'rl-c2', 'course-2') });
      const { browser, cohortId } = await launch(tom, { resourceLink: { id: 'rl-plain' }, ags: () => ({ scope: [SCORE_SCOPE] }) });
      await complete(await person(alice.sub), [1]);
      await complete(await person(bob.sub, 'course-2'), [1]);
      const rows = await waitSettled();
      const failed = rows.find((r) => r.status === 'failed')!;
      const otherCohorts = rows.find((r) => r.payload.userId === 'bob-1')!;
      expect(otherCohorts.status).to.equal('delivered');
      const { page } = await gradesPage(browser, cohortId);
      const csrf = page.querySelector('input[name=_csrf]')!.getAttribute('value')!;
      const retry = (id: string, form: Record<string, string> = { _csrf: csrf }) =>
        browser.request(`${env.app.url}/cohorts/${cohortId}/console/grades/${id}/retry`, { form }).then((r) => r.status);
      expect(await retry('not-a-uuid')).to.equal(404);
      expect(await retry('00000000-0000-4000-8000-000000000000')).to.equal(404);
      expect(await retry(otherCohorts.id)).to.equal(404);
      expect(await retry(failed.id, {})).to.equal(403);
      await env.app.db.updateTable('gradeOutbox').set({ status: 'delivered' }).where('id', '=', failed.id).execute();
      expect(await retry(failed.id)).to.equal(409);
    });
  });
});
