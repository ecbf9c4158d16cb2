// The in-process caches (sessions, membership standing, frame origins, cohort rows, module schedules) with two app instances on one
// database, as two processes would run: a change made through one instance takes effect at the next
// request on the other once the NOTIFY has arrived (waited for by polling, never a fixed sleep).
import { expect } from 'chai';
import { sql } from 'kysely';
import { parse } from 'node-html-parser';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { LtiHttpClient } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { waitFor } from '../support/wait.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';
import { updateMembershipStatuses } from '../../models/roster.queries.ts';
import { CACHE_LISTENER_NAME, listenOnPoolConnections } from '../../models/cache-invalidations.ts';
import { createDb } from '../../models/db.ts';
import pg from 'pg';
import { testDatabaseUrl } from '../support/test-database.ts';

const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };

describe('in-process caches across two app instances', () => {
  const { env, launch, follow, post } = cohortSuite({ context: { id: 'cache-two-instances', title: 'Caches' } });
  let b: TestApp;
  before(async () => {
    b = await startTestApp();
  });
  after(() => b?.close());

  /** The same browser (cookies are not per port) asks instance B for a path of the member's cohort. */
  const onB = (m: Member, path = '') => m.browser.request(`${b.url}/cohorts/${m.cohortId}${path}`);
  const membershipOf = async (sub: string) =>
    env.app.db.selectFrom('memberships as m').innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId')).select(['m.tenantId', 'm.cohortId', 'm.id']).where('p.sub', '=', sub).executeTakeFirstOrThrow();
  const untilStatus = (what: string, request: () => Promise<{ status: number }>, status: number) =>
    waitFor(what, async () => (await request()).status === status);

  it('refuses a member deactivated through instance A at the next request on instance B', async () => {
    const m = await launch({ sub: 'leaving', name: 'Leaving', roles: [ROLES.learner] });
    expect((await onB(m)).status).to.equal(200); // B now holds the session and the standing
    expect((await onB(m)).status).to.equal(200);
    const { tenantId, cohortId, id } = await membershipOf('leaving');
    await updateMembershipStatuses(env.app.db, tenantId, cohortId, [id], 'inactive');
    await untilStatus('B to refuse the deactivated member', () => onB(m), 401);
  });

  it('gives the role changed by a launch on instance A to the next request on instance B', async () => {
    const m = await launch({ sub: 'promoted', name: 'Promoted', roles: [ROLES.learner] });
    expect((await onB(m, '/console')).status).to.equal(403);
    // The same person launches as an instructor from another browser: the stored role changes, the first browser's session does not.
    await launch({ sub: 'promoted', name: 'Promoted', roles: [ROLES.instructor] }, undefined, undefined, new LtiHttpClient());
    await untilStatus('B to open the console to the new facilitator', () => onB(m, '/console'), 200);
  });

  it('refuses everyone of a platform disabled in the admin console on A, and drops its origin from B’s CSP', async () => {
    const m = await launch({ sub: 'framed', name: 'Framed', roles: [ROLES.learner] });
    const frameAncestors = async () => (await onB(m)).headers.get('content-security-policy')?.match(/frame-ancestors ([^;]*)/)?.[1] ?? '';
    expect(await frameAncestors()).to.include(env.lms.sim.baseUrl);
    const admin = new LtiHttpClient();
    await seedAdmin(env.app.db, ADMIN);
    const csrf = async (path: string) => parse((await admin.request(`${env.app.url}${path}`)).body).querySelector('input[name=_csrf]')!.getAttribute('value')!;
    expect((await admin.request(`${env.app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, _csrf: await csrf('/admin/login') } })).status).to.equal(303);
    const disabled = await admin.request(`${env.app.url}/admin/platforms/${env.lms.platform.id}/status`, { method: 'POST', form: { status: 'disabled', confirmed: 'yes', _csrf: await csrf('/admin') } });
    expect(disabled.status).to.equal(303);
    await untilStatus('B to refuse a member of the disabled platform', () => onB(m), 401);
    expect(await frameAncestors()).to.equal("'self'");
  });

  it('ends on instance B an admin session logged out on instance A', async () => {
    await seedAdmin(env.app.db, ADMIN);
    const admin = new LtiHttpClient();
    const csrf = async (url: string) => parse((await admin.request(url)).body).querySelector('input[name=_csrf]')!.getAttribute('value')!;
    expect((await admin.request(`${env.app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, _csrf: await csrf(`${env.app.url}/admin/login`) } })).status).to.equal(303);
    const cookie = (await admin.jar.getCookieString(`${b.url}/admin`)) || '';
    // The old cookie is replayed as is: logging out must end that session, not only give the browser a new one.
    // Read to the end: express-session stores what the page changed (its CSRF token) before the last byte.
    const adminOnB = async () => {
      const r = await fetch(`${b.url}/admin`, { headers: { cookie }, redirect: 'manual' });
      await r.text();
      return r;
    };
    expect((await adminOnB()).status).to.equal(200);
    expect((await adminOnB()).status).to.equal(200);
    expect((await admin.request(`${env.app.url}/admin/logout`, { method: 'POST', form: { _csrf: await csrf(`${env.app.url}/admin`) } })).status).to.equal(303);
    await untilStatus('B to send the logged-out admin to the login page', adminOnB, 303);
  });

  it('shows on instance B the unread count as notifications arrive and are read on instance A', async () => {
    const m = await launch({ sub: 'mentioned', name: 'Mentioned', roles: [ROLES.learner] });
    const { tenantId, id } = await membershipOf('mentioned');
    const space = await follow(m, `${m.base}/commons`);
    expect((await post(m, `${space}/threads`, { title: 'Hello', body: 'First words' })).status).to.equal(303);
    const unread = async () => parse((await onB(m)).body).querySelector('[data-test=unread-count]')?.text ?? '0';
    expect(await unread()).to.equal('0');
    // A mention of them in that post, as a post by someone else would write it.
    await sql`INSERT INTO notifications (tenant_id, membership_id, kind, actor_membership_id, thread_id, post_id)
      SELECT tenant_id, ${id}, 'mention', ${id}, thread_id, id FROM posts WHERE tenant_id = ${tenantId}`.execute(env.app.db);
    await waitFor('B to count the new notification', async () => (await unread()) === '1');
    expect((await post(m, `${m.base}/notifications/read`, {})).status).to.equal(303);
    await waitFor('B to count it read', async () => (await unread()) === '0');
  });

  it('drops from B’s unread count a mention in a post hidden through A, also when the post mentioned many', async () => {
    const m = await launch({ sub: 'among-many', name: 'Among many', roles: [ROLES.learner] });
    const { tenantId, cohortId, id } = await membershipOf('among-many');
    const space = await follow(m, `${m.base}/commons`);
    expect((await post(m, `${space}/threads`, { title: 'Hello all', body: 'Words for everyone' })).status).to.equal(303);
    // Them and 120 more mentioned: more members than one NOTIFY payload can name.
    await sql`WITH p AS (INSERT INTO persons (tenant_id, sub, name) SELECT ${tenantId}, 'many-' || g, 'Many ' || g FROM generate_series(1, 120) g RETURNING tenant_id, id),
      m AS (INSERT INTO memberships (tenant_id, cohort_id, person_id, role) SELECT tenant_id, ${cohortId}, id, 'learner' FROM p RETURNING id)
      INSERT INTO notifications (tenant_id, membership_id, kind, actor_membership_id, thread_id, post_id)
      SELECT ${tenantId}, mm.id, 'mention', ${id}, po.thread_id, po.id FROM (SELECT id FROM m UNION ALL SELECT ${id}::uuid) mm, posts po WHERE po.tenant_id = ${tenantId}`.execute(env.app.db);
    const unread = async () => parse((await onB(m)).body).querySelector('[data-test=unread-count]')?.text ?? '0';
    await waitFor('B to count the mention', async () => (await unread()) === '1');
    await sql`UPDATE posts SET status = 'hidden' WHERE tenant_id = ${tenantId}`.execute(env.app.db);
    await waitFor('B to stop counting the mention of a hidden post', async () => (await unread()) === '0');
  });

  it('shows on instance B a cohort renamed in the LMS, at the next launch through instance A', async () => {
    const m = await launch({ sub: 'renamed', name: 'Renamed', roles: [ROLES.learner] });
    const title = async () => parse((await onB(m)).body).querySelector('title')?.text ?? '';
    expect(await title()).to.include('Caches');
    expect(await title()).to.include('Caches');
    await launch({ sub: 'renamed', name: 'Renamed', roles: [ROLES.learner] }, { id: 'cache-two-instances', title: 'Circles renamed' }, undefined, new LtiHttpClient());
    await waitFor('B to show the new title', async () => (await title()).includes('Circles renamed'));
  });

  it('shows on instance B the module schedule a facilitator saved through A, and on A at once', async () => {
    const m = await launch({ sub: 'scheduled', name: 'Scheduled', roles: [ROLES.learner] });
    const f = await launch({ sub: 'scheduler', name: 'Scheduler', roles: [ROLES.instructor] });
    const module2State = async (on: 'A' | 'B') => {
      const r = on === 'B' ? await onB(m, '/modules/2') : await m.browser.request(`${m.base}/modules/2`);
      return parse(r.body).querySelector('[data-test=module-page]')?.getAttribute('data-state');
    };
    expect(await module2State('B')).to.equal('locked');
    expect(await module2State('B'), 'B now holds the (empty) schedule').to.equal('locked');
    const dates = (module2: string) => Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`module_${i + 1}`, i === 1 ? module2 : '2026-01-01']));
    expect((await post(f, `${f.base}/console/schedule`, dates('2026-01-01'))).status).to.equal(303);
    expect(await module2State('A'), 'the writer’s own process, with no wait').to.equal('not-started');
    await waitFor('B to open module 2', async () => (await module2State('B')) === 'not-started');
    expect((await post(f, `${f.base}/console/schedule`, dates('2099-01-01'))).status).to.equal(303);
    expect(await module2State('A')).to.equal('locked');
    await waitFor('B to lock module 2 again', async () => (await module2State('B')) === 'locked');
  });

  it('shows on instance B the analytics settings a facilitator saved through A, and on A at once', async () => {
    const f = await launch({ sub: 'settings-keeper', name: 'Settings', roles: [ROLES.instructor] });
    const settingsOn = async (on: 'A' | 'B') => {
      const page = parse((on === 'B' ? await onB(f, '/console/dashboard') : await f.browser.request(`${f.base}/console/dashboard`)).body);
      return `${page.querySelector('input[name=quietDays]')?.getAttribute('value')} ${page.querySelector('input[name=relationshipAnalytics]')?.hasAttribute('checked')}`;
    };
    const socialOn = async () => parse((await onB(f, '/console/social')).body).querySelector('[data-test=relationship-analytics-off]') !== null;
    expect(await settingsOn('B')).to.equal('7 true');
    expect(await settingsOn('B'), 'B now holds "none saved"').to.equal('7 true');
    expect(await socialOn()).to.equal(false);
    expect((await post(f, `${f.base}/console/dashboard/settings`, { quietDays: '3', relationshipAnalytics: 'off' })).status).to.equal(303);
    expect(await settingsOn('A'), 'the writer’s own process, with no wait').to.equal('3 false');
    await waitFor('B to show the saved settings', async () => (await settingsOn('B')) === '3 false');
    expect(await socialOn(), 'relationship analytics off on B').to.equal(true);
    expect((await post(f, `${f.base}/console/dashboard/settings`, { quietDays: '5', relationshipAnalytics: 'on' })).status).to.equal(303);
    await waitFor('B to show the settings changed again', async () => (await settingsOn('B')) === '5 true');
    expect(await socialOn()).to.equal(false);
  });

  it('tells the processes to drop a cohort only when a launch changes its row, not at every launch (updated_at alone)', async () => {
    const listener = new pg.Client({ connectionString: testDatabaseUrl() });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query('LISTEN circlework_cache');
    try {
      const m = await launch({ sub: 'again', name: 'Again', roles: [ROLES.learner] });
      const cohortTag = `cohort:${(await membershipOf('again')).tenantId}:${m.cohortId}`;
      await launch({ sub: 'again', name: 'Again', roles: [ROLES.learner] }, undefined, undefined, new LtiHttpClient());
      // Notifications arrive in commit order: once this marker is heard, the relaunch's would have been.
      await sql`SELECT pg_notify('circlework_cache', 'marker-after-relaunch')`.execute(env.app.db);
      await waitFor('the marker', async () => heard.includes('marker-after-relaunch'));
      expect(heard.filter((t) => t.includes(cohortTag)), 'a relaunch that changes nothing').to.deep.equal([]);
      await launch({ sub: 'again', name: 'Again', roles: [ROLES.learner] }, { id: 'cache-two-instances', title: 'A new title' }, undefined, new LtiHttpClient());
      await waitFor('the cohort to be dropped', async () => heard.some((t) => t.includes(cohortTag)));
    } finally {
      await listener.end();
    }
  });

  it('hears a change written through its own pool before the write returns (no flight to wait for)', async () => {
    const own = createDb(String(env.app.handle.pool.options.connectionString), { max: 1 });
    try {
      const heard: string[] = [];
      listenOnPoolConnections(own.pool, (tags) => heard.push(...tags));
      await own.db.updateTable('platforms').set({ status: 'disabled' }).where('id', '=', env.lms.platform.id).execute();
      expect(heard).to.include('platforms');
    } finally {
      await own.close();
    }
  });

  describe('before B has heard of a change for the better (a NOTIFY still in flight)', () => {
    /** B hears nothing while `during` runs, as if each NOTIFY were late. */
    const deafB = async (during: () => Promise<void>) => {
      const invalidate = b.caches.shared.invalidate.bind(b.caches.shared);
      b.caches.shared.invalidate = () => undefined;
      try {
        await during();
      } finally {
        b.caches.shared.invalidate = invalidate;
      }
    };

    it('lets in a launch just made through A: it comes with a fresh session id, which B has never cached', async () => {
      const m = await launch({ sub: 'two-courses', name: 'Two courses', roles: [ROLES.learner] });
      expect((await onB(m)).status).to.equal(200);
      await deafB(async () => {
        const second = await launch({ sub: 'two-courses', name: 'Two courses', roles: [ROLES.learner] }, { id: 'cache-second-course', title: 'Second' }, undefined, m.browser);
        expect((await onB(second)).status).to.equal(200);
      });
    });

    it('lets in a member reactivated (or promoted) through A while B’s cached standing still refuses', async () => {
      const m = await launch({ sub: 'returning', name: 'Returning', roles: [ROLES.learner] });
      const { tenantId, cohortId, id } = await membershipOf('returning');
      await updateMembershipStatuses(env.app.db, tenantId, cohortId, [id], 'inactive');
      await untilStatus('B to refuse the deactivated member', () => onB(m), 401);
      expect((await onB(m, '/console')).status).to.equal(401);
      await deafB(async () => {
        await updateMembershipStatuses(env.app.db, tenantId, cohortId, [id], 'active');
        expect((await onB(m)).status).to.equal(200);
        expect((await onB(m, '/console')).status).to.equal(403);
        await sql`UPDATE memberships SET role = 'facilitator' WHERE tenant_id = ${tenantId} AND id = ${id}`.execute(env.app.db);
        expect((await onB(m, '/console')).status).to.equal(200);
      });
    });
  });

  it('serves nothing stale while its LISTEN connection is down, and caches again once it is back', async () => {
    const m = await launch({ sub: 'dropped', name: 'Dropped', roles: [ROLES.learner] });
    expect((await onB(m)).status).to.equal(200);
    expect((await onB(m)).status).to.equal(200);
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ${CACHE_LISTENER_NAME} AND datname = current_database()`.execute(env.app.db);
    await waitFor('B to notice its listener is gone', async () => !b.caches.shared.listening);
    const { tenantId, cohortId, id } = await membershipOf('dropped');
    // Made while nobody listens: no NOTIFY reaches B, yet its very next request sees it.
    await updateMembershipStatuses(env.app.db, tenantId, cohortId, [id], 'inactive');
    expect((await onB(m)).status).to.equal(401);
    await updateMembershipStatuses(env.app.db, tenantId, cohortId, [id], 'active');
    expect((await onB(m)).status).to.equal(200);
    await waitFor('B to listen again', async () => b.caches.shared.listening);
    expect((await onB(m)).status).to.equal(200);
    expect(b.caches.shared.size).to.be.greaterThan(0);
    await updateMembershipStatuses(env.app.db, tenantId, cohortId, [id], 'inactive');
    await untilStatus('B to refuse the member again', () => onB(m), 401);
  });
});
