// Profiles and the expert finder over real HTTP: saving a profile, another member's profile, the
// full-text finder across the cohort and opted-in people of the tenant's other cohorts (never another
// tenant), kudos received, and who may open what.
import { expect } from 'chai';
import { parse, type HTMLElement } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';

const person = (sub: string, name: string): SimUser => ({ sub, name, roles: [ROLES.learner] });
const COURSE = { id: 'course-p', title: 'Profiles course' };
const OTHER_COURSE = { id: 'course-p-other', title: 'Another course of the same organisation' };

describe('profiles and the expert finder', () => {
  let app: TestApp;
  let sim: LtiPlatformSimulator;
  let otherSim: LtiPlatformSimulator;
  let lms: ConnectedPlatform;
  let otherLms: ConnectedPlatform;
  before(async () => {
    app = await startTestApp();
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    otherSim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Another organisation’s Moodle' });
  });
  after(async () => {
    await otherSim.close();
    await sim.close();
    await app.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    lms = await connectPlatform(app, sim);
    otherLms = await connectPlatform(app, otherSim);
  });

  type Browser = { browser: LtiHttpClient; base: string; cohortId: string; personId: string };
  async function launch(user: SimUser, context = COURSE, platform = lms): Promise<Browser> {
    const browser = new LtiHttpClient();
    const res = await platform.sim.launch(app.url, browser, { user, clientId: platform.clientId, context });
    const cohortId = new URL(res.finalUrl).pathname.split('/')[2]!;
    const row = await app.db.selectFrom('persons').select('id').where('tenantId', 'in', app.db.selectFrom('cohorts').select('tenantId').where('id', '=', cohortId)).where('sub', '=', user.sub).executeTakeFirstOrThrow();
    return { browser, base: `${app.url}/cohorts/${cohortId}`, cohortId, personId: row.id };
  }
  const get = async (b: Browser, url: string) => {
    const r = await b.browser.request(url);
    return { status: r.status, doc: parse(r.body), body: r.body, location: r.headers.get('location') };
  };
  const csrf = (doc: HTMLElement) => doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
  async function post(b: Browser, url: string, form: Record<string, string>) {
    const token = csrf((await get(b, `${b.base}/profile`)).doc);
    const r = await b.browser.request(url, { method: 'POST', form: { ...form, _csrf: token } });
    return { status: r.status, doc: parse(r.body), body: r.body, location: r.headers.get('location') };
  }
  async function saveProfile(b: Browser, profile: { skills?: string; interests?: string; canHelpWith?: string; searchAllCohorts?: boolean }) {
    const { searchAllCohorts, ...fields } = profile;
    const r = await post(b, `${b.base}/profile`, { skills: '', interests: '', canHelpWith: '', ...fields, ...(searchAllCohorts ? { searchAllCohorts: 'on' } : {}) });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
  }
  const experts = async (b: Browser, q: string) => get(b, `${b.base}/experts?q=${encodeURIComponent(q)}`);
  const found = (doc: HTMLElement) => doc.querySelectorAll('[data-test=expert]').map((e) => ({ name: e.querySelector('[data-test=expert-name]')!.text.trim(), scope: e.getAttribute('data-scope'), link: e.querySelector('a[data-test=expert-name]')?.getAttribute('href') ?? null }));

  it('saves a profile, shows it again, and shows it to another member of the cohort', async () => {
    const ada = await launch(person('ada', 'Ada Lovelace'));
    const bo = await launch(person('bo', 'Bo Brown'));
    const empty = await get(ada, `${ada.base}/profile`);
    expect(empty.status).to.equal(200);
    expect(empty.doc.querySelector('textarea[name=skills]')!.text).to.equal('');

    const saved = await post(ada, `${ada.base}/profile`, { skills: '  Data analysis, SQL  ', interests: 'Knowledge sharing\nCommunities of practice', canHelpWith: 'Getting started with dashboards', searchAllCohorts: 'on' });
    expect(saved.status).to.equal(303);
    expect(saved.location).to.equal(`/cohorts/${ada.cohortId}/profile?saved=profile`);
    const row = await app.db.selectFrom('profiles').selectAll().where('personId', '=', ada.personId).executeTakeFirstOrThrow();
    expect(row).to.include({ skills: 'Data analysis, SQL', interests: 'Knowledge sharing\nCommunities of practice', canHelpWith: 'Getting started with dashboards', searchAllCohorts: true });

    const page = await get(ada, `${ada.base}/profile?saved=profile`);
    expect(page.doc.querySelector('[data-test=profile-saved]')).not.to.equal(null);
    expect(page.doc.querySelector('textarea[name=skills]')!.text).to.equal('Data analysis, SQL');
    expect(page.doc.querySelector('textarea[name=canHelpWith]')!.text).to.equal('Getting started with dashboards');
    expect(page.doc.querySelector('input[name=searchAllCohorts]')!.hasAttribute('checked')).to.equal(true);

    const seen = await get(bo, `${bo.base}/people/${ada.personId}`);
    expect(seen.status).to.equal(200);
    expect(seen.doc.querySelector('[data-test=profile-name]')!.text).to.contain('Ada Lovelace');
    expect(seen.doc.querySelector('[data-test=profile-skills]')!.text).to.equal('Data analysis, SQL');
    expect(seen.doc.querySelector('[data-test=profile-interests]')!.text).to.contain('Communities of practice');
    expect(seen.doc.querySelector('[data-test=profile-can-help-with]')!.text).to.equal('Getting started with dashboards');
    expect(seen.doc.querySelector('[data-test=kudos-count]')!.text).to.contain('0 kudos');
    expect(seen.doc.querySelector('[data-test=cohort-title]')!.text).to.equal(COURSE.title);

    // Clearing the opt-in (an unticked box sends nothing) is saved too.
    await saveProfile(ada, { skills: 'Data analysis, SQL' });
    expect((await app.db.selectFrom('profiles').select('searchAllCohorts').where('personId', '=', ada.personId).executeTakeFirstOrThrow()).searchAllCohorts).to.equal(false);
  });

  it('refuses a field over 1,000 characters with 400 and keeps what was typed', async () => {
    const ada = await launch(person('ada', 'Ada Lovelace'));
    const tooLong = 'x'.repeat(1001);
    const r = await post(ada, `${ada.base}/profile`, { skills: tooLong, interests: 'Kept <b>as typed</b>', canHelpWith: 'Kept too', searchAllCohorts: 'on' });
    expect(r.status).to.equal(400);
    expect(r.doc.querySelector('[data-test=profile-error]')).not.to.equal(null);
    expect(r.doc.querySelector('#skills-error')!.text).to.contain('1,000');
    expect(r.doc.querySelector('textarea[name=skills]')!.getAttribute('aria-invalid')).to.equal('true');
    expect(r.doc.querySelector('textarea[name=skills]')!.text).to.equal(tooLong);
    expect(r.doc.querySelector('textarea[name=interests]')!.text).to.equal('Kept <b>as typed</b>');
    expect(r.body).not.to.contain('<b>as typed</b>');
    expect(r.doc.querySelector('textarea[name=canHelpWith]')!.text).to.equal('Kept too');
    expect(r.doc.querySelector('input[name=searchAllCohorts]')!.hasAttribute('checked')).to.equal(true);
    expect(await app.db.selectFrom('profiles').selectAll().execute()).to.have.length(0);
    // exactly 1,000 characters is fine
    await saveProfile(ada, { skills: 'y'.repeat(1000) });
  });

  it('finds people of the cohort by skill words, best match first, not the searcher', async () => {
    const ada = await launch(person('ada', 'Ada Lovelace'));
    const bo = await launch(person('bo', 'Bo Brown'));
    const cy = await launch(person('cy', 'Cy Young'));
    const dee = await launch(person('dee', 'Dee Searcher'));
    await saveProfile(bo, { skills: 'Negotiation', interests: 'Gardening' });
    await saveProfile(ada, { skills: 'Negotiation, contract negotiation', canHelpWith: 'Negotiation coaching for new managers' });
    await saveProfile(cy, { skills: 'Spreadsheets', interests: 'Data visualisation' });
    await saveProfile(dee, { skills: 'Negotiation' });

    const r = await experts(dee, 'negotiation');
    expect(r.status).to.equal(200);
    expect(found(r.doc)).to.deep.equal([
      { name: 'Ada Lovelace', scope: 'cohort', link: `/cohorts/${dee.cohortId}/people/${ada.personId}` },
      { name: 'Bo Brown', scope: 'cohort', link: `/cohorts/${dee.cohortId}/people/${bo.personId}` },
    ]);
    // web search syntax: words are ANDed, a minus leaves a word out; case does not matter
    expect(found((await experts(dee, 'Negotiation -coaching')).doc).map((e) => e.name)).to.deep.equal(['Bo Brown']);
    expect(found((await experts(dee, 'data visualisation')).doc).map((e) => e.name)).to.deep.equal(['Cy Young']);
    expect(found((await experts(dee, 'gardening negotiation')).doc).map((e) => e.name)).to.deep.equal(['Bo Brown']);
  });

  it('includes opted-in people of the tenant’s other cohorts, labelled, but no one who did not opt in and no one of another tenant', async () => {
    const dee = await launch(person('dee', 'Dee Searcher'));
    const inCohort = await launch(person('ina', 'Ina Cohort'));
    const optedIn = await launch(person('oli', 'Oli Optedin'), OTHER_COURSE);
    const notOptedIn = await launch(person('nat', 'Nat Private'), OTHER_COURSE);
    // Another tenant: another platform, the same context id, even the same sub.
    const foreign = await launch(person('fay', 'Fay Foreign'), COURSE, otherLms);
    const foreignSameSub = await launch(person('ina', 'Ina Elsewhere'), COURSE, otherLms);
    expect(foreign.cohortId).not.to.equal(dee.cohortId);
    await saveProfile(inCohort, { skills: 'Facilitation' });
    await saveProfile(optedIn, { skills: 'Facilitation, facilitation of workshops', searchAllCohorts: true });
    await saveProfile(notOptedIn, { skills: 'Facilitation' });
    await saveProfile(foreign, { skills: 'Facilitation facilitation facilitation', searchAllCohorts: true });
    await saveProfile(foreignSameSub, { skills: 'Facilitation', searchAllCohorts: true });

    const r = await experts(dee, 'facilitation');
    const results = found(r.doc);
    expect(results.map((e) => e.name).sort()).to.deep.equal(['Ina Cohort', 'Oli Optedin']);
    const oli = r.doc.querySelector(`[data-test=expert][data-person-id="${optedIn.personId}"]`)!;
    expect(oli.getAttribute('data-scope')).to.equal('other-cohort');
    expect(oli.querySelector('[data-test=other-cohort]')).not.to.equal(null);
    expect(oli.querySelector('a')?.getAttribute('href'), 'opted in: their profile opens too').to.equal(`/cohorts/${dee.cohortId}/people/${optedIn.personId}`);
    expect(oli.text).to.contain('facilitation of workshops');
    const ina = r.doc.querySelector(`[data-test=expert][data-person-id="${inCohort.personId}"]`)!;
    expect(ina.querySelector('[data-test=other-cohort]')).to.equal(null);
    expect(r.body).not.to.contain('Fay Foreign');
    expect(r.body).not.to.contain('Ina Elsewhere');
    expect(r.body).not.to.contain('Nat Private');

    // The other tenant's finder sees only its own people, whatever they opted into.
    const fromForeign = found((await experts(foreign, 'facilitation')).doc).map((e) => e.name);
    expect(fromForeign).to.deep.equal(['Ina Elsewhere']);
  });

  it('opens the profile of someone of another cohort who opted in; 404 for anyone else outside this cohort', async () => {
    const dee = await launch(person('dee', 'Dee Searcher'));
    const optedIn = await launch(person('oli', 'Oli Optedin'), OTHER_COURSE);
    const otherCohort = await launch(person('nat', 'Nat Private'), OTHER_COURSE);
    const foreign = await launch(person('fay', 'Fay Foreign'), COURSE, otherLms);
    await saveProfile(optedIn, { skills: 'Shared skill', searchAllCohorts: true });
    await saveProfile(otherCohort, { skills: 'Secret skill' });
    await saveProfile(foreign, { skills: 'Secret skill', searchAllCohorts: true });
    const oli = await get(dee, `${dee.base}/people/${optedIn.personId}`);
    expect(oli.status).to.equal(200);
    expect(oli.doc.querySelector('[data-test=profile-skills]')?.text).to.equal('Shared skill');
    expect(oli.doc.querySelector('[data-test=profile-other-cohort]')).not.to.equal(null);
    for (const personId of [otherCohort.personId, foreign.personId, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const r = await get(dee, `${dee.base}/people/${personId}`);
      expect(r.status, personId).to.equal(404);
      expect(r.body).not.to.contain('Secret skill');
      expect(r.body).not.to.contain('Nat Private');
      expect(r.body).not.to.contain('Fay Foreign');
    }
    // and the person's own page shows how others see them
    const own = await get(dee, `${dee.base}/people/${dee.personId}`);
    expect(own.status).to.equal(200);
    expect(own.doc.querySelector('[data-test=profile-empty]')).not.to.equal(null);
  });

  it('answers 401 to a learner of another tenant on this cohort’s profile pages', async () => {
    const dee = await launch(person('dee', 'Dee Searcher'));
    await saveProfile(dee, { skills: 'Facilitation' });
    const foreign = await launch(person('dee', 'Dee Elsewhere'), COURSE, otherLms);
    for (const url of [`${dee.base}/profile`, `${dee.base}/people/${dee.personId}`, `${dee.base}/experts?q=facilitation`]) {
      const r = await get(foreign, url);
      expect(r.status, url).to.equal(401);
      expect(r.body).not.to.contain('Facilitation');
    }
    const token = csrf((await get(foreign, `${foreign.base}/profile`)).doc);
    const write = await foreign.browser.request(`${dee.base}/profile`, { method: 'POST', form: { _csrf: token, skills: 'Hijacked' } });
    expect(write.status).to.equal(401);
    expect((await app.db.selectFrom('profiles').select('skills').where('personId', '=', dee.personId).executeTakeFirstOrThrow()).skills).to.equal('Facilitation');
  });

  it('shows the kudos a person received on their profile: the reasons to them, the count to others', async () => {
    const ada = await launch(person('ada', 'Ada Lovelace'));
    const bo = await launch(person('bo', 'Bo Brown'));
    const cy = await launch(person('cy', 'Cy Young'));
    const none = await get(ada, `${ada.base}/profile`);
    expect(none.doc.querySelector('[data-test=no-kudos]')).not.to.equal(null);

    const commons = await get(ada, `${ada.base}/commons`);
    expect(commons.status).to.equal(303);
    const space = new URL(commons.location!, app.url).href;
    const thread = await post(ada, `${space}/threads`, { title: 'My checklist for onboarding', body: 'Step one: **pair** on day one.' });
    expect(thread.status, thread.body.slice(0, 300)).to.equal(303);
    const postId = (await get(ada, new URL(thread.location!, app.url).href)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    expect((await post(bo, `${bo.base}/posts/${postId}/kudos`, { reason: 'I used this with my new starter' })).status).to.equal(303);
    expect((await post(cy, `${cy.base}/posts/${postId}/kudos`, { reason: 'Short and practical' })).status).to.equal(303);

    const mine = await get(ada, `${ada.base}/profile`);
    expect(mine.doc.querySelector('[data-test=kudos-count]')!.text).to.contain('2 kudos');
    const items = mine.doc.querySelectorAll('[data-test=kudos-item]').map((li) => li.text);
    expect(items).to.have.length(2);
    expect(items.join(' ')).to.contain('I used this with my new starter').and.to.contain('Short and practical');
    expect(items.join(' ')).to.contain('Bo Brown').and.to.contain('Cy Young');

    const theirs = await get(bo, `${bo.base}/people/${ada.personId}`);
    expect(theirs.doc.querySelector('[data-test=kudos-count]')!.text).to.contain('2 kudos');
    expect(theirs.body).not.to.contain('Short and practical');
    const bos = await get(bo, `${bo.base}/profile`);
    expect(bos.doc.querySelector('[data-test=kudos-count]')!.text).to.contain('0 kudos');
  });

  it('shows a hint for an empty search, an empty state for no match, and refuses a query over 200 characters', async () => {
    const dee = await launch(person('dee', 'Dee Searcher'));
    const blank = await get(dee, `${dee.base}/experts`);
    expect(blank.status).to.equal(200);
    expect(blank.doc.querySelector('[data-test=experts-hint]')).not.to.equal(null);
    expect(blank.doc.querySelector('input[name=q]')).not.to.equal(null);
    expect((await experts(dee, '   ')).doc.querySelector('[data-test=experts-hint]')).not.to.equal(null);

    const none = await experts(dee, 'underwater basket weaving');
    expect(none.status).to.equal(200);
    expect(none.doc.querySelector('[data-test=no-experts]')!.text).to.contain('underwater basket weaving');
    expect((await experts(dee, '!!! & |')).doc.querySelector('[data-test=no-experts]')).not.to.equal(null);

    const long = 'a'.repeat(201);
    const refused = await experts(dee, long);
    expect(refused.status).to.equal(400);
    expect(refused.doc.querySelector('#q-error')!.text).to.contain('200');
    expect(refused.doc.querySelector('input[name=q]')!.getAttribute('value')).to.equal(long);
    expect((await experts(dee, 'b'.repeat(200))).status).to.equal(200);
  });
});
