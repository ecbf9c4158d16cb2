// Launches and roster syncs of the same cohort at the same time (issue 9): every launch is answered,
// and they take their locks in one order, so PostgreSQL never has to end one of them to break a
// deadlock. Retries are counted from the log: a retried transaction means the order was broken.
import { expect } from 'chai';
import { pino } from 'pino';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { syncRoster } from '../../server/roster/roster.service.ts';
import { insertRosterMemberships, upsertRosterPersons } from '../../models/roster.queries.ts';
import type { Db } from '../../models/db.ts';
import { insertGroup, insertGroupMember, lockCohortGroups } from '../../models/groups.queries.ts';

const tom = { sub: 'tom-1', name: 'Tom Teacher', email: 'tom@example.org', roles: [ROLES.instructor] };

/** A logger that keeps what it writes: the retries withRetryingTransaction logs, among them. */
function capturingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, retries: () => lines.filter((l) => typeof l.transaction === 'string' && typeof l.attempt === 'number'), clear: () => void (lines.length = 0) };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves once `count` sessions of the test database are waiting for a lock. */
async function lockWaiters(db: Db, count: number): Promise<void> {
  for (let i = 0; ; i++) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
    if (rows[0]!.n >= count) return;
    if (i > 500) throw new Error(`timed out waiting for ${count} sessions to wait for a lock (${rows[0]!.n})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('launches during a roster sync', () => {
  let app: TestApp;
  let moodle: LtiPlatformSimulator;
  let lms: ConnectedPlatform;
  const logs = capturingLog();

  before(async () => {
    app = await startTestApp({}, { log: logs.log, poolSize: 10 });
    moodle = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    await moodle.close();
    await app.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    lms = await connectPlatform(app, moodle);
    logs.clear();
  });

  const deps = () => ({ db: app.db, ltiEncryptionKey: app.config.ltiEncryptionKey!, log: logs.log });

  async function launch(user: { sub: string; name?: string; email?: string; roles: string[] }, contextId: string) {
    const res = await moodle.launch(app.url, new LtiHttpClient(), { user, clientId: lms.clientId, context: { id: contextId, title: `Course ${contextId}` } });
    return res.status;
  }

  async function facilitatorLaunch(contextId: string) {
    expect(await launch(tom, contextId)).to.equal(200);
    return app.db.selectFrom('cohorts').select(['id as cohortId', 'tenantId']).where('contextId', '=', contextId).executeTakeFirstOrThrow();
  }

  it('answers every launch of everyone on the roster while the roster is synced, round after round, with no 5xx and no deadlock', async function () {
    this.timeout(90_000);
    for (let round = 1; round <= 4; round++) {
      const contextId = `busy-${round}`;
      const people = Array.from({ length: 20 }, (_, i) => ({
        sub: `r${round}-p${String(i).padStart(2, '0')}`,
        name: `Person ${round}.${i}`,
        email: `p${round}.${i}@example.org`,
        roles: [ROLES.learner],
      }));
      // The LMS lists people in an order of its own: here the reverse of ours.
      moodle.setMembers(contextId, [tom, ...people].reverse().map((p) => ({ user_id: p.sub, roles: p.roles, name: p.name, email: p.email })));
      const where = await facilitatorLaunch(contextId);

      let launching = true;
      const syncs = (async () => {
        let n = 0;
        // Sync after sync for as long as the launches go on (and at least once).
        while (launching || n === 0) {
          await syncRoster(deps(), where);
          n++;
        }
        return n;
      })();
      const statuses = await Promise.all(people.map((p) => launch(p, contextId))).finally(() => (launching = false));
      expect(await syncs).to.be.at.least(1);

      expect(statuses.filter((s) => s >= 500), `round ${round}`).to.deep.equal([]);
      expect(statuses.every((s) => s === 200), `round ${round}: ${statuses.join(' ')}`).to.equal(true);
      const launched = await app.db
        .selectFrom('memberships')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('cohortId', '=', where.cohortId)
        .where('firstLaunchAt', 'is not', null)
        .executeTakeFirstOrThrow();
      expect(Number(launched.n)).to.equal(people.length + 1);
    }
    expect(logs.retries(), JSON.stringify(logs.retries().map((r) => r.transaction))).to.deep.equal([]);
  });

  it('takes the cohort before the people in a sync, as a launch does: a launch waiting on a sync does not deadlock it', async () => {
    const alice = { sub: 'alice-1', name: 'Alice Learner', email: 'alice@example.org', roles: [ROLES.learner] };
    moodle.setMembers('race', [tom, alice].map((p) => ({ user_id: p.sub, roles: p.roles, name: p.name, email: p.email })));
    const where = await facilitatorLaunch('race');
    await syncRoster(deps(), where);

    // Another transaction holds Alice's person row, so that the sync and her launch queue up behind it.
    const release = deferred();
    const holding = deferred();
    const holder = app.db.transaction().execute(async (tx) => {
      await sql`SELECT id FROM persons WHERE sub = 'alice-1' FOR UPDATE`.execute(tx);
      holding.resolve();
      await release.promise;
    });
    await holding.promise;
    const sync = syncRoster(deps(), where);
    await lockWaiters(app.db, 1);
    const launched = launch(alice, 'race');
    await lockWaiters(app.db, 2);
    release.resolve();
    await holder;

    expect(await launched).to.equal(200);
    expect(await sync).to.include({ listed: 2 });
    expect(logs.retries()).to.deep.equal([]);
  });

  it('places a learner who launches while groups are being formed: the launch waits for the formation, then joins a group', async () => {
    const where = await facilitatorLaunch('forming');
    expect(await launch({ sub: 'early', name: 'Early', roles: [ROLES.learner] }, 'forming')).to.equal(200);
    const early = await app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', 'early').executeTakeFirstOrThrow();
    // A formation holds the cohort's groups lock and has made its groups, not yet committed.
    const release = deferred();
    const holding = deferred();
    const formation = app.db.transaction().execute(async (tx) => {
      await lockCohortGroups(tx, where.tenantId, where.cohortId);
      const group = await insertGroup(tx, { tenantId: where.tenantId, cohortId: where.cohortId, name: 'Group 1' });
      await insertGroupMember(tx, { tenantId: where.tenantId, groupId: group.id, membershipId: early.id });
      holding.resolve();
      await release.promise;
    });
    await holding.promise;
    const late = launch({ sub: 'late', name: 'Late', roles: [ROLES.learner] }, 'forming');
    await lockWaiters(app.db, 1);
    release.resolve();
    await formation;
    expect(await late).to.equal(200);
    const placed = await app.db
      .selectFrom('groupMembers as gm')
      .innerJoin('memberships as m', 'm.id', 'gm.membershipId')
      .innerJoin('persons as p', 'p.id', 'm.personId')
      .select('p.sub')
      .where('m.cohortId', '=', where.cohortId)
      .orderBy('p.sub')
      .execute();
    expect(placed.map((r) => r.sub)).to.deep.equal(['early', 'late']);
    expect(logs.retries()).to.deep.equal([]);
  });

  it('writes the roster’s people and memberships in the order of their keys, whatever order the LMS lists them in', async () => {
    // Rows are written (and locked) in the order the statement lists them; a fresh table keeps that
    // order on disk, so ctid shows it. One order for every sync means two syncs never wait on each other in a cycle.
    const where = await facilitatorLaunch('order');
    const person = (sub: string) => ({ sub, name: null, givenName: null, familyName: null, email: null });
    await upsertRosterPersons(app.db, where.tenantId, ['cy-3', 'al-1', 'bo-2'].map(person));
    const persons = await sql<{ sub: string; id: string }>`SELECT sub, id FROM persons WHERE sub <> 'tom-1' ORDER BY ctid`.execute(app.db);
    expect(persons.rows.map((p) => p.sub)).to.deep.equal(['al-1', 'bo-2', 'cy-3']);

    const ids = persons.rows.map((p) => p.id);
    await insertRosterMemberships(app.db, where.tenantId, where.cohortId, [...ids].reverse().map((personId) => ({ personId, role: 'learner' as const, lmsRoles: [ROLES.learner] })));
    const memberships = await sql<{ personId: string }>`SELECT person_id AS "personId" FROM memberships WHERE cohort_id = ${where.cohortId} AND first_launch_at IS NULL ORDER BY ctid`.execute(app.db);
    expect(memberships.rows.map((m) => m.personId)).to.deep.equal([...ids].sort());
  });

  it('keeps the key order across the chunks of a long roster', async function () {
    this.timeout(30_000);
    // More than one chunk (1000 rows a statement), listed by the LMS in reverse key order.
    const subs = Array.from({ length: 1100 }, (_, i) => `m-${String(i).padStart(4, '0')}`);
    moodle.setMembers('long', [...subs].reverse().map((sub) => ({ user_id: sub, roles: [ROLES.learner] })));
    const where = await facilitatorLaunch('long');
    expect(await syncRoster(deps(), where)).to.include({ added: 1100 });
    const persons = await sql<{ sub: string }>`SELECT sub FROM persons WHERE sub LIKE 'm-%' ORDER BY ctid`.execute(app.db);
    expect(persons.rows.map((p) => p.sub)).to.deep.equal(subs);
  });
});
