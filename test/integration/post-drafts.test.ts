// Nothing a person wrote is lost: a new thread or reply refused by the CSRF check (an old page, a
// new session) is kept server-side and back in the form after a relaunch; concurrent replies in one
// thread all persist, shown in one stable order.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';

const learner = (i: number): SimUser => ({ sub: `k${i}`, name: `Kim ${i}`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('posts kept after a refused form, and concurrent replies', () => {
  const { env, launch, get, csrfOf, formGroups, follow } = cohortSuite({ context: { id: 'course-k', title: 'Keeping' } });
  type Browser = Member;
  const commonsOf = (b: Browser) => follow(b, `${b.base}/commons`);
  async function thread(b: Browser) {
    const r = await b.browser.request(`${await commonsOf(b)}/threads`, { method: 'POST', form: { title: 'Open thread', body: 'Start', _csrf: await csrfOf(b) } });
    return new URL(r.headers.get('location')!, env.app.url).href.replace(/#.*/, '');
  }

  it('keeps a reply refused by the CSRF check and puts it back after a relaunch; posting it clears the draft', async () => {
    const kim = await launch(learner(1));
    const url = await thread(kim);
    const text = 'A long reply I wrote over lunch, with **care**.';
    const refused = await kim.browser.request(`${url}/posts`, { method: 'POST', form: { body: text, _csrf: 'stale-token-from-an-old-page' } });
    expect(refused.status).to.equal(403);
    expect(parse(refused.body).querySelector('[data-test=error-message]')!.text).to.contain('What you wrote is kept');
    expect(await env.app.db.selectFrom('posts').select('id').execute()).to.have.length(1);

    const again = await launch(learner(1)); // a new session by default // a fresh session, as after reopening from the course
    const page = await get(again, url);
    expect(page.doc.querySelector('#reply-body')!.text).to.equal(text);
    expect(page.doc.querySelector('[data-test=kept-draft]')).to.not.equal(null);

    const posted = await again.browser.request(`${url}/posts`, { method: 'POST', form: { body: text, _csrf: await csrfOf(again) } });
    expect(posted.status).to.equal(303);
    const after = await get(again, url);
    expect(after.doc.querySelector('#reply-body')!.text).to.equal('');
    expect(after.doc.querySelector('[data-test=kept-draft]')).to.equal(null);
    expect(await env.app.db.selectFrom('postDrafts').select('body').execute()).to.have.length(0);
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
    const groupOfSub = await formGroups(await launch(fran));
    const groupOf = (i: number) => groupOfSub.get(`k${i}`)!;
    const outsider = members[[2, 3, 4, 5, 6].find((i) => groupOf(i) !== groupOf(1))! - 1]!;
    const spaceOfGroup1 = await follow(members[0]!, `${members[0]!.base}/modules/1/space`);
    const refused = await outsider.browser.request(`${spaceOfGroup1}/threads`, { method: 'POST', form: { title: 't', body: 'b', _csrf: 'wrong' } });
    expect(refused.status).to.equal(403);
    expect(refused.body).to.not.contain('What you wrote is kept');
    const anonymous = await new LtiHttpClient().request(`${spaceOfGroup1}/threads`, { method: 'POST', form: { title: 't', body: 'b' } });
    expect(anonymous.status).to.equal(403);
    expect(await env.app.db.selectFrom('postDrafts').select('body').execute()).to.have.length(0);
  });

  it('persists every one of many concurrent replies in one thread, shown once each in a stable order', async () => {
    const people = [];
    for (let i = 1; i <= 10; i++) people.push(await launch(learner(i)));
    const url = await thread(people[0]!);
    const tokens = await Promise.all(people.map((p) => csrfOf(p)));
    const statuses = await Promise.all(people.map((p, i) => p.browser.request(`${url}/posts`, { method: 'POST', form: { body: `reply number ${i + 1}`, _csrf: tokens[i]! } }).then((r) => r.status)));
    expect(statuses).to.deep.equal(Array(10).fill(303));
    const stored = await env.app.db.selectFrom('posts').select(['bodySource', 'createdAt', 'id']).where('parentPostId', 'is', null).orderBy('createdAt').orderBy('id').execute();
    const page = await get(people[0]!, url);
    const shown = page.doc.querySelectorAll('[data-test=post] [data-test=post-body]').map((b) => b.text.trim());
    expect(shown).to.have.length(11);
    expect(new Set(shown).size).to.equal(11);
    expect(shown).to.deep.equal(stored.map((p) => p.bodySource));
    expect((await get(people[3]!, url)).doc.querySelectorAll('[data-test=post] [data-test=post-body]').map((b) => b.text.trim())).to.deep.equal(shown);
  });
});
