// Live updates across app processes: a post made through instance A reaches an SSE client of
// instance B (PostgreSQL LISTEN/NOTIFY), and only subscribers who may see the space get it.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { openEvents } from '../support/sse-reader.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { cohortMembers } from '../support/cohort-members.ts';

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
}

describe('live updates across two app instances', () => {
  let a: TestApp;
  let b: TestApp;
  let sim: LtiPlatformSimulator;
  before(async () => {
    a = await startTestApp();
    b = await startTestApp();
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    await sim.close();
    await a.close();
    await b.close();
  });

  it('delivers a post made through instance A to an SSE client on instance B, and not to another cohort', async () => {
    await resetDatabase(a.handle);
    const lms = await connectPlatform(a, sim);
    const writer = new LtiHttpClient();
    const res = await sim.launch(a.url, writer, { user: { sub: 'w', name: 'Wren Writer', roles: [ROLES.learner] }, clientId: lms.clientId, context: { id: 'live' } });
    const cohortPath = new URL(res.finalUrl).pathname;
    const commons = await writer.request(`${a.url}${cohortPath}/commons`);
    const spacePath = commons.headers.get('location')!;

    // the reader's session is in PostgreSQL: it works on instance B as well
    const reader = new LtiHttpClient();
    await sim.launch(a.url, reader, { user: { sub: 'r', name: 'Rey Reader', roles: [ROLES.learner] }, clientId: lms.clientId, context: { id: 'live' } });
    const readerCookie = (await reader.cookies(a.url)).map((c) => `${c.key}=${c.value}`).join('; ');
    const stream = openEvents(`${b.url}${spacePath}/events`, readerCookie);

    // someone of another cohort cannot subscribe to this space
    const stranger = new LtiHttpClient();
    await sim.launch(a.url, stranger, { user: { sub: 's', roles: [ROLES.learner] }, clientId: lms.clientId, context: { id: 'elsewhere' } });
    const strangerCookie = (await stranger.cookies(a.url)).map((c) => `${c.key}=${c.value}`).join('; ');
    const refused = openEvents(`${b.url}${spacePath}/events`, strangerCookie);
    await until(() => stream.status() === 200 && refused.status() !== 0);
    expect(stream.status()).to.equal(200);
    expect(refused.status()).to.equal(401);

    const page = parse((await writer.request(`${a.url}${spacePath}`)).body);
    const created = await writer.request(`${a.url}${spacePath}/threads`, { method: 'POST', form: { title: 'Live!', body: 'Hello from A', _csrf: page.querySelector('input[name=_csrf]')!.getAttribute('value')! } });
    expect(created.status).to.equal(303);
    await until(() => stream.events.length > 0);
    stream.close();
    refused.close();
    expect(stream.events).to.have.length(1);
    const post = await a.db.selectFrom('posts').select(['id', 'threadId']).executeTakeFirstOrThrow();
    expect(stream.events[0]).to.deep.equal({ threadId: post.threadId, postId: post.id });

    // the fragment the browser then fetches goes through the same checks
    const fragment = await reader.request(`${b.url}${cohortPath}/posts/${post.id}/fragment`);
    expect(fragment.status).to.equal(200);
    expect(fragment.body).to.contain('Hello from A');
    expect((await stranger.request(`${b.url}${cohortPath}/posts/${post.id}/fragment`)).status).to.equal(401);
  });

  async function launchInto(app: TestApp, lms: { clientId: string }, sub: string, contextId = 'live') {
    const browser = new LtiHttpClient();
    const res = await sim.launch(app.url, browser, { user: { sub, name: `Person ${sub}`, roles: [ROLES.learner] }, clientId: lms.clientId, context: { id: contextId } });
    const cohortPath = new URL(res.finalUrl).pathname;
    const spacePath = (await browser.request(`${app.url}${cohortPath}/commons`)).headers.get('location')!;
    const cookie = (await browser.cookies(app.url)).map((c) => `${c.key}=${c.value}`).join('; ');
    const postThread = async (title: string) => {
      const page = parse((await browser.request(`${app.url}${spacePath}`)).body);
      const r = await browser.request(`${app.url}${spacePath}/threads`, { method: 'POST', form: { title, body: title, _csrf: page.querySelector('input[name=_csrf]')!.getAttribute('value')! } });
      expect(r.status).to.equal(303);
    };
    return { browser, cohortPath, spacePath, cookie, postThread };
  }

  it('ends an open stream once the member’s access ends, and delivers nothing posted after', async () => {
    await resetDatabase(a.handle);
    const lms = await connectPlatform(a, sim);
    const writer = await launchInto(a, lms, 'w');
    const reader = await launchInto(a, lms, 'r');
    const stream = openEvents(`${b.url}${reader.spacePath}/events`, reader.cookie);
    await until(() => stream.status() !== 0);
    expect(stream.status()).to.equal(200);
    await writer.postThread('Before');
    await until(() => stream.events.length === 1);
    // The LMS ends the reader's enrolment (as the roster sync records it).
    const sub = await a.db.selectFrom('persons').select('id').where('sub', '=', 'r').executeTakeFirstOrThrow();
    await a.db.updateTable('memberships').set({ status: 'inactive' }).where('personId', '=', sub.id).execute();
    await writer.postThread('After the access ended');
    await until(() => stream.closed());
    expect(stream.closed()).to.equal(true);
    expect(stream.ends).to.deep.equal(['access-ended']);
    expect(stream.events).to.have.length(1);
    const after = await a.db.selectFrom('posts').innerJoin('threads', 'threads.id', 'posts.threadId').select('posts.id').where('threads.title', '=', 'After the access ended').executeTakeFirstOrThrow();
    expect(stream.events.map((e) => e.postId)).to.not.include(after.id);
  });

  it('checks each stream of the commons before every event without a database round trip (standings from the caches)', async () => {
    await resetDatabase(a.handle);
    const lms = await connectPlatform(a, sim);
    const writer = await launchInto(a, lms, 'w');
    const readers = await Promise.all(['r1', 'r2', 'r3'].map((sub) => launchInto(a, lms, sub)));
    const streams = readers.map((r) => openEvents(`${b.url}${r.spacePath}/events`, r.cookie));
    await until(() => streams.every((s) => s.status() !== 0));
    expect(streams.map((s) => s.status())).to.deep.equal([200, 200, 200]);
    // The first event's checks may read what B has not cached yet; the second's must not.
    await writer.postThread('First');
    await until(() => streams.every((s) => s.events.length === 1));
    let checkouts = 0;
    const counted = () => checkouts++;
    b.handle.pool.on('acquire', counted);
    try {
      await writer.postThread('Second');
      await until(() => streams.every((s) => s.events.length === 2));
    } finally {
      b.handle.pool.off('acquire', counted);
    }
    expect(streams.map((s) => s.events.length)).to.deep.equal([2, 2, 2]);
    expect(checkouts, 'connections B took from its pool to deliver one event to three streams').to.equal(0);
    for (const s of streams) s.close();
  });

  it('ends a learner’s stream of a group space once they are moved to another group', async () => {
    await resetDatabase(a.handle);
    const lms = await connectPlatform(a, sim);
    const cohort = cohortMembers(() => ({ app: a, lms }), { id: 'live' });
    const people = [];
    for (let i = 1; i <= 6; i++) people.push(await cohort.launch({ sub: `g${i}`, name: `Gale ${i}`, roles: [ROLES.learner] }));
    const groupOf = await cohort.formGroups(await cohort.launch({ sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] }));
    const [reader, ...others] = people;
    const mate = others.find((_, i) => groupOf.get(`g${i + 2}`) === groupOf.get('g1'))!;
    const otherGroup = [...groupOf.values()].find((g) => g !== groupOf.get('g1'))!;
    const space = await cohort.follow(reader!, `${reader!.base}/modules/1/space`);
    const cookie = (await reader!.browser.cookies(a.url)).map((c) => `${c.key}=${c.value}`).join('; ');
    const stream = openEvents(`${b.url}${new URL(space).pathname}/events`, cookie);
    await until(() => stream.status() !== 0);
    expect(stream.status()).to.equal(200);
    const postInSpace = async (title: string) => expect((await cohort.post(mate, `${space}/threads`, { title, body: title })).status).to.equal(303);
    await postInSpace('Before the move');
    await until(() => stream.events.length === 1);
    const readerMembership = await a.db.selectFrom('memberships').innerJoin('persons', 'persons.id', 'memberships.personId').select('memberships.id').where('persons.sub', '=', 'g1').executeTakeFirstOrThrow();
    await a.db.updateTable('groupMembers').set({ groupId: otherGroup }).where('membershipId', '=', readerMembership.id).execute();
    await postInSpace('After the move');
    await until(() => stream.closed());
    expect(stream.ends).to.deep.equal(['access-ended']);
    expect(stream.events).to.have.length(1);
  });

  it('caps open streams per person and per process with a 429, and gives the slot back when a stream closes', async () => {
    const capped = await startTestApp({ LIVE_STREAMS_PER_PERSON: '2', LIVE_STREAMS_PER_PROCESS: '3' });
    try {
      await resetDatabase(capped.handle);
      const lms = await connectPlatform(capped, sim);
      const kim = await launchInto(capped, lms, 'k');
      const lee = await launchInto(capped, lms, 'l');
      const open = (p: Awaited<ReturnType<typeof launchInto>>) => openEvents(`${capped.url}${p.spacePath}/events`, p.cookie);
      const settled = async (s: ReturnType<typeof openEvents>) => { await until(() => s.status() !== 0); return s.status(); };
      const k1 = open(kim);
      const k2 = open(kim);
      expect([await settled(k1), await settled(k2)]).to.deep.equal([200, 200]);
      const k3 = open(kim);
      expect(await settled(k3)).to.equal(429); // a third tab of Kim's
      const l1 = open(lee);
      expect(await settled(l1)).to.equal(200); // Lee is not affected by Kim's cap
      const l2 = open(lee);
      expect(await settled(l2)).to.equal(429); // the process holds 3
      k1.close();
      let again = open(lee);
      // the server sees the closed socket soon after: wait for the slot to come back, not a fixed time
      for (let i = 0; i < 100 && (await settled(again)) === 429; i++) again = open(lee);
      expect(again.status()).to.equal(200);
      for (const s of [k2, k3, l1, l2, again]) s.close();
    } finally {
      await capped.close();
    }
  });

  it('delivers an event only to listeners of that space: not to another cohort’s or another tenant’s', async () => {
    await resetDatabase(a.handle);
    const lms = await connectPlatform(a, sim);
    const sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
    try {
      const lms2 = await connectPlatform(a, sim2);
      const writer = await launchInto(a, lms, 'w', 'live');
      const here = await launchInto(a, lms, 'h', 'live');
      const otherCohort = await launchInto(a, lms, 'o', 'elsewhere');
      const otherTenant = new LtiHttpClient();
      const res = await sim2.launch(a.url, otherTenant, { user: { sub: 'h', name: 'Same sub, other tenant', roles: [ROLES.learner] }, clientId: lms2.clientId, context: { id: 'live' } });
      const tenantPath = new URL(res.finalUrl).pathname;
      const tenantSpace = (await otherTenant.request(`${a.url}${tenantPath}/commons`)).headers.get('location')!;
      const tenantCookie = (await otherTenant.cookies(a.url)).map((c) => `${c.key}=${c.value}`).join('; ');
      const streams = {
        here: openEvents(`${b.url}${here.spacePath}/events`, here.cookie),
        otherCohort: openEvents(`${b.url}${otherCohort.spacePath}/events`, otherCohort.cookie),
        otherTenant: openEvents(`${b.url}${tenantSpace}/events`, tenantCookie),
      };
      await until(() => Object.values(streams).every((s) => s.status() === 200));
      await writer.postThread('Only for this space');
      await until(() => streams.here.events.length === 1);
      // A post in the other cohort's space is the marker: once its listener has it, the earlier event is long dispatched.
      await otherCohort.postThread('Marker');
      await until(() => streams.otherCohort.events.length === 1);
      const only = await a.db.selectFrom('posts').innerJoin('threads', 'threads.id', 'posts.threadId').select('posts.id').where('threads.title', '=', 'Only for this space').executeTakeFirstOrThrow();
      expect(streams.here.events.map((e) => e.postId)).to.deep.equal([only.id]);
      expect(streams.otherCohort.events.map((e) => e.postId)).to.not.include(only.id);
      expect(streams.otherTenant.events).to.have.length(0);
      for (const s of Object.values(streams)) s.close();
    } finally {
      await sim2.close();
    }
  });
});
