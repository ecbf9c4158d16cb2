// The authorisation matrix over the routes of groups and discussions: people outside group A —
// a learner of group B, a learner and a facilitator of another cohort, a learner of another tenant
// with the same context id, a visitor without a session — get 401/403/404 on everything of group
// A's, and no page they get names group A's thread, post or norms (its page kept in memory first, as a member read it).
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { cohortMembers, type Member } from '../support/cohort-members.ts';
import { waitFor } from '../support/wait.ts';

const learner = (i: number): SimUser => ({ sub: `z${i}`, name: `Zia ${i}`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const SECRETS = ['Group A only thread', 'What group A said in private', 'Group A norm'];

describe('authorisation matrix: groups and discussions', () => {
  let app: TestApp;
  let sim: LtiPlatformSimulator;
  let sim2: LtiPlatformSimulator;
  let lms: ConnectedPlatform;
  let lms2: ConnectedPlatform;
  before(async () => {
    app = await startTestApp();
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
    await resetDatabase(app.handle);
    lms = await connectPlatform(app, sim);
    lms2 = await connectPlatform(app, sim2);
  });
  after(async () => {
    await sim2.close();
    await sim.close();
    await app.close();
  });

  const { launch, get, post, formGroups, follow } = cohortMembers(() => ({ app, lms }), { id: 'course-z', title: 'Matrix' });
  type Browser = Member;

  it('refuses every route of group A’s space to everyone outside it, and leaks nothing', async () => {
    const learners = [];
    for (let i = 1; i <= 6; i++) learners.push(await launch(learner(i)));
    const groupOfSub = await formGroups(await launch(fran));
    const groupOf = (i: number) => groupOfSub.get(`z${i}`)!;
    const a = learners[0]!;
    const groupB = learners[[2, 3, 4, 5, 6].find((i) => groupOf(i) !== groupOf(1))! - 1]!;

    // group A's things
    const space = await follow(a, `${a.base}/modules/1/space`);
    const spaceId = space.split('/').pop()!;
    const created = await post(a, `${space}/threads`, { title: SECRETS[0]!, body: SECRETS[1]! });
    const threadId = new URL(created.location!, app.url).pathname.split('/').pop()!;
    const postId = (await app.db.selectFrom('posts').select('id').where('threadId', '=', threadId).executeTakeFirstOrThrow()).id;
    const groupId = groupOf(1);
    expect((await post(a, `${a.base}/groups/${groupId}/norms`, { norms: SECRETS[2]!, baseVersion: '0' })).status).to.equal(303);
    const before = await counts();
    // The thread's page is kept in memory (server/cache/app-caches.ts): every outsider below asks for a kept page.
    await waitFor('the thread page to be kept', async () => (await get(a, `${a.base}/threads/${threadId}`)).status === 200 && app.caches.threadPages.size > 0);

    const outsiders: Array<[string, Browser]> = [
      ['a learner of group B', groupB],
      ['a learner of another cohort', await launch(learner(1), { id: 'course-other', title: 'Other' })],
      ['a facilitator of another cohort', await launch(fran, { id: 'course-other', title: 'Other' })],
      ['a learner of another tenant with the same context id', await launch(learner(1), { id: 'course-z', title: 'Matrix' }, lms2)],
    ];
    const routes = (base: string): Array<[string, string, Record<string, string>?]> => [
      ['GET', `${base}/spaces/${spaceId}`],
      ['GET', `${base}/threads/${threadId}`],
      ['GET', `${base}/threads/${threadId}?quote=${postId}`],
      ['GET', `${base}/spaces/${spaceId}/events`],
      ['GET', `${base}/posts/${postId}/fragment`],
      ['GET', `${base}/groups/${groupId}/norms`],
      ['POST', `${base}/spaces/${spaceId}/threads`, { title: 'x', body: 'y' }],
      ['POST', `${base}/threads/${threadId}/posts`, { body: 'y' }],
      ['POST', `${base}/threads/${threadId}/posts`, { body: 'y', parentPostId: postId }],
      ['POST', `${base}/posts/${postId}/kudos`, { reason: 'r' }],
      ['POST', `${base}/posts/${postId}/edit`, { body: 'changed' }],
      ['POST', `${base}/posts/${postId}/delete`, { confirmed: 'yes' }],
      ['POST', `${base}/posts/${postId}/delete`, {}], // the confirmation page
      ['POST', `${base}/groups/${groupId}/norms`, { norms: 'hijacked', baseVersion: '1' }],
    ];
    for (const [who, b] of outsiders) {
      // through their own cohort's address, and through group A's cohort address (no launch there)
      for (const base of new Set([b.base, a.base])) {
        for (const [method, url, form] of routes(base)) {
          const r = method === 'GET' ? await get(b, url) : await post(b, url, form!);
          const expected = base === b.base ? [404] : [401];
          if (b === groupB && base === a.base) expected.splice(0, 1, 404); // group B is in the same cohort
          expect(r.status, `${who}: ${method} ${url.replace(app.url, '')}`).to.be.oneOf(expected);
          for (const s of [...SECRETS, threadId]) expect(r.body, `${who}: ${method} ${url}`).to.not.contain(s);
        }
      }
    }
    // a visitor without any session
    const visitor = { browser: new LtiHttpClient() };
    for (const [method, url] of routes(a.base)) {
      const r = method === 'GET' ? await visitor.browser.request(url) : await visitor.browser.request(url, { method: 'POST', form: {} });
      expect(r.status, `visitor: ${method} ${url}`).to.be.oneOf([401, 403]);
    }
    // a group-mate who is not the author cannot edit or delete; nothing changed anywhere
    const mate = learners[[2, 3, 4, 5, 6].find((i) => groupOf(i) === groupOf(1))! - 1]!;
    expect((await post(mate, `${mate.base}/posts/${postId}/edit`, { body: 'changed' })).status).to.equal(403);
    expect((await post(mate, `${mate.base}/posts/${postId}/delete`, { confirmed: 'yes' })).status).to.equal(403);
    const confirmation = await post(mate, `${mate.base}/posts/${postId}/delete`, {});
    expect(confirmation.status).to.equal(403);
    expect(confirmation.body).to.not.contain(threadId);
    expect(await counts()).to.deep.equal(before);
  });

  async function counts() {
    const n = async (t: 'threads' | 'posts' | 'kudos' | 'groupNormVersions' | 'postRevisions' | 'postDrafts') => Number((await app.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const visible = await app.db.selectFrom('posts').select(['status', 'bodySource']).execute();
    return { threads: await n('threads'), posts: await n('posts'), kudos: await n('kudos'), norms: await n('groupNormVersions'), revisions: await n('postRevisions'), drafts: await n('postDrafts'), visible };
  }
});
