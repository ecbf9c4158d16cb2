// Roster sync (NRPS) through the platform simulator: real tokens signed with the tool key, real
// paging, pg-boss on the test database, and the app's own pages for what people then see.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { pino } from 'pino';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { startTestJobQueue } from '../support/test-jobs.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import type { JobQueue } from '../../server/jobs/job-queue.ts';
import {
  enqueueDueRosterSyncs,
  registerRosterSync,
  requestRosterSync,
  ROSTER_SCHEDULE_QUEUE,
  ROSTER_SYNC_QUEUE,
} from '../../server/roster/roster-sync.job.ts';
import { syncRoster } from '../../server/roster/roster.service.ts';
import { RosterTooLargeError } from '../../lti/nrps.ts';

const MENTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor';
const tom = { sub: 'tom-1', name: 'Tom Teacher', email: 'tom@example.org', roles: [ROLES.instructor] };
const alice = { sub: 'alice-1', name: 'Alice Learner', email: 'alice@example.org', roles: [ROLES.learner] };
const TEST_CRON = '0 0 1 1 *';
const HOUR = 3600_000;

describe('roster sync (NRPS)', () => {
  let app: TestApp;
  let moodle: LtiPlatformSimulator;
  let lms: ConnectedPlatform;
  let queue: JobQueue;
  let clock = new Date();

  before(async () => {
    app = await startTestApp();
    moodle = await LtiPlatformSimulator.start({ kind: 'moodle' });
    queue = await startTestJobQueue();
    await registerRosterSync(
      queue,
      { db: app.db, log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), ltiEncryptionKey: app.config.ltiEncryptionKey! },
      // A schedule that never comes due during a run (ticks are triggered by hand), fast retries.
      { everyCron: TEST_CRON, now: () => clock, retry: { limit: 3, delaySeconds: 1, backoff: false }, pollingIntervalSeconds: 0.5 },
    );
  });
  after(async () => {
    await settleRosterJobs();
    await queue.boss.unschedule(ROSTER_SCHEDULE_QUEUE);
    await queue.stop();
    await moodle.close();
    await app.close();
  });
  // A sync a test started must not outlive it: its transaction would meet the next reset's TRUNCATE
  // (each waiting for a table the other holds) or write into the next test's data.
  afterEach(() => settleRosterJobs());
  beforeEach(async () => {
    await resetDatabase(app.handle);
    lms = await connectPlatform(app, moodle);
    moodle.services.serviceCalls.length = 0;
    moodle.services.tokenRequests.length = 0;
    moodle.services.serviceDelayMs = 0;
    clock = new Date();
  });

  const deps = () => ({ db: app.db, ltiEncryptionKey: app.config.ltiEncryptionKey! });
  const cohortIdOf = (url: string) => new URL(url).pathname.split('/')[2]!;
  const nrpsCalls = () => moodle.services.serviceCalls.filter((c) => new URL(c.url).pathname.startsWith('/nrps/'));

  async function launch(user: { sub: string; name?: string; email?: string; roles: string[] }, opts: { browser?: LtiHttpClient; context?: { id: string; title?: string }; lms?: ConnectedPlatform } = {}) {
    const browser = opts.browser ?? new LtiHttpClient();
    const res = await moodle.launch(app.url, browser, { user, clientId: (opts.lms ?? lms).clientId, ...(opts.context ? { context: opts.context } : {}) });
    expect(res.status, res.body.slice(0, 300)).to.equal(200);
    const cohortId = cohortIdOf(res.finalUrl);
    const { tenantId } = await app.db.selectFrom('cohorts').select('tenantId').where('id', '=', cohortId).executeTakeFirstOrThrow();
    return { browser, res, cohortId, tenantId };
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Drops the roster jobs still queued (or waiting to retry) and waits for those running to end. */
  async function settleRosterJobs(): Promise<void> {
    await waitFor('running roster jobs to end', async () => {
      let running = 0;
      for (const name of [ROSTER_SCHEDULE_QUEUE, ROSTER_SYNC_QUEUE]) {
        await queue.boss.deleteQueuedJobs(name);
        running += (await queue.boss.findJobs(name)).filter((j) => j.state === 'active').length;
      }
      return running === 0;
    });
  }

  const syncedAt = async (cohortId: string) =>
    (await app.db.selectFrom('cohorts').select('rosterSyncedAt').where('id', '=', cohortId).executeTakeFirstOrThrow()).rosterSyncedAt;

  const membersOf = (cohortId: string) =>
    app.db
      .selectFrom('memberships as m')
      .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
      .select(['p.sub', 'p.name', 'p.email', 'm.role', 'm.status', 'm.firstLaunchAt', 'm.lastLaunchAt', 'm.lmsRoles'])
      .where('m.cohortId', '=', cohortId)
      .orderBy('p.sub')
      .execute();

  it('after a facilitator launch, creates memberships for members who never launched, with the names, emails and roles the LMS shares', async () => {
    moodle.setMembers('course-1', [
      { user_id: tom.sub, roles: tom.roles },
      { user_id: 'ann-2', roles: [ROLES.learner], name: 'Ann Early', email: 'ann@example.org' },
      { user_id: 'ben-3', roles: [ROLES.learner] },
      { user_id: 'tia-4', roles: [ROLES.ta], name: 'Tia Assistant' },
      { user_id: 'mo-5', roles: [MENTOR], name: 'Mo Mentor' },
      { user_id: 'gone-6', roles: [ROLES.learner], name: 'Gone Before', status: 'Deleted' },
    ]);
    const { cohortId, tenantId } = await launch(tom);
    expect(await requestRosterSync(queue, { tenantId, cohortId })).to.be.a('string');
    await waitFor('the sync', () => syncedAt(cohortId));

    const members = await membersOf(cohortId);
    expect(members.map((m) => m.sub)).to.deep.equal(['ann-2', 'ben-3', 'mo-5', 'tia-4', 'tom-1']);
    const by = Object.fromEntries(members.map((m) => [m.sub, m]));
    expect(by['ann-2']).to.include({ name: 'Ann Early', email: 'ann@example.org', role: 'learner', status: 'active', firstLaunchAt: null, lastLaunchAt: null });
    // Moodle's NRPS names roles by their short names.
    expect(by['ann-2']!.lmsRoles).to.deep.equal(['Learner']);
    expect(by['ben-3']).to.include({ name: null, email: null, role: 'learner', status: 'active' });
    expect(by['tia-4']).to.include({ name: 'Tia Assistant', role: 'facilitator', firstLaunchAt: null });
    expect(by['mo-5']).to.include({ role: 'observer' });
    // The roster left Tom's name and email out: what his launch shared is kept.
    expect(by['tom-1']).to.include({ name: 'Tom Teacher', email: 'tom@example.org', role: 'facilitator', status: 'active' });
    expect(by['tom-1']!.firstLaunchAt).to.be.an.instanceOf(Date);
    // One token with the NRPS scope, signed with the tool key and accepted by the platform.
    expect(moodle.services.tokenRequests).to.deep.equal([
      { clientId: lms.clientId, scopes: ['https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly'], ok: true },
    ]);
  });

  it('shows a member who has not launched yet on the facilitator console as “Not yet”', async () => {
    moodle.setMembers('course-1', [{ user_id: 'ann-2', roles: [ROLES.learner], name: 'Ann Early', email: 'ann@example.org' }]);
    const { cohortId, tenantId, browser } = await launch(tom);
    await syncRoster(deps(), { tenantId, cohortId });
    const page = await browser.request(`${app.url}/cohorts/${cohortId}/console`);
    expect(page.status).to.equal(200);
    const rows = parse(page.body).querySelectorAll('[data-test=member]').map((r) => r.text);
    const ann = rows.find((r) => r.includes('Ann Early'));
    expect(ann, rows.join(' | ')).to.be.a('string');
    expect(ann).to.include('ann@example.org').and.include('Learner').and.include('Not yet');
    expect(rows.find((r) => r.includes('Tom Teacher'))).not.to.include('Not yet');
  });

  it('serves the console’s roster part to the cohort’s facilitators only', async () => {
    moodle.setMembers('course-1', [{ user_id: 'ann-2', roles: [ROLES.learner], name: 'Ann Early' }]);
    const learner = await launch(alice);
    const { cohortId, tenantId, browser } = await launch(tom);
    await syncRoster(deps(), { tenantId, cohortId });
    const part = await browser.request(`${app.url}/cohorts/${cohortId}/console/roster`);
    expect(part.status).to.equal(200);
    const html = parse(part.body);
    expect(html.querySelectorAll('[data-test=member]').map((r) => r.text).join(' | ')).to.contain('Ann Early').and.contain('Alice Learner');
    expect(html.querySelector('[data-test=roster-counts]')?.text).to.contain('2 learners and 1 facilitator');
    expect(html.querySelector('[data-roster-pending]')).to.equal(null);
    expect(part.body).not.to.contain('<html');
    expect((await learner.browser.request(`${app.url}/cohorts/${cohortId}/console/roster`)).status).to.equal(403);
    // A facilitator of another cohort has no launch here (401) and sees none of it; a malformed cohort id is 404.
    const other = await launch({ ...tom, sub: 'tom-other' }, { context: { id: 'course-other' } });
    const foreign = await other.browser.request(`${app.url}/cohorts/${cohortId}/console/roster`);
    expect(foreign.status).to.equal(401);
    expect(foreign.body).not.to.contain('Ann Early');
    expect((await browser.request(`${app.url}/cohorts/not-a-cohort/console/roster`)).status).to.equal(404);
  });

  it('ends the access of a member the LMS marks Inactive at their next request, and gives it back when they are Active again', async () => {
    const learner = await launch(alice);
    const { cohortId, tenantId } = await launch(tom);
    expect((await learner.browser.request(learner.res.finalUrl)).status).to.equal(200);

    moodle.setMembers('course-1', [{ user_id: tom.sub, roles: tom.roles }, { user_id: alice.sub, roles: alice.roles, status: 'Inactive' }]);
    await requestRosterSync(queue, { tenantId, cohortId });
    await waitFor('alice inactive', async () => (await membersOf(cohortId)).find((m) => m.sub === alice.sub && m.status === 'inactive'));
    const refused = await learner.browser.request(learner.res.finalUrl);
    expect(refused.status).to.equal(401);
    expect(parse(refused.body).querySelector('[data-test=error-message]')?.text).to.contain('has ended');

    moodle.setMembers('course-1', [{ user_id: tom.sub, roles: tom.roles }, { user_id: alice.sub, roles: alice.roles }]);
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ added: 0, updated: 1, deactivated: 0, listed: 2 });
    expect((await learner.browser.request(learner.res.finalUrl)).status).to.equal(200);
    // Nothing changed since: a second sync changes nothing.
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ added: 0, updated: 0, deactivated: 0 });
  });

  it('counts a deactivation once, and does not create memberships for Inactive or Deleted people who never launched', async () => {
    await launch(alice);
    const { cohortId, tenantId } = await launch(tom);
    moodle.setMembers('course-1', [
      { user_id: alice.sub, roles: alice.roles, status: 'Deleted' },
      { user_id: 'never-7', roles: [ROLES.learner], status: 'Inactive' },
      { user_id: 'new-8', roles: [ROLES.learner] },
    ]);
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ added: 1, updated: 0, deactivated: 1, listed: 3 });
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ added: 0, updated: 0, deactivated: 0 });
    expect((await membersOf(cohortId)).map((m) => `${m.sub}:${m.status}`)).to.deep.equal(['alice-1:inactive', 'new-8:active', 'tom-1:active']);
    expect(await app.db.selectFrom('persons').select('sub').where('sub', '=', 'never-7').execute()).to.deep.equal([]);
  });

  it('leaves people the roster no longer lists as they are', async () => {
    await launch(alice);
    const { cohortId, tenantId } = await launch(tom);
    moodle.setMembers('course-1', [{ user_id: 'new-8', roles: [ROLES.learner] }]);
    await syncRoster(deps(), { tenantId, cohortId });
    expect((await membersOf(cohortId)).map((m) => `${m.sub}:${m.status}`)).to.deep.equal(['alice-1:active', 'new-8:active', 'tom-1:active']);
  });

  it('follows the roster over several pages (Link rel="next")', async () => {
    const learners = Array.from({ length: 250 }, (_, i) => ({ user_id: `l-${String(i).padStart(3, '0')}`, roles: [ROLES.learner], name: `Learner ${i}` }));
    moodle.setMembers('course-1', learners);
    const { cohortId, tenantId } = await launch(tom);
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ added: 250, listed: 250, invalid: 0 });
    const pages = nrpsCalls().map((c) => new URL(c.url).searchParams);
    expect(pages.map((q) => [q.get('limit'), q.get('from')])).to.deep.equal([['100', null], ['100', '100'], ['100', '200']]);
    expect(await membersOf(cohortId)).to.have.length(251);
  });

  it('refuses a roster longer than the limit whole, without fetching the pages beyond it', async () => {
    moodle.setMembers('course-1', Array.from({ length: 250 }, (_, i) => ({ user_id: `l-${i}`, roles: [ROLES.learner] })));
    const { cohortId, tenantId } = await launch(tom);
    const err = await syncRoster({ ...deps(), nrps: { maxMembers: 120 } }, { tenantId, cohortId }).catch((e: unknown) => e);
    expect(err).to.be.an.instanceOf(RosterTooLargeError);
    expect(nrpsCalls()).to.have.length(2);
    expect(await membersOf(cohortId)).to.have.length(1);
    expect(await syncedAt(cohortId)).to.equal(null);
  });

  it('retries a sync when the LMS fails, until it answers', async () => {
    moodle.setMembers('course-1', [{ user_id: 'ann-2', roles: [ROLES.learner], name: 'Ann Early' }]);
    const { cohortId, tenantId } = await launch(tom);
    moodle.failNextServiceCalls(2, 500);
    await requestRosterSync(queue, { tenantId, cohortId });
    await waitFor('the sync after two failures', () => syncedAt(cohortId));
    expect(nrpsCalls().map((c) => c.status)).to.deep.equal([500, 500, 200]);
    expect((await membersOf(cohortId)).map((m) => m.sub)).to.deep.equal(['ann-2', 'tom-1']);
  });

  it('does not retry what waiting will not fix (a roster URL the LMS does not know)', async () => {
    const { cohortId, tenantId } = await launch(tom);
    await app.db.updateTable('cohorts').set({ nrpsUrl: `${moodle.baseUrl}/nrps/course-1/no-such-list` }).where('id', '=', cohortId).execute();
    const jobId = (await requestRosterSync(queue, { tenantId, cohortId }))!;
    const job = await waitFor('the job to finish', async () => {
      const j = await queue.boss.getJobById(ROSTER_SYNC_QUEUE, jobId);
      return j && ['completed', 'failed'].includes(j.state) ? j : undefined;
    });
    expect(job).to.include({ state: 'completed', retryCount: 0 });
    expect(nrpsCalls().map((c) => c.status)).to.deep.equal([404]);
    expect(await syncedAt(cohortId)).to.equal(null);
  });

  it('runs one sync of a cohort at a time: a request while one runs waits, a third is merged into it', async () => {
    moodle.setMembers('course-1', [{ user_id: 'ann-2', roles: [ROLES.learner] }]);
    const { cohortId, tenantId } = await launch(tom);
    moodle.services.serviceDelayMs = 1000;
    moodle.services.maxConcurrentServiceCalls = 0;
    expect(await requestRosterSync(queue, { tenantId, cohortId })).to.be.a('string');
    await waitFor('the first sync to call the LMS', async () => nrpsCalls().length === 1);
    expect(await requestRosterSync(queue, { tenantId, cohortId })).to.be.a('string');
    expect(await requestRosterSync(queue, { tenantId, cohortId })).to.equal(null);
    await waitFor('two syncs', async () => nrpsCalls().length === 2 && nrpsCalls().every((c) => c.status === 200));
    expect(moodle.services.maxConcurrentServiceCalls).to.equal(1);
  });

  it('leaves no sync running for the next test: settling waits for a sync still talking to the LMS', async () => {
    moodle.setMembers('course-1', [{ user_id: 'ann-2', roles: [ROLES.learner] }]);
    const { cohortId, tenantId } = await launch(tom);
    moodle.services.serviceDelayMs = 500;
    const id = (await requestRosterSync(queue, { tenantId, cohortId }))!;
    const state = async () => (await queue.boss.findJobs(ROSTER_SYNC_QUEUE, { id }))[0]?.state;
    await waitFor('the sync to start', async () => (await state()) === 'active');
    await settleRosterJobs();
    expect(await state()).to.equal('completed');
    expect(await syncedAt(cohortId)).to.be.an.instanceOf(Date);
  });

  it('keeps tenants apart: syncing a context leaves the same context id in another deployment untouched', async () => {
    const other = await connectPlatform(app, moodle);
    const elsewhere = await launch(alice, { lms: other });
    const here = await launch(tom);
    expect(here.tenantId).not.to.equal(elsewhere.tenantId);
    // The simulator serves one list per context id: both deployments' course-1 see it.
    moodle.setMembers('course-1', [
      { user_id: alice.sub, roles: alice.roles, name: 'Alice Renamed', status: 'Inactive' },
      { user_id: 'ann-2', roles: [ROLES.learner] },
    ]);
    expect(await syncRoster(deps(), { tenantId: here.tenantId, cohortId: here.cohortId })).to.include({ added: 1, deactivated: 0 });
    expect((await membersOf(elsewhere.cohortId)).map((m) => `${m.sub}:${m.status}:${m.name}`)).to.deep.equal(['alice-1:active:Alice Learner']);
    expect((await elsewhere.browser.request(elsewhere.res.finalUrl)).status).to.equal(200);
    expect(await app.db.selectFrom('persons').select('sub').where('tenantId', '=', elsewhere.tenantId).execute()).to.have.length(1);
    // A cohort id of the other tenant under this tenant's id finds nothing.
    expect(await syncRoster(deps(), { tenantId: here.tenantId, cohortId: elsewhere.cohortId })).to.include({ skipped: 'no-cohort' });
  });

  describe('the schedule', () => {
    async function cohorts() {
      const ids: Record<string, { cohortId: string; tenantId: string }> = {};
      for (const id of ['stale', 'never', 'fresh', 'no-nrps']) ids[id] = await launch(tom, { context: { id } });
      const set = (id: string, v: Record<string, unknown>) => app.db.updateTable('cohorts').set(v).where('id', '=', ids[id]!.cohortId).execute();
      await set('stale', { rosterSyncedAt: new Date(clock.getTime() - 7 * HOUR) });
      await set('fresh', { rosterSyncedAt: new Date(clock.getTime() - 1 * HOUR) });
      await set('no-nrps', { nrpsUrl: null });
      return ids;
    }

    it('is registered with pg-boss on the cron it was given', async () => {
      const schedules = await queue.boss.getSchedules(ROSTER_SCHEDULE_QUEUE);
      expect(schedules.map((s) => s.cron)).to.deep.equal([TEST_CRON]);
    });

    it('syncs the cohorts with a roster URL whose last sync is older than the period, and only those', async () => {
      const ids = await cohorts();
      moodle.setMembers('stale', [{ user_id: 'ann-2', roles: [ROLES.learner] }]);
      const before = await syncedAt(ids.fresh!.cohortId);

      await queue.boss.send(ROSTER_SCHEDULE_QUEUE, {});
      await waitFor('stale and never-synced cohorts', async () => {
        const [stale, never] = await Promise.all(['stale', 'never'].map((id) => syncedAt(ids[id]!.cohortId)));
        return stale && stale.getTime() > clock.getTime() - 60_000 && never;
      });
      expect(await syncedAt(ids.fresh!.cohortId)).to.deep.equal(before);
      expect(await queue.boss.findJobs(ROSTER_SYNC_QUEUE, { key: `${ids.fresh!.tenantId}:${ids.fresh!.cohortId}` })).to.have.length(0);
      expect(await syncedAt(ids['no-nrps']!.cohortId)).to.equal(null);
      expect((await membersOf(ids.stale!.cohortId)).map((m) => m.sub)).to.deep.equal(['ann-2', 'tom-1']);
    });

    it('takes the period from the clock it is given, without waiting for it', async () => {
      const { cohortId } = await launch(tom);
      await app.db.updateTable('cohorts').set({ rosterSyncedAt: clock }).where('id', '=', cohortId).execute();
      const stale = 6 * 3600;
      expect(await enqueueDueRosterSyncs(queue, app.db, { now: new Date(clock.getTime() + 5 * HOUR), staleAfterSeconds: stale })).to.equal(0);
      expect(await enqueueDueRosterSyncs(queue, app.db, { now: new Date(clock.getTime() + 7 * HOUR), staleAfterSeconds: stale })).to.equal(1);
      await waitFor('the sync', async () => (await syncedAt(cohortId))!.getTime() > clock.getTime());
    });

    it('skips cohorts of a disabled deployment or platform', async () => {
      const { cohortId, tenantId } = await launch(tom);
      await app.db.updateTable('tenants').set({ status: 'disabled' }).where('id', '=', tenantId).execute();
      expect(await enqueueDueRosterSyncs(queue, app.db, { now: clock, staleAfterSeconds: 0 })).to.equal(0);
      await app.db.updateTable('tenants').set({ status: 'active' }).where('id', '=', tenantId).execute();
      await app.db.updateTable('platforms').set({ status: 'disabled' }).execute();
      expect(await enqueueDueRosterSyncs(queue, app.db, { now: clock, staleAfterSeconds: 0 })).to.equal(0);
      expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ skipped: 'deployment-inactive' });
    });
  });
});
