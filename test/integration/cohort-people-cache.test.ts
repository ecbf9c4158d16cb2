// A cohort's people (its active learners with their group and last launch, and its groups) kept in
// process memory for the facilitator's pages of figures (server/cache/app-caches.ts, cohortPeople),
// with what the pages make of them kept by them (the report's table, the CSV files). Two app
// instances on one database, as two processes would run: what instance B keeps shows, at its next
// request once the NOTIFY has arrived (waited for by polling, never a fixed sleep), every change made
// through instance A or by any writer straight in SQL (migration 20261206T0300): a launch, a name,
// a learner joining or leaving, a group renamed, formed or removed, a member moved.
import { expect } from 'chai';
import { sql } from 'kysely';
import { parse } from 'node-html-parser';
import { cohortSuite } from '../support/cohort-members.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { waitFor } from '../support/wait.ts';

describe('cohort people kept across two app instances', () => {
  const { env, launch } = cohortSuite({ context: { id: 'kept-people', title: 'Kept people' } });
  let b: TestApp;
  before(async () => {
    b = await startTestApp();
    await b.caches.ready();
  });
  after(() => b?.close());

  /** Ann and Ben in group Alpha, Cy in no group; Fran reads the participation CSV on B until B keeps the cohort's people. */
  async function keptPeople() {
    const ann = await launch({ sub: 'ann', name: 'Ann Arbor', roles: [ROLES.learner] });
    await launch({ sub: 'ben', name: 'Ben Bay', roles: [ROLES.learner] });
    await launch({ sub: 'cy', name: 'Cy Cove', roles: [ROLES.learner] });
    const fran = await launch({ sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] });
    const db = env.app.db;
    const { tenantId } = await db.selectFrom('cohorts').select('tenantId').where('id', '=', ann.cohortId).executeTakeFirstOrThrow();
    const membershipOf = async (sub: string) =>
      (await db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', sub).where('m.cohortId', '=', ann.cohortId).executeTakeFirstOrThrow()).id;
    const ids = { ann: await membershipOf('ann'), ben: await membershipOf('ben'), cy: await membershipOf('cy') };
    const alpha = (await sql<{ id: string }>`INSERT INTO groups (tenant_id, cohort_id, name) VALUES (${tenantId}, ${ann.cohortId}, 'Alpha') RETURNING id`.execute(db)).rows[0]!.id;
    await sql`INSERT INTO group_members (tenant_id, membership_id, group_id) VALUES (${tenantId}, ${ids.ann}, ${alpha}), (${tenantId}, ${ids.ben}, ${alpha})`.execute(db);
    const base = `${b.url}/cohorts/${ann.cohortId}/console`;
    /** The participation CSV on B, by learner: [group, last active]. */
    const csvOnB = async () => {
      const r = await fran.browser.request(`${base}/export/participation.csv`);
      expect(r.status, r.body.slice(0, 2000)).to.equal(200);
      const rows = r.body.trim().split('\r\n').slice(1).map((line) => line.split(','));
      return Object.fromEntries(rows.map((cells) => [cells[0]!, { group: cells[1]!, lastActive: cells[9]! }]));
    };
    const key = `cohort-people:${tenantId}:${ann.cohortId}`;
    /**
     * Reads until B keeps the people (a read is not kept when a NOTIFY naming them arrived while it
     * ran, such as the previous change's): each change below is made to what B holds, or the test
     * would prove nothing.
     */
    const keptOnB = () => waitFor('B to keep the cohort’s people', async () => (await csvOnB(), b.caches.shared.has(key)));
    await keptOnB();
    return { db, tenantId, cohortId: ann.cohortId, ids, alpha, fran, base, csvOnB, keptOnB };
  }

  it('shows on B a learner’s launch, a new name, a learner joining and one leaving', async () => {
    const t = await keptPeople();
    expect(Object.keys(await t.csvOnB())).to.have.members(['Ann Arbor', 'Ben Bay', 'Cy Cove']);
    // Launches alone move no kept figure: only the people carry them.
    await sql`UPDATE memberships SET last_launch_at = '2031-02-03T04:05:06Z' WHERE id = ${t.ids.ann}`.execute(t.db);
    await waitFor('B to show Ann’s launch', async () => (await t.csvOnB())['Ann Arbor']?.lastActive === '2031-02-03T04:05:06.000Z');
    await t.keptOnB();
    await sql`UPDATE persons SET name = 'Ann Renamed' WHERE tenant_id = ${t.tenantId} AND sub = 'ann'`.execute(t.db);
    await waitFor('B to show the new name', async () => 'Ann Renamed' in (await t.csvOnB()));
    await t.keptOnB();
    await launch({ sub: 'dee', name: 'Dee Dale', roles: [ROLES.learner] });
    await waitFor('B to list the learner who joined', async () => 'Dee Dale' in (await t.csvOnB()));
    // One insert alone, as a roster sync adds someone who never launched.
    await t.keptOnB();
    await sql`WITH p AS (INSERT INTO persons (tenant_id, sub, name) VALUES (${t.tenantId}, 'eve', 'Eve Roster') RETURNING id)
      INSERT INTO memberships (tenant_id, cohort_id, person_id, role) SELECT ${t.tenantId}, ${t.cohortId}, id, 'learner' FROM p`.execute(t.db);
    await waitFor('B to list the learner the roster added', async () => 'Eve Roster' in (await t.csvOnB()));
    // Out of any group first (a late joiner may have been placed in one), so that only the membership's own row goes.
    await sql`DELETE FROM group_members WHERE membership_id = ${t.ids.cy}`.execute(t.db);
    await t.keptOnB();
    await sql`DELETE FROM memberships WHERE id = ${t.ids.cy}`.execute(t.db);
    await waitFor('B to drop the learner who left', async () => !('Cy Cove' in (await t.csvOnB())));
  });

  it('shows on B a group renamed, a member moved, added and removed, and a group removed', async () => {
    const t = await keptPeople();
    expect((await t.csvOnB())['Ann Arbor']?.group).to.equal('Alpha');
    await sql`UPDATE groups SET name = 'Alpha Renamed' WHERE id = ${t.alpha}`.execute(t.db);
    await waitFor('B to show the group’s new name', async () => (await t.csvOnB())['Ann Arbor']?.group === 'Alpha Renamed');
    await t.keptOnB();
    // A group with no one in it yet: only the network's legend names it.
    const legendOnB = async () => {
      const r = await t.fran.browser.request(`${t.base}/social`);
      expect(r.status).to.equal(200);
      return parse(r.body).querySelector('figure.network')?.text ?? '';
    };
    expect(await legendOnB()).to.not.include('Beta');
    await t.keptOnB();
    const beta = (await sql<{ id: string }>`INSERT INTO groups (tenant_id, cohort_id, name) VALUES (${t.tenantId}, ${t.cohortId}, 'Beta') RETURNING id`.execute(t.db)).rows[0]!.id;
    await waitFor('B to draw the new group in the legend', async () => (await legendOnB()).includes('Beta'));
    await t.keptOnB();
    await sql`UPDATE group_members SET group_id = ${beta} WHERE membership_id = ${t.ids.ben}`.execute(t.db);
    await waitFor('B to show Ben moved', async () => (await t.csvOnB())['Ben Bay']?.group === 'Beta');
    await t.keptOnB();
    await sql`INSERT INTO group_members (tenant_id, membership_id, group_id) VALUES (${t.tenantId}, ${t.ids.cy}, ${beta})`.execute(t.db);
    await waitFor('B to show Cy added', async () => (await t.csvOnB())['Cy Cove']?.group === 'Beta');
    await t.keptOnB();
    await sql`DELETE FROM group_members WHERE membership_id = ${t.ids.ann}`.execute(t.db);
    await waitFor('B to show Ann in no group', async () => (await t.csvOnB())['Ann Arbor']?.group === '');
    await t.keptOnB();
    await sql`DELETE FROM groups WHERE id = ${beta}`.execute(t.db);
    await waitFor('B to show Ben and Cy in no group', async () => {
      const rows = await t.csvOnB();
      return rows['Ben Bay']?.group === '' && rows['Cy Cove']?.group === '';
    });
  });

  it('shows on B’s console the member table as it changes: an email, access ended, a launch', async () => {
    const t = await keptPeople();
    const key = `member-table:${t.tenantId}:${t.cohortId}:`;
    const rowsOnB = async () => {
      const r = await t.fran.browser.request(t.base);
      expect(r.status).to.equal(200);
      return parse(r.body).querySelectorAll('[data-test=member]').map((tr) => tr.querySelectorAll('td').map((td) => td.text.trim()));
    };
    const annOnB = async () => (await rowsOnB()).find((cells) => cells[0] === 'Ann Arbor')!;
    const keptTableOnB = () => waitFor('B to keep the member table', async () => (await rowsOnB(), b.caches.shared.has(key)));
    await keptTableOnB();
    const before = await annOnB();
    await sql`UPDATE persons SET email = 'ann@new.example' WHERE tenant_id = ${t.tenantId} AND sub = 'ann'`.execute(t.db);
    await waitFor('B to show the new email', async () => (await annOnB())[1] === 'ann@new.example');
    await keptTableOnB();
    await sql`UPDATE memberships SET status = 'inactive' WHERE id = ${t.ids.ann}`.execute(t.db);
    await waitFor('B to show Ann’s access ended', async () => (await annOnB())[3] !== before[3]);
    await keptTableOnB();
    const launched = (await annOnB())[4];
    await sql`UPDATE memberships SET last_launch_at = '2031-02-03T04:05:06Z' WHERE id = ${t.ids.ann}`.execute(t.db);
    await waitFor('B to show Ann’s last launch', async () => (await annOnB())[4] !== launched);
  });

  it('lists on B’s dashboard who has gone quiet by the kept launches, and drops a learner who launches again', async () => {
    const t = await keptPeople();
    await sql`UPDATE memberships SET last_launch_at = now() - interval '9 days' WHERE id = ${t.ids.cy}`.execute(t.db);
    const quietOnB = async () => {
      const r = await t.fran.browser.request(`${t.base}/dashboard`);
      expect(r.status).to.equal(200);
      return parse(r.body).querySelectorAll('[data-test=quiet-learner]').map((e) => e.text);
    };
    await waitFor('B to list Cy as quiet', async () => (await quietOnB()).some((text) => text.includes('Cy Cove')));
    await t.keptOnB();
    await sql`UPDATE memberships SET last_launch_at = now() WHERE id = ${t.ids.cy}`.execute(t.db);
    await waitFor('B to take Cy off the quiet list', async () => !(await quietOnB()).some((text) => text.includes('Cy Cove')));
  });

  it('shows the change on the report’s kept table too, and keeps nothing another cohort can read', async () => {
    const t = await keptPeople();
    const tableOnB = async () => {
      const r = await t.fran.browser.request(`${t.base}/report`);
      expect(r.status).to.equal(200);
      return parse(r.body).querySelectorAll('[data-test=participation] tbody th').map((e) => e.text.trim());
    };
    expect(await tableOnB()).to.have.members(['Ann Arbor', 'Ben Bay', 'Cy Cove']);
    await t.keptOnB();
    await sql`UPDATE persons SET name = 'Ben Renamed' WHERE tenant_id = ${t.tenantId} AND sub = 'ben'`.execute(t.db);
    await waitFor('B’s report to show the new name', async () => (await tableOnB()).includes('Ben Renamed'));
    // Another cohort's facilitator, on B where our people are kept, is refused ours and sees their own.
    const other = await launch({ sub: 'otto', name: 'Otto Other', roles: [ROLES.instructor] }, { id: 'other-course', title: 'Other' });
    expect((await other.browser.request(`${t.base}/export/participation.csv`)).status).to.be.oneOf([401, 403, 404]);
    const theirs = await other.browser.request(`${b.url}/cohorts/${other.cohortId}/console/export/participation.csv`);
    expect(theirs.status).to.equal(200);
    expect(theirs.body).to.not.include('Ben Renamed');
    expect(theirs.body.trim().split('\r\n')).to.have.length(1);
  });
});
