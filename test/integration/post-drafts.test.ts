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

  it('keeps nothing from a cross-site forged post: no draft is planted, and a kept one stays as it was', async () => {
    const kim = await launch(learner(1));
    const url = await thread(kim);
    // Another site auto-submits a form in Kim's browser (SameSite=None cookies go with it).
    const forge = async (extra: Record<string, string> = {}) => {
      for (const initiator of ['https://attacker-site.org/page', 'http://127.0.0.2:9/other-site']) {
        const forged = await kim.browser.request(`${url}/posts`, { method: 'POST', form: { body: 'Planted by an attacker', _csrf: 'none', ...extra }, initiator });
        expect(forged.status).to.equal(403);
        expect(forged.body).to.not.contain('What you wrote is kept');
      }
      // Neither Sec-Fetch-Site nor Origin says where it came from: no proof either.
      const bare = await kim.browser.request(`${url}/posts`, { method: 'POST', form: { body: 'Planted without headers', _csrf: 'none', ...extra }, headers: { 'sec-fetch-site': '', origin: '' } });
      expect(bare.status).to.equal(403);
      expect(bare.body).to.not.contain('What you wrote is kept');
    };
    await forge();
    expect(await env.app.db.selectFrom('postDrafts').select('body').execute()).to.have.length(0);

    await kim.browser.request(`${url}/posts`, { method: 'POST', form: { body: 'What Kim really wrote', _csrf: 'stale' } });
    const keptDraftAt = (await get(kim, url)).doc.querySelector('input[name=keptDraftAt]')!.getAttribute('value')!;
    await forge({ keptDraftAt }); // even knowing the kept draft's time
    const drafts = await env.app.db.selectFrom('postDrafts').select('body').execute();
    expect(drafts.map((d) => d.body)).to.deep.equal(['What Kim really wrote']);
    expect((await get(kim, url)).doc.querySelector('#reply-body')!.text).to.equal('What Kim really wrote');
  });

  it('never replaces a kept draft with a refused form from an older page; the form showing the draft may', async () => {
    const kim = await launch(learner(1));
    const url = await thread(kim);
    await kim.browser.request(`${url}/posts`, { method: 'POST', form: { body: 'Newer kept text', _csrf: 'stale' } });
    // A tab opened before that draft was kept (its form names no draft) is refused and does not overwrite it.
    const older = await kim.browser.request(`${url}/posts`, { method: 'POST', form: { body: 'Text from an older tab', _csrf: 'stale' } });
    expect(older.status).to.equal(403);
    expect(older.body).to.not.contain('What you wrote is kept');
    expect((await env.app.db.selectFrom('postDrafts').select('body').executeTakeFirstOrThrow()).body).to.equal('Newer kept text');
    // The page showing the kept draft carries its time; editing it there and being refused again replaces it.
    const page = await get(kim, url);
    const keptDraftAt = page.doc.querySelector('input[name=keptDraftAt]')!.getAttribute('value')!;
    const edited = await kim.browser.request(`${url}/posts`, { method: 'POST', form: { body: 'Newer kept text, edited', keptDraftAt, _csrf: 'stale' } });
    expect(edited.body).to.contain('What you wrote is kept');
    expect((await env.app.db.selectFrom('postDrafts').select('body').executeTakeFirstOrThrow()).body).to.equal('Newer kept text, edited');
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
