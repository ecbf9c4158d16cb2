// Grades and deep linking against the platform simulator replaying what real LMSs do: one test per
// recorded surprise (../shared/lms-recordings/*/README.md, "Surprises"), each driving our real
// code — launch, grade outbox, grade-delivery worker, deep-linking pages — on a real PostgreSQL.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { asSentScore, connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { AGS_CLAIM, gradesSuite } from '../support/grades-suite.ts';
import { deliverGrade } from '../../server/grades/grades.service.ts';
import { CANVAS_SUBMISSION, nextPage, SUPERSEDED_NOTE, UNKNOWN_LINK_REASON } from '../../lti/ags.ts';

const DL_SETTINGS = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';
const ITEMS = 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items';
const alice = { sub: 'alice-1', name: 'Alice Learner', roles: [ROLES.learner] };
const tom = { sub: 'tom-1', name: 'Tom Teacher', roles: [ROLES.instructor] };

describe('grades and deep linking, as Moodle 4.5.6 and Canvas behave', () => {
  // Each platform's tests connect it themselves (Canvas with its deployment policy).
  const { env, deliveryDeps, launch, person, complete, outbox, waitSettled, jobsDone, gradesPage } = gradesSuite({ connectMoodle: false });

  const withoutAgs = (c: Record<string, unknown>) => Object.fromEntries(Object.entries(c).filter(([k]) => k !== AGS_CLAIM));
  const link = (resourceLinkId: string) => env.app.db.selectFrom('resourceLinks').selectAll().where('resourceLinkId', '=', resourceLinkId).executeTakeFirstOrThrow();

  /** Select content as a teacher: our page, our signed answer, posted back to the LMS as the browser does. */
  async function selectContent(sim: LtiPlatformSimulator, on: ConnectedPlatform, form: Record<string, string | string[]>) {
    const browser = new LtiHttpClient();
    let settings: Record<string, unknown> = {};
    const res = await sim.launch(env.app.url, browser, {
      user: tom, clientId: on.clientId, messageType: 'LtiDeepLinkingRequest',
      tamperClaims: (c) => { settings = c[DL_SETTINGS] as Record<string, unknown>; return c; },
    });
    expect(new URL(res.finalUrl).pathname, res.body.slice(0, 300)).to.match(/\/deep-linking$/);
    const page = parse(res.body);
    const body = new URLSearchParams({ _csrf: page.querySelector('input[name=_csrf]')!.getAttribute('value')! });
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
    const answer = await browser.request(res.finalUrl, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(answer.status, answer.body.slice(0, 300)).to.equal(200);
    const returned = parse(answer.body).querySelector('[data-test=deep-linking-form]')!;
    const back = await browser.request(returned.getAttribute('action')!, { method: 'POST', form: { JWT: returned.querySelector('input[name=JWT]')!.getAttribute('value')! } });
    return { settings, page, back, received: sim.deepLinkResponses.at(-1)!, items: (sim.deepLinkResponses.at(-1)![ITEMS] ?? []) as Array<Record<string, any>> };
  }

  describe('Moodle 4.5.6', () => {
    let lms: ConnectedPlatform;
    beforeEach(async () => {
      lms = await connectPlatform(env.app, env.moodle);
    });

    it('Moodle surprise 1 (lineitem is an empty string): after our line item exists, relaunches keep the link’s AGS endpoints and scores keep flowing', async () => {
      const first = await launch(alice, { sim: env.moodle, on: lms });
      expect(first.claims[AGS_CLAIM]).to.not.have.property('lineitem');
      const who = await person(alice.sub);
      await complete(who, [1]);
      await waitSettled(1);
      expect(env.moodle.lineItems.map((li) => li.origin)).to.deep.equal(['tool']);

      // Moodle's next launches of that link carry "lineitem": "".
      const again = await launch(alice, { sim: env.moodle, on: lms });
      expect((again.claims[AGS_CLAIM] as Record<string, unknown>).lineitem).to.equal('');
      const teacher = await launch(tom, { sim: env.moodle, on: lms });
      const stored = await link('rl-1');
      expect(stored.lineitemUrl).to.equal(env.moodle.lineItems[0]!.id);
      expect(stored.lineitemsUrl).to.equal(`${env.moodle.baseUrl}/ags/course-1/lineitems`);
      expect(stored.agsScopes).to.include('https://purl.imsglobal.org/spec/lti-ags/scope/score');

      await complete(who, [1, 2]);
      const rows = await waitSettled(2);
      expect(rows.map((r) => r.status)).to.deep.equal(['delivered', 'delivered']);
      expect(env.moodle.scores.map((s) => [s.lineItemUrl, s.body.scoreGiven])).to.deep.equal([[env.moodle.lineItems[0]!.id, 11], [env.moodle.lineItems[0]!.id, 22]]);
      expect(env.moodle.lineItems).to.have.length(1);
      const { page } = await gradesPage(teacher.browser, teacher.cohortId);
      expect(page.querySelector('[data-test=grade-link-row][data-link-id=rl-1]')!.getAttribute('data-scorable')).to.equal('yes');
    });

    it('Moodle surprise 1 (lineitem is an empty string): a launch without the AGS claim erases nothing, and a link that cannot take scores says so on the grades page', async () => {
      await launch(alice, { sim: env.moodle, on: lms });
      await launch(alice, { sim: env.moodle, on: lms, claims: withoutAgs });
      expect((await link('rl-1')).agsScopes).to.include('https://purl.imsglobal.org/spec/lti-ags/scope/score');
      const teacher = await launch(tom, { sim: env.moodle, on: lms, resourceLink: { id: 'rl-ungraded', title: 'No grades here' }, claims: withoutAgs });
      const row = (await gradesPage(teacher.browser, teacher.cohortId)).page.querySelector('[data-test=grade-link-row][data-link-id=rl-ungraded]')!;
      expect(row.getAttribute('data-scorable')).to.equal('no');
      expect(row.querySelector('[data-test=grade-link-state]')!.text).to.contain('has not allowed Circlework to send scores');
    });

    it('Moodle surprise 2 (Accept grades decides grading): under “Delegate” our lineItem makes the deep-linked module graded, its launches name that grade item and scores go there; without it the module has none', async () => {
      const graded = await selectContent(env.moodle, lms, { items: '3', graded: 'on' });
      expect(graded.back.status).to.equal(200);
      const plain = await selectContent(env.moodle, lms, { items: '4' });
      expect(plain.back.status).to.equal(200);
      const [m3, m4] = env.moodle.services.deepLinkedActivities;
      expect(m3!.lineItemUrl).to.be.a('string');
      expect(m4!.lineItemUrl).to.equal(undefined);

      const opened = await launch(alice, { sim: env.moodle, on: lms, resourceLink: { id: m3!.resourceLinkId, title: m3!.title }, custom: m3!.custom! });
      expect((opened.claims[AGS_CLAIM] as Record<string, unknown>).lineitem).to.equal(m3!.lineItemUrl);
      await complete(await person(alice.sub), [3]);
      await waitSettled(1);
      expect(env.moodle.scores.map((s) => [s.lineItemUrl, s.body.scoreGiven])).to.deep.equal([[m3!.lineItemUrl, 100]]);
      expect(env.moodle.lineItems.filter((li) => li.origin === 'tool'), 'no line item POSTed').to.have.length(0);

      env.moodle.services.acceptGrades = 'always';
      await selectContent(env.moodle, lms, { items: '5' });
      expect(env.moodle.services.deepLinkedActivities.at(-1)!.lineItemUrl, '"Always": graded without a lineItem').to.be.a('string');
    });

    it('Moodle surprise 3 (the deep-linking request omits accept_lineitem and data): the gradebook option is offered and the returned items carry a lineItem', async () => {
      const { settings, page, items, received } = await selectContent(env.moodle, lms, { items: ['hub', '2'], graded: 'on' });
      expect(settings).to.not.have.any.keys('accept_lineitem', 'data');
      expect(settings).to.include({ accept_multiple: true });
      expect(settings.accept_types).to.deep.equal(['ltiResourceLink']);
      expect(page.querySelector('input[name=graded]'), 'gradebook option offered').to.not.equal(null);
      expect(page.querySelectorAll('input[name=items][type=checkbox]')).to.have.length(10);
      expect(items.map((i) => i.lineItem?.scoreMaximum)).to.deep.equal([100, 100]);
      expect(received).to.not.have.property('https://purl.imsglobal.org/spec/lti-dl/claim/data');
    });

    it('Moodle surprise 4 (deep-linking responses are checked loosely; lineItem.label ignored): our answer is accepted and the grade column is named after the item title, which our label repeats', async () => {
      const { back, items } = await selectContent(env.moodle, lms, { items: '6', graded: 'on' });
      expect(back.status).to.equal(200);
      expect(items[0]!.lineItem.label).to.equal(items[0]!.title);
      const activity = env.moodle.services.deepLinkedActivities[0]!;
      const item = env.moodle.lineItems.find((li) => li.id === activity.lineItemUrl)!;
      expect(item.body.label).to.equal(items[0]!.title);
      expect(activity.custom).to.deep.equal({ module: '6' });
    });

    it('Moodle surprise 14 (line item listing quirks): the recorded Link header (&amp;, typographic quotes) gives the next page', () => {
      const recorded = '<http://127.0.0.1:8080/mod/lti/services.php/2/lineitems?type_id=3&amp;limit=2&amp;from=0>; rel=\u201cfirst\u201d, <http://127.0.0.1:8080/mod/lti/services.php/2/lineitems?type_id=3&amp;limit=2&amp;from=0>; rel=\u201ccanonical\u201d, <http://127.0.0.1:8080/mod/lti/services.php/2/lineitems?type_id=3&amp;limit=2&amp;from=2>; rel=\u201cnext\u201d, <http://127.0.0.1:8080/mod/lti/services.php/2/lineitems?type_id=3&amp;limit=2&amp;from=3>; rel=\u201clast\u201d';
      const next = 'http://127.0.0.1:8080/mod/lti/services.php/2/lineitems?type_id=3&limit=2&from=2';
      expect(nextPage(recorded)).to.equal(next);
      // As fetch hands it over: the raw UTF-8 quote bytes read as latin1.
      expect(nextPage(Buffer.from(recorded, 'utf8').toString('latin1'))).to.equal(next);
      expect(nextPage('<https://lms.example/x?page=2>; rel="next"')).to.equal('https://lms.example/x?page=2');
      expect(nextPage(recorded.replace(/, <[^<]*rel=\u201cnext\u201d/, ''))).to.equal(undefined);
    });

    it('Moodle surprise 14 (POST line item: 201; an unknown resourceLinkId gives 403): creates the column, and a deleted activity fails with the reason shown', async () => {
      await launch(alice, { sim: env.moodle, on: lms });
      await launch(alice, { sim: env.moodle, on: lms, resourceLink: { id: 'rl-gone', title: 'Removed activity' }, custom: { module: '1' } });
      const teacher = await launch(tom, { sim: env.moodle, on: lms });
      env.moodle.services.deleteActivity('course-1', 'rl-gone');
      await complete(await person(alice.sub), [1]);
      const rows = await waitSettled(2);
      const of = (id: string) => rows.find((r) => r.resourceLinkId === id)!;
      expect(of('rl-1').status).to.equal('delivered');
      expect(of('rl-gone')).to.include({ status: 'failed', attempts: 1 });
      expect(of('rl-gone').lastError).to.equal(UNKNOWN_LINK_REASON);
      const { page } = await gradesPage(teacher.browser, teacher.cohortId);
      expect(page.querySelector(`[data-grade-id="${of('rl-gone').id}"] [data-test=grade-error]`)!.text).to.contain('was the activity deleted?');
    });

    it('Moodle surprise 15 (score handling): 200 with an empty body is delivered; scores in the same second are both taken; a resent score (409 []) is settled, not failed', async () => {
      await launch(alice, { sim: env.moodle, on: lms });
      const who = await person(alice.sub);
      await complete(who, [1]);
      const [first] = await waitSettled(1);
      // The stored score sits early in a second (its timestamp set ahead, as a fast clock would): the
      // next score must not fall in that same second, which Moodle refuses.
      const early = new Date((Math.floor(Date.now() / 1000) + 30) * 1000 + 1);
      await env.app.db.updateTable('gradeOutbox').set({ scoreTimestamp: early, payload: JSON.stringify({ ...first!.payload, timestamp: early.toISOString() }) }).where('id', '=', first!.id).execute();
      env.moodle.scores[0]!.body.timestamp = early.toISOString();
      await complete(who, [1, 2]);
      const rows = await waitSettled(2);
      expect(rows.map((r) => r.status)).to.deep.equal(['delivered', 'delivered']);
      expect(Math.floor(rows[1]!.scoreTimestamp.getTime() / 1000)).to.be.greaterThan(Math.floor(rows[0]!.scoreTimestamp.getTime() / 1000));
      expect(env.moodle.services.serviceCalls.filter((c) => c.url.includes('/scores')).map((c) => c.status)).to.deep.equal([200, 200]);

      // A crash after the LMS took the score but before we marked it: the same payload again gets 409 [].
      await env.app.db.updateTable('gradeOutbox').set({ status: 'pending', deliveredAt: null }).where('id', '=', rows[1]!.id).execute();
      expect(await deliverGrade(deliveryDeps(), { tenantId: rows[1]!.tenantId, outboxId: rows[1]!.id }, { last: false })).to.equal('delivered');
      expect(env.moodle.services.serviceCalls.filter((c) => c.url.includes('/scores')).at(-1)!.status).to.equal(409);
      const resent = await env.app.db.selectFrom('gradeOutbox').selectAll().where('id', '=', rows[1]!.id).executeTakeFirstOrThrow();
      expect(resent).to.include({ status: 'delivered', lastError: SUPERSEDED_NOTE });
      expect(env.moodle.scores).to.have.length(2);
    });

    it('Moodle surprise 15 (score handling): a userId that is not a student gives 400 []; the score fails at once with Moodle’s reason on the grades page', async () => {
      await launch(alice, { sim: env.moodle, on: lms });
      const teacher = await launch(tom, { sim: env.moodle, on: lms });
      env.moodle.setMembers('course-1', [{ user_id: 'alice-1', roles: ['Instructor'] }]);
      await complete(await person(alice.sub), [1]);
      const [row] = await waitSettled(1);
      expect(row).to.include({ status: 'failed', attempts: 1 });
      expect(row!.lastError).to.contain('400').and.to.contain('Incorrect score received');
      const { page } = await gradesPage(teacher.browser, teacher.cohortId);
      expect(page.querySelector(`[data-grade-id="${row!.id}"] [data-test=grade-error]`)!.text).to.contain('Incorrect score received');
      env.moodle.setMembers('course-1', [{ user_id: 'alice-1', roles: ['Learner'] }]);
    });

    it('Moodle surprise 16 (results: a NULL grade is {id, userId}; only FullyGraded writes a grade): our scores read back as grades, rescaled to the column’s maximum, and Circlework never reads results', async () => {
      // The teacher changed the column's maximum to 50 in Moodle's gradebook.
      const item = `${env.moodle.baseUrl}/ags/course-1/lineitems/500/lineitem`;
      env.moodle.lineItems.push({ id: item, contextId: 'course-1', origin: 'platform', body: { id: item, label: 'Circlework', scoreMaximum: 50, resourceLinkId: 'rl-1' } });
      const { claims } = await launch(alice, { sim: env.moodle, on: lms });
      expect((claims[AGS_CLAIM] as Record<string, unknown>).lineitem).to.equal(item);
      await complete(await person(alice.sub), [1, 2, 3]);
      const [row] = await waitSettled(1);
      expect(row!.payload).to.include({ gradingProgress: 'FullyGraded', scoreGiven: 33, scoreMaximum: 100 });
      const [result] = env.moodle.services.resultsOf(item);
      expect(result).to.include({ userId: 'alice-1', resultScore: 16.5, resultMaximum: 50 });
      expect(result!.timestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      expect(env.moodle.services.serviceCalls.filter((c) => c.url.includes('/results'))).to.deep.equal([]);
    });

    it('backfills a module link first launched after learners completed its module (grades follow completion)', async () => {
      await launch(alice, { sim: env.moodle, on: lms });
      const who = await person(alice.sub);
      await complete(who, [1, 3]);
      await waitSettled(1);
      expect(env.moodle.scores.map((s) => s.body.scoreGiven)).to.deep.equal([22]);

      // The module-3 link is launched for the first time only now (by the teacher).
      await launch(tom, { sim: env.moodle, on: lms, resourceLink: { id: 'rl-m3', title: 'Module 3' }, custom: { module: '3' } });
      const rows = await waitSettled(2);
      const m3 = rows.find((r) => r.resourceLinkId === 'rl-m3')!;
      expect(m3).to.include({ status: 'delivered' });
      expect(m3.payload).to.include({ userId: 'alice-1', scoreGiven: 100, activityProgress: 'Completed' });
      // Once per link: later launches queue nothing more.
      await launch(alice, { sim: env.moodle, on: lms, resourceLink: { id: 'rl-m3', title: 'Module 3' }, custom: { module: '3' } });
      await jobsDone();
      expect(await outbox()).to.have.length(2);
    });
  });

  describe('Canvas', () => {
    let lms: ConnectedPlatform;
    beforeEach(async () => {
      lms = await connectPlatform(env.app, env.canvas, { deploymentPolicy: 'record' });
    });

    it('Canvas surprise 10 (the AGS claim depends on the launch): a course-navigation launch without lineitem (and Canvas’s own progress scope) still gets its scores, in a column Circlework creates', async () => {
      const { claims } = await launch(alice, { sim: env.canvas, on: lms });
      const ags = claims[AGS_CLAIM] as Record<string, unknown>;
      expect(ags).to.not.have.property('lineitem');
      expect(ags.scope).to.include('https://canvas.instructure.com/lti-ags/progress/scope/show');
      await complete(await person(alice.sub), [1]);
      const [row] = await waitSettled(1);
      expect(row!.status).to.equal('delivered');
      expect(env.canvas.lineItems.map((li) => li.body.resourceLinkId)).to.deep.equal(['rl-1']);
      expect(env.canvas.scores[0]!.lineItemUrl).to.equal(env.canvas.lineItems[0]!.id);
    });

    it('Canvas surprise 14 (deep-linking settings quirks: no accept_lineitem, media types as a string): the gradebook option is offered and the assignment gets its scoreMaximum', async () => {
      const { settings, page, back, items } = await selectContent(env.canvas, lms, { items: '7', graded: 'on' });
      expect(settings).to.not.have.any.keys('accept_lineitem', 'data');
      expect(settings.accept_media_types).to.be.a('string');
      expect(page.querySelector('input[name=graded]')).to.not.equal(null);
      expect(back.status).to.equal(200);
      expect(items[0]!.lineItem).to.include({ scoreMaximum: 100 });
      const activity = env.canvas.services.deepLinkedActivities[0]!;
      expect(activity.lineItemUrl, 'an assignment was created').to.be.a('string');
    });

    it('Canvas surprise 4 (deep-linking response: the client id in iss, Canvas’s issuer in aud): our answer is accepted', async () => {
      const { back, received } = await selectContent(env.canvas, lms, { items: 'hub' });
      expect(back.status, back.body).to.equal(200);
      expect(received).to.include({ iss: lms.clientId, aud: env.canvas.issuer });
    });

    it('Canvas surprise 18 (POST score returns 200 JSON; an older timestamp gives 400): delivered, and a resend of an older score is settled as superseded', async () => {
      await launch(alice, { sim: env.canvas, on: lms });
      const who = await person(alice.sub);
      await complete(who, [1]);
      await complete(who, [1, 2]);
      const rows = await waitSettled(1);
      expect(rows.at(-1)!.status).to.equal('delivered');
      await jobsDone();
      const sent = (await outbox()).filter((r) => r.status === 'delivered');
      // Make the first delivered row pending again while the LMS holds a newer result.
      const newest = sent.at(-1)!;
      const older = await env.app.db.insertInto('gradeOutbox').values({
        tenantId: newest.tenantId, membershipId: newest.membershipId, resourceLinkId: newest.resourceLinkId,
        scoreTimestamp: new Date(newest.scoreTimestamp.getTime() - 5000),
        payload: JSON.stringify({ ...newest.payload, scoreGiven: 5, timestamp: new Date(newest.scoreTimestamp.getTime() - 5000).toISOString() }),
      }).returningAll().executeTakeFirstOrThrow();
      expect(await deliverGrade(deliveryDeps(), { tenantId: older.tenantId, outboxId: older.id }, { last: false })).to.equal('delivered');
      expect(env.canvas.services.serviceCalls.filter((c) => c.url.endsWith('/scores')).at(-1)!.status).to.equal(400);
      expect((await env.app.db.selectFrom('gradeOutbox').select('lastError').where('id', '=', older.id).executeTakeFirstOrThrow()).lastError).to.equal(SUPERSEDED_NOTE);
      expect(env.canvas.scores.map((s) => s.body.scoreGiven)).to.not.include(5);
    });

    it('Canvas surprise 18 (each score POST is a new submission attempt unless new_submission:false): scores use no attempt, so an assignment allowed one attempt takes every score', async () => {
      env.canvas.services.attemptLimit = 1;
      env.canvas.services.submissionAttempts.length = 0;
      try {
        await launch(alice, { sim: env.canvas, on: lms });
        const who = await person(alice.sub);
        await complete(who, [1]);
        await waitSettled(1);
        await complete(who, [1, 2]);
        await waitSettled(2);
        const rows = await outbox();
        expect(rows.map((r) => r.status), JSON.stringify(rows.map((r) => r.lastError))).to.deep.equal(['delivered', 'delivered']);
        expect(env.canvas.scores.map((s) => s.body.scoreGiven)).to.deep.equal([11, 22]);
        expect(env.canvas.scores.every((s) => (s.body[CANVAS_SUBMISSION] as { new_submission?: unknown } | undefined)?.new_submission === false)).to.equal(true);
        expect(env.canvas.services.submissionAttempts).to.deep.equal([]);
      } finally {
        env.canvas.services.attemptLimit = undefined;
      }
    });

    it('Canvas surprise 19 (rate limiting is 403 “403 Forbidden (Rate Limit Exceeded)”): retried later with the identical payload, not failed', async () => {
      await launch(alice, { sim: env.canvas, on: lms });
      env.canvas.failNextServiceCalls(2, 403);
      await complete(await person(alice.sub), [1]);
      const [row] = await waitSettled(1);
      expect(row).to.include({ status: 'delivered' });
      expect(row!.attempts).to.be.greaterThan(1);
      expect(env.canvas.scores.map((s) => s.body)).to.deep.equal([asSentScore(row!.payload)]);
    });

    it('Canvas surprise 21 (another tool’s line item gives 412): the score fails at once, with Canvas’s message on the grades page', async () => {
      const foreign = `${env.canvas.baseUrl}/ags/course-1/lineitems/9999/lineitem`;
      env.canvas.lineItems.push({ id: foreign, contextId: 'course-1', origin: 'platform', toolClientId: 'another-tool', body: { id: foreign, label: 'Quiz', scoreMaximum: 10, resourceLinkId: 'rl-1' } });
      await launch(alice, { sim: env.canvas, on: lms, claims: (c) => ({ ...c, [AGS_CLAIM]: { ...(c[AGS_CLAIM] as object), lineitem: foreign } }) });
      const teacher = await launch(tom, { sim: env.canvas, on: lms, claims: (c) => ({ ...c, [AGS_CLAIM]: { ...(c[AGS_CLAIM] as object), lineitem: foreign } }) });
      await complete(await person(alice.sub), [1]);
      const [row] = await waitSettled(1);
      expect(row).to.include({ status: 'failed', attempts: 1 });
      const { page } = await gradesPage(teacher.browser, teacher.cohortId);
      expect(page.querySelector(`[data-grade-id="${row!.id}"] [data-test=grade-error]`)!.text).to.contain('412').and.to.contain('Tool does not have permission to view line_item');
    });
  });
});
