// The learner's journey over real HTTP: launch, open a module, save, submit, complete; the
// facilitator's schedule, heatmap and shared responses; who may do what.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { parse, type HTMLElement } from 'node-html-parser';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { GRADE_DELIVERY_QUEUE } from '../../server/grades/grades.service.ts';
import { countCohortCompletions, readHubPage, listLearnerProgress } from '../../models/modules.queries.ts';

const ada = { sub: 'ada', name: 'Ada Learner', roles: [ROLES.learner] };
const bob = { sub: 'bob', name: 'Bob Learner', roles: [ROLES.learner] };
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('modules and activities', () => {
  const { env } = cohortSuite({ context: { id: 'course-1', title: 'Course 1' } });

  async function launch(user: SimUser, context = { id: 'course-1', title: 'Course 1' }) {
    const browser = new LtiHttpClient();
    const res = await env.sim.launch(env.app.url, browser, { user, clientId: env.lms.clientId, context });
    expect(res.status, res.body.slice(0, 200)).to.equal(200);
    const cohortId = new URL(res.finalUrl).pathname.split('/')[2]!;
    return { browser, cohortId, base: `${env.app.url}/cohorts/${cohortId}` };
  }
  const page = async (browser: LtiHttpClient, url: string) => {
    const res = await browser.request(url);
    return { status: res.status, html: parse(res.body), body: res.body };
  };
  const csrf = (html: HTMLElement) => html.querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';
  async function post(browser: LtiHttpClient, formPageUrl: string, action: string, form: Record<string, string>) {
    const { html } = await page(browser, formPageUrl);
    const res = await browser.request(action, { method: 'POST', form: { ...form, _csrf: csrf(html) } });
    return { status: res.status, location: res.headers.get('location'), html: parse(res.body) };
  }
  const activity = (html: HTMLElement, id: string) => html.querySelector(`[data-activity="${id}"]`)!;
  const fiveFactors = (n: number) => ({
    'rating_intention': String(n),
    'rating_propensity-and-skill': String(n),
    'rating_relationship-strength': String(n),
    'rating_activity-match': String(n),
    'rating_tool-access': String(n),
  });

  it('opens module 1 with its framing and activities; module 2 is locked until its date', async () => {
    const { browser, base } = await launch(ada);
    const m1 = await page(browser, `${base}/modules/1`);
    expect(m1.status).to.equal(200);
    expect(m1.html.querySelector('[data-test=module-page]')?.getAttribute('data-state')).to.equal('not-started');
    expect(m1.html.querySelector('.framing')?.text.length).to.be.greaterThan(500);
    expect(m1.html.querySelectorAll('[data-test=activity]').map((a) => a.getAttribute('data-kind'))).to.include.members(['reflection', 'five-factor-check', 'discussion']);
    expect(m1.html.querySelector('[data-test=discussion-link] a')?.getAttribute('href')).to.match(/\/modules\/1\/space$/);
    const m2 = await page(browser, `${base}/modules/2`);
    expect(m2.html.querySelector('[data-test=module-page]')?.getAttribute('data-state')).to.equal('locked');
    expect(m2.html.querySelector('[data-test=module-locked]')).to.not.equal(null);
    expect(m2.html.querySelector('.framing')).to.equal(null);
    const hub = await page(browser, base);
    const states = hub.html.querySelectorAll('[data-test=module]').map((m) => m.getAttribute('data-state'));
    expect(states[0]).to.equal('not-started');
    expect(states.slice(1).every((s) => s === 'locked')).to.equal(true);
    expect(hub.html.querySelector('[data-module="1"] [data-test=due]')).to.not.equal(null);
  });

  it("counts the hub's cohort summary as the whole cohort's progress does, after completions, resets and member changes", async () => {
    const { cohortId } = await launch(ada);
    await launch(bob);
    await launch(fran);
    const db = env.app.db;
    const ms = await db.selectFrom('memberships').select(['id', 'tenantId', 'role']).where('cohortId', '=', cohortId).execute();
    const tenantId = ms[0]!.tenantId;
    const raw = async () => {
      const rows = await listLearnerProgress(db, tenantId, cohortId);
      const perModule = new Map<number, number>();
      for (const r of rows) for (const id of r.completed) perModule.set(id, (perModule.get(id) ?? 0) + 1);
      return { learners: rows.length, perModule };
    };
    const check = async () => {
      const expected = await raw();
      expect(await countCohortCompletions(db, tenantId, cohortId)).to.deep.equal(expected);
      expect((await readHubPage(db, tenantId, cohortId, ms[0]!.id, { membershipId: ms[0]!.id })).cohort, 'as the hub reads them, with a membership’s progress').to.deep.equal(expected);
      for (const m of ms) {
        const own = await db.selectFrom('moduleCompletions').select('moduleId').where('membershipId', '=', m.id).orderBy('moduleId').execute();
        expect((await readHubPage(db, tenantId, cohortId, m.id, { membershipId: m.id })).completed, 'each membership’s own completions').to.deep.equal(own.map((c) => c.moduleId));
      }
      expect(await readHubPage(db, randomUUID(), cohortId, ms[0]!.id, { allGroups: true }), 'another tenant’s id').to.deep.equal({ completed: [], started: [], cohort: { learners: 0, perModule: new Map() }, nudges: [], announcements: [] });
    };
    const complete = (membershipId: string, moduleId: number) => db.insertInto('moduleCompletions').values({ tenantId, cohortId, membershipId, moduleId }).execute();
    await check();
    for (const m of ms) await complete(m.id, 1); // the facilitator's completion does not count
    await complete(ms.find((m) => m.role === 'learner')!.id, 2);
    await check();
    await db.deleteFrom('moduleCompletions').where('cohortId', '=', cohortId).where('moduleId', '=', 2).execute(); // a reset
    await check();
    await db.updateTable('memberships').set({ status: 'inactive' }).where('id', '=', ms.find((m) => m.role === 'learner')!.id).execute(); // a member leaves
    await check();
  });

  it('saves a draft, keeps it through a failed submit, and submits a reflection privately by default', async () => {
    const { browser, base } = await launch(ada);
    const action = `${base}/modules/1/activities/set-your-intention`;
    const draft = await post(browser, `${base}/modules/1`, action, { intent: 'draft', text: 'I want to get better at asking for help.' });
    expect(draft.status).to.equal(303);
    let m1 = await page(browser, `${base}/modules/1`);
    expect(activity(m1.html, 'set-your-intention').getAttribute('data-status')).to.equal('draft');
    expect(activity(m1.html, 'set-your-intention').querySelector('textarea')?.text).to.equal('I want to get better at asking for help.');

    const empty = await post(browser, `${base}/modules/1`, action, { intent: 'submit', text: '   ' });
    expect(empty.status).to.equal(400);
    expect(activity(empty.html, 'set-your-intention').querySelector('[data-test=activity-error]')?.text).to.contain('kept as a draft');

    const ok = await post(browser, `${base}/modules/1`, action, { intent: 'submit', text: 'Learn to ask for help early, on real tickets.' });
    expect(ok.status).to.equal(303);
    const row = await env.app.db.selectFrom('activityResponses').selectAll().executeTakeFirstOrThrow();
    expect(row).to.include({ status: 'submitted', shared: false, kind: 'reflection' });
    expect(row.content).to.deep.include({ text: 'Learn to ask for help early, on real tickets.' });
    m1 = await page(browser, `${base}/modules/1`);
    expect(activity(m1.html, 'set-your-intention').getAttribute('data-status')).to.equal('submitted');
  });

  it('refuses an incomplete five-factor check with a message, keeping the ratings given', async () => {
    const { browser, base } = await launch(ada);
    const res = await post(browser, `${base}/modules/1`, `${base}/modules/1/activities/starting-five-factor-check`, { intent: 'submit', rating_intention: '4', comment: 'half done' });
    expect(res.status).to.equal(400);
    const form = activity(res.html, 'starting-five-factor-check');
    expect(form.querySelector('input[name=rating_intention][value="4"]')?.hasAttribute('checked')).to.equal(true);
    expect(form.querySelector('textarea[name=comment]')?.text).to.equal('half done');
    expect(form.querySelectorAll('.field-error').length).to.equal(4);
  });

  it('completes module 1 when its required activities are submitted, and the hub shows it done', async () => {
    const { browser, base, cohortId } = await launch(ada);
    await post(browser, `${base}/modules/1`, `${base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'Run better retrospectives with my team.' });
    const done = await post(browser, `${base}/modules/1`, `${base}/modules/1/activities/starting-five-factor-check`, { intent: 'submit', ...fiveFactors(3), comment: '' });
    expect(done.location).to.contain('completed=1');
    // No groups yet: the required discussion cannot be done, so it does not hold the module up.
    const m1 = await page(browser, `${base}/modules/1`);
    expect(activity(m1.html, 'introduce-yourself').getAttribute('data-status')).to.equal('waiting');
    const completions = await env.app.db.selectFrom('moduleCompletions').selectAll().execute();
    expect(completions.map((c) => [c.moduleId, c.cohortId])).to.deep.equal([[1, cohortId]]);
    const hub = await page(browser, base);
    expect(hub.html.querySelector('[data-module="1"]')?.getAttribute('data-state')).to.equal('complete');
    expect(hub.html.querySelector('[data-test=my-progress]')?.text).to.contain('1 of 9');
    expect(hub.html.querySelector('[data-module="1"] [data-test=cohort-share]')?.text).to.contain('100%');
  });

  it('validates a curation share: a real link and a why of some substance', async () => {
    const { browser, base } = await launch(ada);
    const { cohortId } = await launch(fran);
    await env.app.db.insertInto('moduleSchedules').values({ tenantId: (await env.app.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id, cohortId, moduleId: 3, opensAt: new Date(Date.now() - 1000) }).execute();
    const action = `${base}/modules/3/activities/share-with-the-why`;
    const badUrl = await post(browser, `${base}/modules/3`, action, { intent: 'submit', url: 'javascript:alert(1)', why: 'This changed how I run stand-ups completely.' });
    expect(badUrl.status).to.equal(400);
    expect(badUrl.html.querySelector('#share-with-the-why-url-error')?.text).to.contain('web address');
    const shortWhy = await post(browser, `${base}/modules/3`, action, { intent: 'submit', url: 'https://example.org/a', why: 'good' });
    expect(shortWhy.html.querySelector('#share-with-the-why-why-error')?.text).to.contain('20 characters');
    const ok = await post(browser, `${base}/modules/3`, action, { intent: 'submit', url: 'https://example.org/a', why: 'Explains why small groups beat big forums for trust.', tags: 'Trust, groups, trust' });
    expect(ok.status).to.equal(303);
    const row = await env.app.db.selectFrom('activityResponses').selectAll().where('activityId', '=', 'share-with-the-why').executeTakeFirstOrThrow();
    expect(row.content).to.deep.include({ url: 'https://example.org/a', tags: ['trust', 'groups'] });
  });

  it('answers bad input with 4xx and changes nothing: unknown module, unknown activity, oversized text, a discussion activity', async () => {
    const { browser, base } = await launch(ada);
    expect((await page(browser, `${base}/modules/99`)).status).to.equal(400);
    expect((await post(browser, `${base}/modules/1`, `${base}/modules/1/activities/no-such-activity`, { text: 'x' })).status).to.equal(404);
    expect((await post(browser, `${base}/modules/1`, `${base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'x'.repeat(6000) })).status).to.equal(400);
    expect((await post(browser, `${base}/modules/1`, `${base}/modules/1/activities/introduce-yourself`, { text: 'x' })).status).to.equal(400);
    expect((await env.app.db.selectFrom('activityResponses').select('status').execute()).map((r) => r.status)).to.deep.equal(['draft']);
  });

  it('refuses to record work in a module that has not opened yet', async () => {
    const { browser, base } = await launch(ada);
    const res = await post(browser, `${base}/modules/1`, `${base}/modules/2/activities/show-your-work-today`, { intent: 'draft', evidence: 'x' });
    expect(res.status).to.equal(403);
  });

  it('lets a facilitator set the schedule, which opens modules for learners; learners cannot set it', async () => {
    const learner = await launch(ada);
    const facilitator = await launch(fran);
    const dates = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`module_${i + 1}`, i < 2 ? '2026-01-0' + (i + 1) : '2099-01-01']));
    const refused = await post(learner.browser, `${learner.base}/modules/1`, `${learner.base}/console/schedule`, dates);
    expect(refused.status).to.equal(403);
    const saved = await post(facilitator.browser, `${facilitator.base}/console`, `${facilitator.base}/console/schedule`, dates);
    expect(saved.status).to.equal(303);
    const m2 = await page(learner.browser, `${learner.base}/modules/2`);
    expect(m2.html.querySelector('[data-test=module-page]')?.getAttribute('data-state')).to.equal('not-started');
    // The console's schedule, kept with the dates it was made from, shows the dates just saved.
    const schedule = (await page(facilitator.browser, `${facilitator.base}/console`)).html.querySelector('[data-test=schedule-form]')!;
    expect(schedule.querySelector('#module_2')?.getAttribute('value')).to.equal('2026-01-02');
    expect(schedule.querySelector('label[for=module_2] .badge-open'), 'module 2 open').to.not.equal(null);
    expect(schedule.querySelector('#module_3')?.getAttribute('value')).to.equal('2099-01-01');
    expect(schedule.querySelector('label[for=module_3] .badge-locked')?.textContent).to.include('2099');
    // Another date for a module still locked: the same modules open, yet the dates are new.
    expect((await post(facilitator.browser, `${facilitator.base}/console`, `${facilitator.base}/console/schedule`, { ...dates, module_3: '2098-06-01' })).status).to.equal(303);
    const again = (await page(facilitator.browser, `${facilitator.base}/console`)).html.querySelector('[data-test=schedule-form]')!;
    expect(again.querySelector('#module_3')?.getAttribute('value')).to.equal('2098-06-01');
    expect(again.querySelector('label[for=module_3] .badge-locked')?.textContent).to.include('2098');
    const bad = await post(facilitator.browser, `${facilitator.base}/console`, `${facilitator.base}/console/schedule`, { ...dates, module_3: 'soon' });
    expect(bad.status).to.equal(400);
  });

  it('names the five-factor scale’s ends at its buttons (1: not true for me yet, 5: very true for me)', async () => {
    const learner = await launch(ada);
    const { html } = await page(learner.browser, `${learner.base}/modules/1`);
    const factors = html.querySelectorAll('[data-test=factor]');
    expect(factors).to.have.length(5);
    for (const f of factors) {
      const labels = f.querySelectorAll('label').map((l) => l.text.replace(/\s+/g, ' ').trim());
      expect(labels).to.deep.equal(['1 not true for me yet', '2', '3', '4', '5 very true for me']);
    }
  });

  it('shows the facilitator a heatmap and each learner’s shared responses, never their private ones', async () => {
    const learner = await launch(ada);
    await post(learner.browser, `${learner.base}/modules/1`, `${learner.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'PRIVATE intention text' });
    const facilitator = await launch(fran);
    const console = await page(facilitator.browser, `${facilitator.base}/console`);
    const row = console.html.querySelector('[data-test=heatmap-row]')!;
    expect(row.text).to.contain('Ada Learner');
    expect(row.querySelectorAll('td[data-state]')[0]?.getAttribute('data-state')).to.equal('in-progress');
    // The cells' marks are named in the words of the hub and the module page.
    expect(console.html.querySelectorAll('[data-test=heatmap-legend] [data-test=module-state]').map((l) => l.text)).to.deep.equal(['Complete', 'In progress', 'Not started', 'Opens later']);
    const link = row.querySelector('a')!.getAttribute('href')!;
    const shared = await page(facilitator.browser, `${env.app.url}${link}`);
    expect(shared.status).to.equal(200);
    expect(shared.body).not.to.contain('PRIVATE intention text');
    await post(learner.browser, `${learner.base}/modules/1`, `${learner.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'Now SHARED with my group', shared: 'on' });
    expect((await page(facilitator.browser, `${env.app.url}${link}`)).body).to.contain('Now SHARED with my group');
  });

  it('keeps learners, facilitators and cohorts apart', async () => {
    const a = await launch(ada);
    const b = await launch(bob);
    const fOther = await launch(fran, { id: 'course-2', title: 'Another course' });
    // a learner cannot see the console, another learner's responses, or record as someone else
    expect((await page(a.browser, `${a.base}/console`)).status).to.equal(403);
    const bMembership = (await env.app.db.selectFrom('memberships').innerJoin('persons', 'persons.id', 'memberships.personId').select('memberships.id').where('persons.sub', '=', 'bob').executeTakeFirstOrThrow()).id;
    expect((await page(a.browser, `${a.base}/console/learners/${bMembership}`)).status).to.equal(403);
    // a facilitator of another cohort cannot open this cohort at all
    expect((await page(fOther.browser, `${a.base}/console`)).status).to.equal(401);
    expect((await page(fOther.browser, `${a.base}/modules/1`)).status).to.equal(401);
    // nor see a learner of this cohort through their own cohort's URL
    expect((await page(fOther.browser, `${fOther.base}/console/learners/${bMembership}`)).status).to.equal(404);
    expect(b.cohortId).to.equal(a.cohortId);
  });

  it('lets a facilitator read a module but not record activities', async () => {
    const f = await launch(fran);
    expect((await page(f.browser, `${f.base}/modules/5`)).html.querySelector('.framing')).to.not.equal(null);
    const res = await post(f.browser, `${f.base}/modules/1`, `${f.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'x' });
    expect(res.status).to.equal(403);
  });

  it('opens the module a link names (custom parameter module=N) right after the launch', async () => {
    const res = await env.sim.launch(env.app.url, new LtiHttpClient(), { user: ada, clientId: env.lms.clientId, custom: { module: '1' }, resourceLink: { id: 'rl-module-1', title: 'Module 1' } });
    expect(new URL(res.finalUrl).pathname).to.match(/\/modules\/1$/);
    const link = await env.app.db.selectFrom('resourceLinks').selectAll().where('resourceLinkId', '=', 'rl-module-1').executeTakeFirstOrThrow();
    expect(link.moduleId).to.equal(1);
    expect(link.lineitemsUrl).to.be.a('string');
  });
});

describe('module completion with a required discussion activity', () => {
  const m = cohortSuite({ context: { id: 'course-d', title: 'Course D' }, queues: 1 });
  const { env } = m;
  // The queue the completion's scores go to (the grade-delivery worker is not needed here).
  before(() => m.queues[0]!.boss.createQueue(GRADE_DELIVERY_QUEUE));
  const learner = (n: number) => ({ sub: `dl${n}`, name: `Learner ${n}`, roles: [ROLES.learner] });
  const fay = { sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] };
  const fiveFactors = { 'rating_intention': '3', 'rating_propensity-and-skill': '3', 'rating_relationship-strength': '3', 'rating_activity-match': '3', 'rating_tool-access': '3', comment: '' };

  /** A facilitator and three learners, in one group once the facilitator forms it. */
  async function cohortWithGroup() {
    const facilitator = await m.launch(fay);
    const people = [await m.launch(learner(1)), await m.launch(learner(2)), await m.launch(learner(3))];
    await m.formGroups(facilitator);
    return { facilitator, people };
  }
  async function submitModule1Forms(who: Member) {
    expect((await m.post(who, `${who.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'Ask my team for help before I am stuck.' })).status).to.equal(303);
    return m.post(who, `${who.base}/modules/1/activities/starting-five-factor-check`, { intent: 'submit', ...fiveFactors });
  }
  async function startThread(who: Member, title: string) {
    const space = await m.follow(who, `${who.base}/modules/1/space`);
    const res = await m.post(who, `${space}/threads`, { title, body: 'Hello group: here is what I am working on.' });
    expect(res.status, res.body.slice(0, 300)).to.equal(303);
    return new URL(res.location!, env.app.url).href;
  }
  const completions = () => env.app.db.selectFrom('moduleCompletions').select('moduleId').execute();
  const outbox = () => env.app.db.selectFrom('gradeOutbox').selectAll().execute();
  /** Module 1 as the module page, the hub and the console show it for learner 1. */
  async function module1Everywhere(who: Member, facilitator: Member) {
    const modulePage = (await m.get(who, `${who.base}/modules/1`)).doc;
    const hub = (await m.get(who, who.base)).doc;
    const row = (await m.get(facilitator, `${facilitator.base}/console`)).doc.querySelectorAll('[data-test=heatmap-row]').find((r) => r.text.includes('Learner 1'))!;
    return {
      page: modulePage.querySelector('[data-test=module-page]')?.getAttribute('data-state'),
      discussion: modulePage.querySelector('[data-activity="introduce-yourself"]')?.getAttribute('data-status'),
      hub: hub.querySelector('[data-module="1"]')?.getAttribute('data-state'),
      hubProgress: hub.querySelector('[data-test=my-progress]')?.text,
      console: row.querySelectorAll('td[data-state]')[0]?.getAttribute('data-state'),
    };
  }

  it('does not complete a module with its forms alone once the learner has a group; their post completes it and queues its score in that transaction', async () => {
    const { facilitator, people } = await cohortWithGroup();
    const [ada] = people as [Member];
    const forms = await submitModule1Forms(ada);
    expect(forms.location).to.not.contain('completed=1');
    expect(await completions()).to.deep.equal([]);
    expect(await outbox()).to.deep.equal([]);
    expect(await module1Everywhere(ada, facilitator)).to.deep.equal({ page: 'in-progress', discussion: 'empty', hub: 'in-progress', hubProgress: '0 of 9 modules complete.', console: 'in-progress' });

    await startThread(ada, 'What I am working on');
    expect(await completions()).to.deep.equal([{ moduleId: 1 }]);
    expect(await outbox()).to.have.length(1);
    expect(await module1Everywhere(ada, facilitator)).to.deep.equal({ page: 'complete', discussion: 'submitted', hub: 'complete', hubProgress: '1 of 9 modules complete.', console: 'complete' });
  });

  it('counts a reply in the group space, posted before or after the forms, but not a deleted post', async () => {
    const { facilitator, people } = await cohortWithGroup();
    const [ada, bea] = people as [Member, Member];
    const thread = await startThread(ada, 'A thread to answer');
    // Ada's only post, deleted, no longer counts when she submits the forms.
    const adaPost = (await m.get(ada, thread)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    expect((await m.post(ada, `${ada.base}/posts/${adaPost}/delete`, { confirmed: 'yes' })).status).to.equal(303);
    expect((await submitModule1Forms(ada)).location).to.not.contain('completed=1');
    expect(await completions()).to.deep.equal([]);

    // Bea replies first, then submits the forms: the last form completes the module.
    const threadId = new URL(thread).pathname.split('/').pop()!;
    expect((await m.post(bea, `${bea.base}/threads/${threadId}/posts`, { body: 'Good question, here is mine.' })).status).to.equal(303);
    expect(await completions()).to.deep.equal([]);
    const beaRow = async () => (await m.get(facilitator, `${facilitator.base}/console`)).doc.querySelectorAll('[data-test=heatmap-row]').find((r) => r.text.includes('Learner 2'))!.querySelectorAll('td[data-state]')[0]?.getAttribute('data-state');
    expect(await beaRow()).to.equal('in-progress');
    expect((await submitModule1Forms(bea)).location).to.contain('completed=1');
    expect(await beaRow()).to.equal('complete');
    expect(await completions()).to.deep.equal([{ moduleId: 1 }]);
  });
});
