// Every page of modules and cohorts through the catalogs: launched in the pseudo-locale en-XA (every
// catalog string accented and bracketed), a page shows no plain English of its own; people's words,
// LMS titles and the workshop's text (in the cohort's language) are marked and skipped. A French and
// a Spanish launch get their language.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { pseudoLocalePages } from '../support/i18n-pages.ts';
import { untranslatedText } from '../support/untranslated.ts';
import { GRADE_DELIVERY_QUEUE } from '../../server/grades/grades.service.ts';

const ada = { sub: 'ada', name: 'Ada Learner', roles: [ROLES.learner] };
const bob = { sub: 'bob', name: 'Bob Learner', roles: [ROLES.learner] };
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const course = { id: 'course-i18n', title: 'Course 1' };

describe('modules and cohorts in every language (en-XA finds hard-coded English)', () => {
  // A job queue, for the grades page (mounted with the queue that delivers scores).
  const s = cohortSuite({ context: course, queues: 1 });
  const { env } = s;
  before(() => s.queues[0]!.boss.createQueue(GRADE_DELIVERY_QUEUE));

  async function launch(user: SimUser, locale: string, opts: { messageType?: 'LtiDeepLinkingRequest'; browser?: LtiHttpClient; context?: { id: string; title: string } } = {}): Promise<Member & { body: string }> {
    const { browser = new LtiHttpClient(), context = course, ...rest } = opts;
    const res = await env.sim.launch(env.app.url, browser, { user, clientId: env.lms.clientId, context, locale, ...rest });
    expect(res.status, res.body.slice(0, 300)).to.equal(200);
    const cohortId = new URL(res.finalUrl).pathname.split('/')[2]!;
    return { browser, cohortId, base: `${env.app.url}/cohorts/${cohortId}`, body: res.body };
  }
  /**
   * The console shows the progress heatmap partial of the analytics pages, converted (and checked)
   * with them: left out here, between the console's progress heading and its schedule.
   */
  const withoutHeatmap = (body: string) => body.replace(/(<h2>[^<]*<\/h2>\s*)(<div class="scroll-x"[^]*?<\/table>\s*<\/div>[^]*?|<p class="empty">[^<]*<\/p>\s*)(<h2 id="schedule">)/, '$1$3');
  const { clean, expectClean } = pseudoLocalePages(s, { without: withoutHeatmap });
  /** Opens every module now (the facilitator's schedule), so each activity kind's form shows. */
  async function openAllModules(f: Member) {
    const today = new Date().toISOString().slice(0, 10);
    const form = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`module_${i + 1}`, today]));
    const res = await s.post(f, `${f.base}/console/schedule`, form);
    expect(res.status, res.body.slice(0, 300)).to.equal(303);
  }

  it("the learner's hub, every module (every activity kind, open and locked), a form error, a draft and a completed module", async () => {
    const learner = await launch(ada, 'en-XA');
    const hub = await clean(learner, '');
    expect(hub.doc.querySelector('[data-test=learner-name]')?.text).to.equal('Ada Learner');
    await clean(learner, '/modules/1');
    const locked = await clean(learner, '/modules/2');
    expect(locked.doc.querySelector('[data-test=module-locked]')).to.not.equal(null);

    // A form error beside its field and in the summary.
    const invalid = await s.post(learner, `${learner.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: '' });
    expect(invalid.status).to.equal(400);
    expectClean(invalid.body, 'module 1 with a form error');
    // Module complete, with every status an activity can have.
    const draft = await s.post(learner, `${learner.base}/modules/1/activities/set-your-intention`, { intent: 'draft', text: 'half a thought' });
    expect(draft.status).to.equal(303);
    await clean(learner, `/modules/1?saved=set-your-intention`);

    const facilitator = await launch(fran, 'en-XA');
    await openAllModules(facilitator);
    for (let n = 1; n <= 9; n++) await clean(learner, `/modules/${n}`);
    await clean(facilitator, '/modules/3');
    await clean(facilitator, '');
    await clean(learner, '');
  });

  it('a completed module, a submitted answer and a five-factor error', async () => {
    const learner = await launch(ada, 'en-XA');
    const bad = await s.post(learner, `${learner.base}/modules/1/activities/starting-five-factor-check`, { intent: 'submit', rating_intention: '3' });
    expect(bad.status).to.equal(400);
    expectClean(bad.body, 'a five-factor error');
    const modulePage = (await s.get(learner, `${learner.base}/modules/1`)).doc;
    for (const section of modulePage.querySelectorAll('[data-test=activity]')) {
      const id = section.getAttribute('data-activity')!;
      const kind = section.getAttribute('data-kind');
      if (kind === 'reflection') expect((await s.post(learner, `${learner.base}/modules/1/activities/${id}`, { intent: 'submit', text: 'A thought worth keeping.' })).status).to.equal(303);
      if (kind === 'five-factor-check') {
        const ratings = Object.fromEntries(section.querySelectorAll('input[type=radio][value="4"]').map((r) => [r.getAttribute('name')!, '4']));
        expect((await s.post(learner, `${learner.base}/modules/1/activities/${id}`, { intent: 'submit', ...ratings })).status).to.equal(303);
      }
    }
    const done = await clean(learner, '/modules/1?completed=1&submitted=set-your-intention');
    expect(done.doc.querySelector('[data-test=module-completed]')).to.not.equal(null);
    await clean(learner, '');
    // Its score, waiting to be sent, on the grades page.
    const facilitator = await launch(fran, 'en-XA');
    const grades = await clean(facilitator, '/console/grades');
    expect(grades.doc.querySelectorAll('[data-test=grade]').length).to.be.greaterThan(0);
  });

  it("the facilitator's console (empty, then with something that needs attention), members, roster, schedule, shared responses and grades", async () => {
    const facilitator = await launch(fran, 'en-XA');
    const empty = await clean(facilitator, '/console');
    expect(empty.doc.querySelector('[data-test=nothing-needs-you]')).to.not.equal(null);
    await clean(facilitator, '/console/grades');
    const learner = await launch(ada, 'en-XA');
    await launch(bob, 'en-XA');
    const curation = await s.post(learner, `${learner.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'Shared with my group.', shared: 'on' });
    expect(curation.status).to.equal(303);
    // A learner on the roster who never launched needs attention.
    await env.app.db.updateTable('memberships').set({ firstLaunchAt: null, lastLaunchAt: null }).where('cohortId', '=', facilitator.cohortId).where('role', '=', 'learner').execute();
    const full = await clean(facilitator, '/console');
    expect(full.doc.querySelectorAll('[data-test=attention-item]').length).to.be.greaterThan(0);
    expect(full.doc.querySelectorAll('[data-test=member]').length).to.equal(3);
    const roster = await s.get(facilitator, `${facilitator.base}/console/roster`);
    expectClean(roster.body, 'the roster fragment');
    await clean(facilitator, '/console?scheduled=1');
    const membershipId = (await env.app.db.selectFrom('memberships').innerJoin('persons', 'persons.id', 'memberships.personId').select('memberships.id').where('persons.sub', '=', 'ada').where('memberships.cohortId', '=', facilitator.cohortId).executeTakeFirstOrThrow()).id;
    const shared = await clean(facilitator, `/console/learners/${membershipId}`);
    expect(shared.doc.querySelectorAll('[data-test=shared-response]').length).to.equal(1);
    const bobId = (await env.app.db.selectFrom('memberships').innerJoin('persons', 'persons.id', 'memberships.personId').select('memberships.id').where('persons.sub', '=', 'bob').where('memberships.cohortId', '=', facilitator.cohortId).executeTakeFirstOrThrow()).id;
    await clean(facilitator, `/console/learners/${bobId}`);
    // A schedule with a date that is not one.
    const badSchedule = await s.post(facilitator, `${facilitator.base}/console/schedule`, { module_1: 'soon' });
    expect(badSchedule.status).to.equal(400);
    expectClean(badSchedule.body, 'a refused schedule');
  });

  it("the deep-linking picker, its refusal, and the course's return page", async () => {
    const teacher = await launch(fran, 'en-XA', { messageType: 'LtiDeepLinkingRequest' });
    expect(teacher.body).to.include('data-test="deep-linking-select"');
    expectClean(teacher.body, 'the deep-linking picker');
    const refused = await s.post(teacher, `${teacher.base}/deep-linking`, { items: 'nothing-real' });
    expect(refused.status).to.equal(400);
    expectClean(refused.body, 'a refused selection');
    const returned = await s.post(teacher, `${teacher.base}/deep-linking`, { items: 'hub' });
    expect(returned.status).to.equal(200);
    expectClean(returned.body, 'the return page');
  });

  it('French and Spanish launches get their language', async () => {
    const fr = await launch(ada, 'fr-FR');
    const frHub = await s.get(fr, fr.base);
    expect(frHub.body).to.match(/<html lang="fr"/);
    expect(frHub.doc.querySelector('[data-test=my-progress]')?.text).to.equal('0 module terminé sur 9.');
    expect(frHub.body).to.include('Les modules');
    // A refusal is in that course's launch's language too, though the browser's latest launch (another course) was in Spanish.
    await launch(ada, 'es-ES', { browser: fr.browser, context: { id: 'course-es', title: 'Curso' } });
    const refused = await s.get(fr, `${fr.base}/console`);
    expect(refused.status).to.equal(403);
    expect(refused.body).to.match(/<html lang="fr"/);
    const es = await launch(fran, 'es-ES');
    const esConsole = await s.get(es, `${es.base}/console`);
    expect(esConsole.body).to.match(/<html lang="es"/);
    expect(esConsole.doc.querySelector('[data-test=nothing-needs-you]')?.text).to.include('Hoy no hay nada pendiente.');
    expect(esConsole.body).to.include('Calendario de módulos');
    // Right to left: the pseudo-locale ar-XB.
    const rtl = await launch(bob, 'ar-XB');
    expect((await s.get(rtl, `${rtl.base}/modules/1`)).body).to.match(/<html lang="ar-XB" dir="rtl"/);
  });
});

describe('the launch steps in the launch’s language, or the browser’s before there is one', () => {
  const s = cohortSuite({ context: course, kind: 'canvas' });
  const { env } = s;
  const TARGET = 'post_message_forwarding';
  const inFrame = () => ({ initiator: env.sim.baseUrl, frameTop: env.sim.baseUrl });

  it('the login step (Accept-Language) and the “open in a new window” page (the launch’s locale)', async () => {
    const params = new URLSearchParams({ iss: env.sim.issuer, login_hint: 'ada', target_link_uri: `${env.app.url}/lti/launch`, client_id: env.lms.clientId, lti_message_hint: 'x', lti_storage_target: TARGET });
    const login = await new LtiHttpClient().request(`${env.app.url}/lti/login?${params}`, { ...inFrame(), headers: { 'accept-language': 'en-XA' } });
    expect(login.status).to.equal(200);
    expect(login.body).to.match(/<html lang="en-XA"/);
    expect(untranslatedText(login.body), 'the login step').to.deep.equal([]);

    // The launch arrives where no cookie is kept: the platform's storage stands in, and the page offers a new window.
    const started = await env.sim.beginLaunch(env.app.url, new LtiHttpClient(), { user: ada, clientId: env.lms.clientId, context: course, locale: 'en-XA' });
    const frame = new LtiHttpClient();
    const storage = await frame.request(started.redirectUri, { ...inFrame(), headers: { 'accept-language': 'en-XA' }, form: { id_token: started.idToken, state: started.state, lti_storage_target: TARGET } });
    expect(storage.status).to.equal(200);
    expect(untranslatedText(storage.body), 'the platform storage step').to.deep.equal([]);
    const enter = await frame.request(started.redirectUri, { form: { id_token: started.idToken, state: started.state, lti_storage_target: TARGET, lti_storage_state: started.state, lti_storage_nonce: started.nonce } });
    expect(enter.status, enter.body.slice(0, 300)).to.equal(200);
    expect(parse(enter.body).querySelector('[data-test=launch-enter]')).to.not.equal(null);
    expect(enter.body).to.match(/<html lang="en-XA"/);
    expect(untranslatedText(enter.body), 'the new-window page').to.deep.equal([]);
  });

  it('a refused launch in the browser’s language', async () => {
    const refused = await new LtiHttpClient().request(`${env.app.url}/lti/launch`, { method: 'POST', headers: { 'accept-language': 'fr-FR,fr;q=0.9' }, form: { id_token: 'not-a-token', state: 'nothing' } });
    expect(refused.status).to.be.within(400, 499);
    expect(refused.body).to.match(/<html lang="fr"/);
    expect(parse(refused.body).querySelector('[data-test=error-message]')?.text).to.equal('Le jeton d’identité de votre plateforme d’apprentissage est illisible.');
  });
});
