// The facilitator's kept figures (cohort_figures) stay exactly the figures computed from the raw
// rows: after each kind of write (a thread, a reply, kudos, a mention, a hidden post, a deleted
// post, an endorsement, an announcement, an activity answer, a learner leaving, changing group or
// renamed), the figures read as kept equal a fresh computation. Each step reads the figures
// first, so a write the triggers missed would leave stale kept figures, and the comparison fails.
import { expect } from 'chai';
import { sql } from 'kysely';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { cohortFigures, computeCohortFigures, keptFigures } from '../../server/analytics/cohort-figures.ts';

const learner = (i: number) => ({ sub: `k${i}`, name: `Kim ${i}`, roles: [ROLES.learner] });
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const ALL = ['progress', 'health', 'social', 'ties', 'inquiry', 'participation', 'activity'] as const;

describe('kept cohort figures', () => {
  const { env, launch, get, post, formGroups, follow } = cohortSuite({ context: { id: 'course-figures', title: 'Figures course' } });

  async function ids(cohortId: string) {
    return env.app.db.selectFrom('cohorts').select(['tenantId', 'id']).where('id', '=', cohortId).executeTakeFirstOrThrow();
  }
  /** What the pages would read, and what the raw rows say now (through JSON, as kept). */
  async function keptAndFresh(cohortId: string) {
    const { tenantId } = await ids(cohortId);
    const now = new Date();
    const { asOf: _asOf, ...kept } = await cohortFigures(env.app.db, tenantId, cohortId, now, ALL);
    const fresh = JSON.parse(JSON.stringify(await computeCohortFigures(env.app.db, tenantId, cohortId, now)));
    return { kept, fresh };
  }
  async function expectCurrent(cohortId: string, after: string) {
    const { kept, fresh } = await keptAndFresh(cohortId);
    expect(kept, `kept figures after ${after}`).to.deep.equal(fresh);
  }
  /** Changes logged for the cohort that the kept figures did not see. */
  const unseenChanges = async (cohortId: string) =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM cohort_figure_changes c JOIN cohort_figures f USING (tenant_id, cohort_id)
                              WHERE c.cohort_id = ${cohortId} AND NOT pg_visible_in_snapshot(c.xid, f.snapshot)`.execute(env.app.db)).rows[0]!.n;
  async function startThread(m: Member, space: string, title: string, body: string) {
    const r = await post(m, `${space}/threads`, { title, body });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    const url = new URL(r.location!, env.app.url).href.replace(/#.*/, '');
    const postId = (await get(m, url)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    return { url, postId };
  }
  async function reply(m: Member, thread: string, body: string) {
    const r = await post(m, `${thread}/posts`, { body });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    return /#post-([0-9a-f-]+)/.exec(r.location!)![1]!;
  }

  it('equal the figures computed from the raw rows after every kind of write, and are read as kept between writes', async () => {
    const ls: Member[] = [];
    for (let i = 1; i <= 6; i++) ls.push(await launch(learner(i)));
    const f = await launch(fran);
    const groupOf = await formGroups(f);
    const a = ls.filter((_, i) => groupOf.get(`k${i + 1}`) === groupOf.get('k1'));
    const b = ls.filter((_, i) => groupOf.get(`k${i + 1}`) !== groupOf.get('k1'));
    const cohortId = f.cohortId;
    await expectCurrent(cohortId, 'forming groups');

    const space = await follow(a[0]!, `${a[0]!.base}/modules/1/space`);
    const t = await startThread(a[0]!, space, 'Hello', 'Hi all! Last year I tried weeknotes. What do you do?');
    await expectCurrent(cohortId, 'a thread');
    const r1 = await reply(a[1]!, t.url, '> weeknotes\n\nBuilding on that, I agree.');
    await expectCurrent(cohortId, 'a reply');
    expect((await post(a[0]!, `${a[0]!.base}/posts/${r1}/kudos`, { reason: 'Useful' })).status).to.equal(303);
    await expectCurrent(cohortId, 'kudos');
    const commons = await follow(b[0]!, `${b[0]!.base}/commons`);
    const c = await startThread(b[0]!, commons, 'Across', 'Hello @kim1, what did you learn?');
    await expectCurrent(cohortId, 'a mention');
    const r2 = await reply(a[0]!, c.url, 'Weeknotes, mostly.');
    await expectCurrent(cohortId, 'a reply in the commons');

    // nothing changed: the figures are read as kept (no change logged, same computation time)
    const { tenantId } = await ids(cohortId);
    const first = await cohortFigures(env.app.db, tenantId, cohortId, new Date(), ['health']);
    for (const path of ['dashboard', 'social', 'inquiry', 'five-factor', 'report', 'export/progress.csv', 'export/participation.csv', 'export/edges.csv']) {
      expect((await get(f, `${f.base}/console/${path}`)).status, path).to.equal(200);
    }
    expect(await unseenChanges(cohortId)).to.equal(0);
    expect((await cohortFigures(env.app.db, tenantId, cohortId, new Date(), ['health'])).asOf.getTime()).to.equal(first.asOf.getTime());
    // a relaunch (last_launch_at) does not make them stale: launches are read live
    await launch(learner(3), undefined, undefined, ls[2]!.browser);
    expect(await unseenChanges(cohortId)).to.equal(0);

    // a learner's own network after a write: from the edges alone, without computing every figure again
    expect((await post(b[0]!, `${b[0]!.base}/posts/${r2}/kudos`, { reason: 'Thanks' })).status).to.equal(303);
    const own = await get(a[0]!, `${a[0]!.base}/profile`);
    expect(own.doc.querySelectorAll('[data-test=own-contact]')).to.have.length(2);
    expect(await unseenChanges(cohortId)).to.be.above(0);
    await expectCurrent(cohortId, 'kudos across groups');

    expect((await post(f, `${f.base}/console/moderation/posts/${r1}/hide`, { reason: 'Off topic', confirmed: 'yes' })).status).to.equal(303);
    await expectCurrent(cohortId, 'hiding a post');
    expect((await post(f, `${f.base}/console/moderation/posts/${r1}/restore`, {})).status).to.equal(303);
    await expectCurrent(cohortId, 'restoring a post');
    expect((await post(a[0]!, `${a[0]!.base}/posts/${r2}/delete`, { confirmed: 'yes' })).status).to.equal(303);
    await expectCurrent(cohortId, 'deleting a post');
    expect((await post(f, `${f.base}/console/moderation/posts/${t.postId}/endorse`, { endorsed: 'yes' })).status).to.equal(303);
    await expectCurrent(cohortId, 'an endorsement');
    expect((await post(f, `${f.base}/console/announcements`, { audience: 'cohort', title: 'Week 1', body: 'Welcome, everyone.' })).status).to.equal(303);
    await expectCurrent(cohortId, 'an announcement');
    expect((await post(b[1]!, `${b[1]!.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'My intention' })).status).to.equal(303);
    await expectCurrent(cohortId, 'an activity answer');

    // member changes, as the roster and the group console make them
    await sql`UPDATE group_members SET group_id = (SELECT group_id FROM group_members gm JOIN memberships m ON m.id = gm.membership_id JOIN persons p ON p.id = m.person_id WHERE p.sub = 'k1')
              WHERE membership_id = (SELECT m.id FROM memberships m JOIN persons p ON p.id = m.person_id WHERE p.sub = ${`k${ls.indexOf(b[2]!) + 1}`})`.execute(env.app.db);
    await expectCurrent(cohortId, 'a learner changing group');
    await sql`UPDATE memberships SET status = 'inactive' WHERE person_id = (SELECT id FROM persons WHERE sub = ${`k${ls.indexOf(a[1]!) + 1}`})`.execute(env.app.db);
    await expectCurrent(cohortId, 'a learner leaving');
    await sql`UPDATE groups SET name = 'Renamed' WHERE id = ${groupOf.get('k1')!}`.execute(env.app.db);
    await expectCurrent(cohortId, 'a group renamed');
    await sql`UPDATE persons SET name = 'Kim Renamed' WHERE sub = 'k4'`.execute(env.app.db);
    await expectCurrent(cohortId, 'a learner renamed by the LMS');
    await sql`DELETE FROM kudos`.execute(env.app.db);
    await expectCurrent(cohortId, 'kudos taken back');
    await sql`DELETE FROM notifications WHERE kind = 'mention'`.execute(env.app.db);
    await expectCurrent(cohortId, 'a mention removed');
  });

  /** Two posts of one cohort (a thread's opening and a reply), for writes made in SQL. */
  async function twoPosts() {
    const ls = [await launch(learner(1)), await launch(learner(2))];
    const commons = await follow(ls[0]!, `${ls[0]!.base}/commons`);
    const t = await startThread(ls[0]!, commons, 'Hello', 'Hi all');
    const r = await reply(ls[1]!, t.url, 'Hi back');
    const { tenantId } = await ids(ls[0]!.cohortId);
    return { cohortId: ls[0]!.cohortId, tenantId, posts: [t.postId, r] as const };
  }
  /** A counted write (a post's text changed) in an open transaction of its own connection. */
  async function openWrite(postId: string) {
    const client = await env.app.handle.pool.connect();
    const rollback = async () => { await client.query('ROLLBACK').catch(() => undefined); client.release(); };
    try {
      await client.query('BEGIN');
      // Waiting on another writer would fail here instead of queueing.
      await client.query(`SET LOCAL lock_timeout = '200ms'`);
      await client.query(`UPDATE posts SET body_html = body_html || ' ' WHERE id = $1`, [postId]);
    } catch (err) {
      await rollback();
      throw err;
    }
    return { commit: async () => { await client.query('COMMIT'); client.release(); }, rollback };
  }

  it('reads the figures of the latest kept computation after a write, though an earlier one was held in memory', async () => {
    const ls = [await launch(learner(1)), await launch(learner(2))];
    const commons = await follow(ls[0]!, `${ls[0]!.base}/commons`);
    const t = await startThread(ls[0]!, commons, 'Hello', 'Hi all');
    const cohortId = ls[0]!.cohortId;
    const { tenantId } = await ids(cohortId);
    const read = async () => JSON.stringify((await cohortFigures(env.app.db, tenantId, cohortId, new Date(), ['participation', 'activity'])).participation);
    const before = await read(); // computed and kept
    expect(await read()).to.equal(before); // read as kept, and held in memory
    expect(await read()).to.equal(before); // the held copy: its computation is still the kept one
    await reply(ls[1]!, t.url, 'Hi back');
    const after = await read(); // computed again
    expect(after).to.not.equal(before);
    expect(await read(), 'the new kept computation, not the copy held before the write').to.equal(after);
    expect(await read()).to.equal(after);
  });

  it('lets two writers of one cohort commit without waiting for each other', async () => {
    const { cohortId, posts } = await twoPosts();
    await expectCurrent(cohortId, 'a thread and a reply');
    const first = await openWrite(posts[0]);
    let second: Awaited<ReturnType<typeof openWrite>> | undefined;
    try {
      second = await openWrite(posts[1]);
      await second.commit();
      await first.commit();
    } catch (err) {
      await second?.rollback();
      await first.rollback();
      throw err;
    }
    await expectCurrent(cohortId, 'two writes at once');
  });

  it('counts a write that was in flight while the figures were computed once it commits', async () => {
    const { cohortId, tenantId, posts } = await twoPosts();
    const inFlight = await openWrite(posts[1]);
    try {
      // A later transaction commits first, so the in-flight one is older than the snapshot's horizon.
      await (await openWrite(posts[0])).commit();
      await cohortFigures(env.app.db, tenantId, cohortId, new Date(), ALL);
    } finally {
      await inFlight.commit();
    }
    expect(await keptFigures(env.app.db, tenantId, cohortId, new Date(), ['health']), 'figures kept before the write committed').to.equal(undefined);
    await expectCurrent(cohortId, 'a write committed after the figures were computed');
  });

  it('shows on each page when its figures were computed', async () => {
    await launch(learner(1));
    const f = await launch(fran);
    for (const path of ['dashboard', 'social', 'inquiry', 'report']) {
      const page = await get(f, `${f.base}/console/${path}`);
      expect(page.status, path).to.equal(200);
      const asOf = page.doc.querySelector('[data-test=figures-as-of] time');
      expect(asOf, path).to.not.equal(null);
      expect(Date.now() - Date.parse(asOf!.getAttribute('datetime')!), path).to.be.below(10 * 60_000);
    }
  });
});
