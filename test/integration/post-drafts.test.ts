// Nothing a person wrote is lost: a new thread or reply refused by the CSRF check (an old page, a
// new session) is kept server-side and back in the form after a relaunch; concurrent replies in one
// thread all persist, shown in one stable order.
import { expect } from 'chai';
import { parse, type HTMLElement } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';

const learner = (i: number): SimUser => ({ sub: `k${i}`, name: `Kim ${i}`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('posts kept after a refused form, and concurrent replies', () => {
  let app: TestApp;
  let sim: LtiPlatformSimulator;
  let lms: ConnectedPlatform;
  before(async () => {
    app = await startTestApp();
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    await sim.close();
    await app.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    lms = await connectPlatform(app, sim);
  });

  type Browser = { browser: LtiHttpClient; base: string };
  async function launch(user: SimUser, browser = new LtiHttpClient()): Promise<Browser> {
    const res = await sim.launch(app.url, browser, { user, clientId: lms.clientId, context: { id: 'course-k', title: 'Keeping' } });
    return { browser, base: `${app.url}/cohorts/${new URL(res.finalUrl).pathname.split('/')[2]}` };
  }
  const get = async (b: Browser, url: string) => {
    const r = await b.browser.request(url);
    return { status: r.status, doc: parse(r.body), body: r.body, location: r.headers.get('location') };
  };
  const csrfOf = async (b: Browser) => (await get(b, `${b.base}/modules/1`)).doc.querySelector('input[name=_csrf]')?.getAttribute('value') ?? (await get(b, `${b.base}/console`)).doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
  const commonsOf = async (b: Browser) => new URL((await get(b, `${b.base}/commons`)).location!, app.url).href;
  async function thread(b: Browser) {
    const r = await b.browser.request(`${await commonsOf(b)}/threads`, { method: 'POST', form: { title: 'Open thread', body: 'Start', _csrf: await csrfOf(b) } });
    return new URL(r.headers.get('location')!, app.url).href.replace(/#.*/, '');
  }

  it('keeps a reply refused by the CSRF check and puts it back after a relaunch; posting it clears the draft', async () => {
    const kim = await launch(learner(1));
    const url = await thread(kim);
    const text = 'A long reply I wrote over lunch, with **care**.';
    const refused = await kim.browser.request(`${url}/posts`, { method: 'POST', form: { body: text, _csrf: 'stale-token-from-an-old-page' } });
    expect(refused.status).to.equal(403);
    expect(parse(refused.body).querySelector('[data-test=error-message]')!.text).to.contain('What you wrote is kept');
    expect(await app.db.selectFrom('posts').select('id').execute()).to.have.length(1);

    const again = await launch(learner(1), new LtiHttpClient()); // a fresh session, as after reopening from the course
    const page = await get(again, url);
    expect(page.doc.querySelector('#reply-body')!.text).to.equal(text);
    expect(page.doc.querySelector('[data-test=kept-draft]')).to.not.equal(null);

    const posted = await again.browser.request(`${url}/posts`, { method: 'POST', form: { body: text, _csrf: await csrfOf(again) } });
    expect(posted.status).to.equal(303);
    const after = await get(again, url);
    expect(after.doc.querySelector('#reply-body')!.text).to.equal('');
    expect(after.doc.querySelector('[data-test=kept-draft]')).to.equal(null);
    expect(await app.db.selectFrom('postDrafts').select('body').execute()).to.have.length(0);
  });

  it('keeps a refused new thread (title and body) in the space’s form', async () => {
    const kim = await launch(learner(1));
    const space = await commonsOf(kim);
    const refused = await kim.browser.request(`${space}/threads`, { method: 'POST', form: { title: 'My question', body: 'What do you do when…', _csrf: 'wrong' } });
    expect(refused.status).to.equal(403);
    const page = await get(kim, space);
    expect(page.doc.querySelector('#title')!.getAttribute('value')).to.equal('My question');
    expect(page.doc.querySelector('#body')!.text).to.equal('What do you do when…');
  });

  it('keeps nothing for a space the person may not see, or without a session', async () => {
    const members = [];
    for (let i = 1; i <= 6; i++) members.push(await launch(learner(i)));
    const f = await launch(fran);
    const groupsPage = await get(f, `${f.base}/console/groups`);
    const form = groupsPage.doc.querySelector('[data-test=form-groups]')!.parentNode as HTMLElement;
    await f.browser.request(`${f.base}/console/groups`, { method: 'POST', form: { seed: form.querySelector('input[name=seed]')!.getAttribute('value')!, rosterHash: form.querySelector('input[name=rosterHash]')!.getAttribute('value')!, _csrf: await csrfOf(f) } });
    const placed = await app.db.selectFrom('groupMembers as gm').innerJoin('memberships as m', 'm.id', 'gm.membershipId').innerJoin('persons as p', 'p.id', 'm.personId').select(['gm.groupId', 'p.sub']).execute();
    const groupOf = (i: number) => placed.find((p) => p.sub === `k${i}`)!.groupId;
    const outsider = members[[2, 3, 4, 5, 6].find((i) => groupOf(i) !== groupOf(1))! - 1]!;
    const spaceOfGroup1 = new URL((await get(members[0]!, `${members[0]!.base}/modules/1/space`)).location!, app.url).href;
    const refused = await outsider.browser.request(`${spaceOfGroup1}/threads`, { method: 'POST', form: { title: 't', body: 'b', _csrf: 'wrong' } });
    expect(refused.status).to.equal(403);
    expect(refused.body).to.not.contain('What you wrote is kept');
    const anonymous = await new LtiHttpClient().request(`${spaceOfGroup1}/threads`, { method: 'POST', form: { title: 't', body: 'b' } });
    expect(anonymous.status).to.equal(403);
    expect(await app.db.selectFrom('postDrafts').select('body').execute()).to.have.length(0);
  });

  it('persists every one of many concurrent replies in one thread, shown once each in a stable order', async () => {
    const people = [];
    for (let i = 1; i <= 10; i++) people.push(await launch(learner(i)));
    const url = await thread(people[0]!);
    const tokens = await Promise.all(people.map((p) => csrfOf(p)));
    const statuses = await Promise.all(people.map((p, i) => p.browser.request(`${url}/posts`, { method: 'POST', form: { body: `reply number ${i + 1}`, _csrf: tokens[i]! } }).then((r) => r.status)));
    expect(statuses).to.deep.equal(Array(10).fill(303));
    const stored = await app.db.selectFrom('posts').select(['bodySource', 'createdAt', 'id']).where('parentPostId', 'is', null).orderBy('createdAt').orderBy('id').execute();
    const page = await get(people[0]!, url);
    const shown = page.doc.querySelectorAll('[data-test=post] [data-test=post-body]').map((b) => b.text.trim());
    expect(shown).to.have.length(11);
    expect(new Set(shown).size).to.equal(11);
    expect(shown).to.deep.equal(stored.map((p) => p.bodySource));
    expect((await get(people[3]!, url)).doc.querySelectorAll('[data-test=post] [data-test=post-body]').map((b) => b.text.trim())).to.deep.equal(shown);
  });
});
