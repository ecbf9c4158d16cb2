// Discussion spaces over real HTTP: threads, replies, quotes, edits with history, deletes, kudos;
// who sees which space; and the XSS corpus posted through the real route.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { statementsDuring } from '../support/statements-during.ts';
import { type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { XSS_PAYLOADS } from '../fixtures/xss-payloads.ts';
import { ALLOWED_TAGS } from '../../server/discussions/post-rendering.ts';

const learner = (i: number): SimUser => ({ sub: `d${i}`, name: `Dana ${i}`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('discussion spaces', () => {
  const { env, launch, get, post, csrfOf, formGroups, follow } = cohortSuite({ context: { id: 'course-d', title: 'Discussing' } });
  type Browser = Member;
  /** Six learners in two groups of three, formed by the facilitator; returns everyone's browsers. */
  async function twoGroups() {
    const learners = [];
    for (let i = 1; i <= 6; i++) learners.push(await launch(learner(i)));
    const f = await launch(fran);
    const groupOfSub = await formGroups(f);
    const groupOf = (i: number) => groupOfSub.get(`d${i}`)!;
    const a = learners.filter((_, i) => groupOf(i + 1) === groupOf(1));
    const b = learners.filter((_, i) => groupOf(i + 1) !== groupOf(1));
    return { f, a, b };
  }
  const spaceUrl = (b: Browser, moduleId = 1) => follow(b, `${b.base}/modules/${moduleId}/space`);
  async function startThread(b: Browser, space: string, title: string, body: string) {
    const r = await post(b, `${space}/threads`, { title, body });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    return new URL(r.location!, env.app.url).href;
  }

  it('lets a group talk in its module space: thread, reply, quote-reply, kudos with a reason', async () => {
    const { a } = await twoGroups();
    const space = await spaceUrl(a[0]!);
    const thread = await startThread(a[0]!, space, 'How I narrate my work', 'I post a short **note** each afternoon.');
    const page = await get(a[1]!, thread);
    expect(page.status).to.equal(200);
    const first = page.doc.querySelector('[data-test=post]')!;
    expect(first.querySelector('[data-test=post-body]')!.innerHTML).to.contain('<strong>note</strong>');
    const quote = await get(a[1]!, `${thread}?quote=${first.getAttribute('data-post-id')}`);
    expect(quote.doc.querySelector('#reply-body')!.text).to.contain('> ');
    const reply = await post(a[1]!, `${thread.replace(/#.*/, '')}/posts`, { body: 'That helps me too.', parentPostId: first.getAttribute('data-post-id')! });
    expect(reply.status).to.equal(303);
    const kudos = await post(a[1]!, `${a[1]!.base}/posts/${first.getAttribute('data-post-id')}/kudos`, { reason: 'A habit I can copy tomorrow' });
    expect(kudos.status).to.equal(303);
    const again = await get(a[0]!, thread);
    expect(again.doc.querySelectorAll('.replies [data-test=post]')).to.have.length(1);
    expect(again.doc.querySelector('[data-test=kudos]')!.text).to.contain('A habit I can copy tomorrow');
    expect((await post(a[1]!, `${a[1]!.base}/posts/${first.getAttribute('data-post-id')}/kudos`, { reason: 'twice' })).status).to.equal(409);
    expect((await post(a[0]!, `${a[0]!.base}/posts/${first.getAttribute('data-post-id')}/kudos`, { reason: 'my own' })).status).to.equal(400);
  });

  it('keeps another group’s space, threads and posts out of reach (404, no titles leaked)', async () => {
    const { a, b } = await twoGroups();
    const space = await spaceUrl(a[0]!);
    const thread = await startThread(a[0]!, space, 'Secret plans of group A', 'Only for us.');
    const postId = (await get(a[0]!, thread)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    const outsider = b[0]!;
    for (const url of [space, thread]) {
      const r = await get(outsider, url);
      expect(r.status, url).to.equal(404);
      expect(r.body).not.to.contain('Secret plans');
    }
    expect((await post(outsider, `${space}/threads`, { title: 't', body: 'b' })).status).to.equal(404);
    expect((await post(outsider, `${thread.replace(/#.*/, '')}/posts`, { body: 'b' })).status).to.equal(404);
    expect((await post(outsider, `${outsider.base}/posts/${postId}/kudos`, { reason: 'x' })).status).to.equal(404);
    expect((await post(outsider, `${outsider.base}/posts/${postId}/edit`, { body: 'x' })).status).to.equal(404);
    // a group-mate who is not the author cannot edit or delete
    expect((await post(a[1]!, `${a[1]!.base}/posts/${postId}/edit`, { body: 'x' })).status).to.equal(403);
    expect((await post(a[1]!, `${a[1]!.base}/posts/${postId}/delete`, { confirmed: 'yes' })).status).to.equal(403);
    // the facilitator of this cohort can read it; one of another cohort cannot even reach the cohort
    expect((await get((await launch(fran)), thread)).status).to.equal(200);
    const otherCohort = await launch({ ...fran, sub: 'other-fac' }, { id: 'course-other', title: 'Other' });
    expect((await get(otherCohort, thread)).status).to.equal(401);
    expect((await get(otherCohort, `${otherCohort.base}/spaces/${new URL(space).pathname.split('/')[4]}`)).status).to.equal(404);
  });

  it('opens the commons to everyone in the cohort, before and after groups', async () => {
    const l1 = await launch(learner(1));
    const commons = await get(l1, `${l1.base}/commons`);
    expect(commons.status).to.equal(303);
    const url = new URL(commons.location!, env.app.url).href;
    const thread = await startThread(l1, url, 'Hello everyone', 'Glad to be here.');
    const l2 = await launch(learner(2));
    expect((await get(l2, thread)).status).to.equal(200);
    expect((await get(l2, `${l2.base}/modules/1/space`)).doc.querySelector('[data-test=no-group]')).to.not.equal(null);
  });

  it('keeps the history of an edit (facilitators see it) and soft-deletes after confirmation', async () => {
    const { a, f } = await twoGroups();
    const thread = await startThread(a[0]!, await spaceUrl(a[0]!), 'Draft idea', 'First version');
    const own = await get(a[0]!, thread);
    const postId = own.doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    // the author's edit form starts from their Markdown; a group-mate gets no edit link, nor the form
    expect(own.doc.querySelector(`#post-${postId} [data-test=edit]`)).to.not.equal(null);
    expect((await get(a[0]!, `${a[0]!.base}/posts/${postId}/edit`)).doc.querySelector(`#edit-${postId}`)!.text).to.equal('First version');
    expect((await get(a[1]!, thread)).doc.querySelector(`#post-${postId} [data-test=edit]`)).to.equal(null);
    const theirs = await get(a[1]!, `${a[1]!.base}/posts/${postId}/edit`);
    expect(theirs.status).to.be.oneOf([403, 404]);
    expect(theirs.doc.querySelector(`#edit-${postId}`)).to.equal(null);
    expect((await post(a[0]!, `${a[0]!.base}/posts/${postId}/edit`, { body: 'Second version' })).status).to.equal(303);
    const revisions = await env.app.db.selectFrom('postRevisions').select('bodySource').execute();
    expect(revisions.map((r) => r.bodySource)).to.deep.equal(['First version']);
    expect((await get(f, thread)).doc.querySelector('[data-test=post] header')!.text).to.contain('1 earlier version');
    const confirm = await post(a[0]!, `${a[0]!.base}/posts/${postId}/delete`, {});
    expect(confirm.doc.querySelector('[data-test=confirm]')).to.not.equal(null);
    expect((await env.app.db.selectFrom('posts').select('status').executeTakeFirstOrThrow()).status).to.equal('visible');
    await post(a[0]!, `${a[0]!.base}/posts/${postId}/delete`, { confirmed: 'yes' });
    const after = await get(a[1]!, thread);
    expect(after.doc.querySelector('[data-test=post-placeholder]')!.text).to.contain('deleted');
    expect(after.body).not.to.contain('Second version');
  });

  it('answers bad input with a 400 page that keeps what was typed', async () => {
    const l1 = await launch(learner(1));
    const url = new URL((await get(l1, `${l1.base}/commons`)).location!, env.app.url).href;
    const res = await post(l1, `${url}/threads`, { title: '', body: 'My carefully written text' });
    expect(res.status).to.equal(400);
    expect(res.doc.querySelector('#body')!.text).to.equal('My carefully written text');
    expect((await post(l1, `${url}/threads`, { title: 'Long', body: 'x'.repeat(20_001) })).status).to.equal(400);
    expect((await get(l1, `${l1.base}/spaces/not-a-uuid`)).status).to.equal(400);
  });

  it('notifies a mentioned group-mate (unread count in the header), not someone who cannot see the space', async () => {
    const { a, b } = await twoGroups();
    const placed = await env.app.db.selectFrom('groupMembers as gm').innerJoin('memberships as m', 'm.id', 'gm.membershipId').innerJoin('persons as p', 'p.id', 'm.personId').select(['p.sub', 'p.name', 'gm.groupId']).execute();
    const groupA = placed.find((x) => x.sub === 'd1')!.groupId;
    const groupASubs = placed.filter((x) => x.groupId === groupA).map((x) => x.sub).sort((p, q) => Number(p.slice(1)) - Number(q.slice(1)));
    const mateRow = placed.find((x) => x.sub === groupASubs[1])!; // a[1], since a keeps the learners' order
    const mate = mateRow.name!;
    const outsiderName = placed.find((x) => x.groupId !== groupA)!.name!;
    const handle = (n: string) => n.replace(/\s+/g, '').toLowerCase();
    const thread = await startThread(a[0]!, await spaceUrl(a[0]!), 'Calling', `Thanks @${handle(mate)} and hi @${handle(outsiderName)}`);
    const rows = await env.app.db.selectFrom('notifications').selectAll().execute();
    expect(rows).to.have.length(1);
    const mateBrowser = a[1]!;
    const hub = await get(mateBrowser, mateBrowser.base);
    expect(hub.doc.querySelector('[data-test=unread-count]')?.text).to.equal('1');
    const list = await get(mateBrowser, `${mateBrowser.base}/notifications`);
    expect(list.doc.querySelector('[data-test=notification] a')?.getAttribute('href')).to.contain(new URL(thread).pathname);
    await post(mateBrowser, `${mateBrowser.base}/notifications/read`, {});
    expect((await get(mateBrowser, mateBrowser.base)).doc.querySelector('[data-test=unread-count]')).to.equal(null);
  });

  it('limits posting per person (a burst of 5 in 10 s), with a clear 429 page; another person is not affected', async () => {
    const l1 = await launch(learner(1));
    const l2 = await launch(learner(2));
    const url = new URL((await get(l1, `${l1.base}/commons`)).location!, env.app.url).href;
    const thread = (await startThread(l1, url, 'Quick ones', 'first')).replace(/#.*/, '');
    const csrf = await csrfOf(l1);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await l1.browser.request(`${thread}/posts`, { method: 'POST', form: { body: `reply ${i}`, _csrf: csrf } })).status);
    expect(statuses.slice(0, 4)).to.deep.equal([303, 303, 303, 303]);
    expect(statuses[4]).to.equal(429);
    expect((await post(l2, `${thread}/posts`, { body: 'mine still goes through' })).status).to.equal(303);
  });

  it('writes a commons reply in one statement: the post, its notifications, the live event, the kept draft and the thread, together', async () => {
    const [d1, d2] = [await launch(learner(1)), await launch(learner(2))];
    const commons = new URL((await get(d1, `${d1.base}/commons`)).location!, env.app.url).href;
    const thread = (await startThread(d1, commons, 'One statement', 'Opening words')).replace(/[?#].*/, '');
    const threadId = thread.split('/').pop()!;
    const before = await env.app.db.selectFrom('threads').select('lastPostAt').where('id', '=', threadId).executeTakeFirstOrThrow();
    // A kept draft of d2's, which posting the reply clears.
    const { tenantId } = await env.app.db.selectFrom('threads').select('tenantId').where('id', '=', threadId).executeTakeFirstOrThrow();
    const d2Membership = (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', 'd2').executeTakeFirstOrThrow()).id;
    await env.app.db.insertInto('postDrafts').values({ tenantId, membershipId: d2Membership, target: `thread:${threadId}`, title: '', body: 'kept' }).execute();
    const { statements, result: r } = await statementsDuring(() => post(d2, `${thread}/posts`, { body: 'A reply, @Dana1' }));
    expect(r.status).to.equal(303);
    const writes = statements.filter((q) => /\b(posts|notifications|post_drafts|threads)\b/i.test(q) && /^\s*(WITH|INSERT|UPDATE|DELETE)\b/i.test(q));
    expect(writes, 'statements writing the reply').to.have.length(1);
    expect(statements.filter((q) => /^\s*BEGIN\b/i.test(q)), 'no transaction round trips').to.deep.equal([]);
    const replyId = new URL(r.location!, env.app.url).searchParams.get('post')!;
    expect(await env.app.db.selectFrom('posts').select('bodySource').where('id', '=', replyId).executeTakeFirstOrThrow()).to.deep.equal({ bodySource: 'A reply, @Dana1' });
    const told = await env.app.db.selectFrom('notifications').select(['kind', 'postId']).where('postId', '=', replyId).execute();
    expect(told.map((n) => n.kind), 'Dana 1, mentioned and the starter, is told once, of the mention').to.deep.equal(['mention']);
    expect(await env.app.db.selectFrom('postDrafts').select('body').where('membershipId', '=', d2Membership).execute()).to.deep.equal([]);
    const after = await env.app.db.selectFrom('threads').select('lastPostAt').where('id', '=', threadId).executeTakeFirstOrThrow();
    expect(after.lastPostAt.getTime()).to.be.greaterThan(before.lastPostAt.getTime());
  });

  it('stores and shows no active content for any payload of the XSS corpus posted through the route', async () => {
    const l1 = await launch(learner(1));
    const url = new URL((await get(l1, `${l1.base}/commons`)).location!, env.app.url).href;
    const thread = await startThread(l1, url, 'XSS corpus', 'Payloads follow.');
    const threadUrl = thread.replace(/#.*/, '');
    const csrf = await csrfOf(l1);
    for (const payload of XSS_PAYLOADS) {
      await env.app.db.deleteFrom('rateLimits').execute(); // the corpus is posted faster than any person may post
      const r = await l1.browser.request(`${threadUrl}/posts`, { method: 'POST', form: { body: payload.source, _csrf: csrf } });
      expect(r.status, payload.label).to.be.oneOf([303, 400]);
    }
    const stored = await env.app.db.selectFrom('posts').select('bodyHtml').execute();
    expect(stored.length).to.be.greaterThan(XSS_PAYLOADS.length * 0.9);
    const page = await get(l1, threadUrl);
    const bodies = [...stored.map((s) => parse(s.bodyHtml)), ...page.doc.querySelectorAll('[data-test=post-body]')];
    const allowed = new Set(ALLOWED_TAGS);
    for (const body of bodies) {
      for (const el of body.querySelectorAll('*')) {
        expect(allowed.has(el.tagName.toLowerCase()), `<${el.tagName}> in ${body.toString().slice(0, 120)}`).to.equal(true);
        for (const [name, value] of Object.entries(el.attributes)) {
          expect(name.toLowerCase().startsWith('on'), `${name} attribute`).to.equal(false);
          expect(['style', 'src', 'srcdoc', 'action', 'formaction', 'xlink:href']).not.to.include(name.toLowerCase());
          if (name.toLowerCase() === 'href') expect(['http:', 'https:', 'mailto:']).to.include(new URL(value).protocol);
        }
      }
    }
    // The only scripts on the page are our own file.
    expect(page.doc.querySelectorAll('script').map((s) => s.getAttribute('src'))).to.deep.equal(['/public/drafts.js', '/public/live.js', '/public/composer.js', '/public/scroll-regions.js']);
  });
});
