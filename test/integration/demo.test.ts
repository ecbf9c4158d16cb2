// Demo mode (issue 15): the built-in demo platform launches into the tool through the normal,
// verified launch path; the demo cohort is seeded once, reset alone, and stays in its own tenant.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { sql } from 'kysely';
import { cohortMembers } from '../support/cohort-members.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';
import { untranslatedText } from '../support/untranslated.ts';
import { pino } from 'pino';
import { syncRoster } from '../../server/roster/roster.service.ts';
import { postScore } from '../../lti/ags.ts';

/** Rows of each table under one tenant (every table of ours has a tenant_id). */
async function tenantCounts(app: TestApp, tenantId: string): Promise<Record<string, number>> {
  const tables = ['cohorts', 'persons', 'email_opt_outs', 'memberships', 'groups', 'group_members', 'spaces', 'threads', 'posts', 'kudos', 'notifications', 'activity_responses', 'module_completions', 'module_schedules', 'post_flags', 'action_plans', 'action_plan_partners', 'check_ins', 'resource_links'];
  const out: Record<string, number> = {};
  for (const t of tables) {
    const r = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(t)} WHERE tenant_id = ${tenantId}`.execute(app.db);
    out[t] = Number(r.rows[0]!.n);
  }
  return out;
}

async function demoTenantId(app: TestApp): Promise<string> {
  const row = await app.db.selectFrom('tenants as t').innerJoin('platforms as p', 'p.id', 't.platformId').select('t.id').where('p.demo', '=', true).executeTakeFirstOrThrow();
  return row.id;
}

/** Home → "Try a demo cohort" (a link: the home page gives a reader no session) → the demo page. */
async function tryDemo(app: TestApp, browser = new LtiHttpClient()): Promise<{ browser: LtiHttpClient; page: ReturnType<typeof parse> }> {
  const home = parse((await browser.request(`${app.url}/`)).body);
  expect(home.querySelector('[data-test=try-demo] a')!.getAttribute('href')).to.equal('/demo');
  return { browser, page: await demoReady(app, browser) };
}

/** The demo page once the cohort is made (the seed runs on after the click; the page says so meanwhile). */
async function demoReady(app: TestApp, browser: LtiHttpClient) {
  return waitFor('the demo cohort', async () => {
    const page = parse((await browser.request(`${app.url}/demo`)).body);
    return page.querySelector('[data-test=demo-person]') ? page : undefined;
  }, 60_000);
}

/**
 * "Open as …" as a browser does it: the demo LMS's course page, its frame's login initiation to the
 * tool, the tool's redirect (or framed login step) to the demo platform's auth endpoint, and the
 * id_token it posts back to /lti/launch. `tamper` changes the id_token on the way.
 */
async function openAs(app: TestApp, browser: LtiHttpClient, sub: string, tamper?: (idToken: string) => string) {
  const course = parse((await browser.request(`${app.url}/demo/open?as=${sub}`)).body);
  const frameSrc = new URL(course.querySelector('[data-test=tool-frame]')!.getAttribute('src')!, app.url).href;
  const frame = { initiator: `${app.url}/demo/open`, frameTop: `${app.url}/demo/open` };
  const initiation = parse((await browser.request(frameSrc, frame)).body).querySelector('form')!;
  const fields = Object.fromEntries(initiation.querySelectorAll('input').map((i) => [i.getAttribute('name')!, i.getAttribute('value')!]));
  const login = await browser.request(new URL(initiation.getAttribute('action')!, app.url).href, { ...frame, form: fields });
  const next = login.headers.get('location') ?? parse(login.body).querySelector('a[data-next]')?.getAttribute('href');
  expect(next, login.body.slice(0, 300)).to.be.a('string');
  const answer = parse((await browser.request(new URL(next!, app.url).href, frame)).body).querySelector('form')!;
  const posted = Object.fromEntries(answer.querySelectorAll('input').map((i) => [i.getAttribute('name')!, i.getAttribute('value')!]));
  if (tamper) posted.id_token = tamper(posted.id_token!);
  const launched = await browser.request(new URL(answer.getAttribute('action')!, app.url).href, { ...frame, form: posted });
  return launched;
}

describe('demo mode', function () {
  // Seeding the demo cohort is a few seconds of real writes (more on a busy machine): done once here,
  // and once more by the reset test. Tests look the cohort up afresh, whatever ran before them.
  this.timeout(90_000);
  const env = {} as { app: TestApp; sim: LtiPlatformSimulator; lms: ConnectedPlatform };
  const { launch } = cohortMembers(() => env, { id: 'real-course', title: 'A real course' });
  before(async () => {
    env.app = await startTestApp();
    env.sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    await resetDatabase(env.app.handle);
    env.lms = await connectPlatform(env.app, env.sim);
    await tryDemo(env.app);
  });
  after(async () => {
    await env.sim?.close();
    await env.app?.close();
  });

  it('is absent in production without DEMO=true, and present with it', async () => {
    const prod = await startTestApp({ NODE_ENV: 'production' });
    const prodDemo = await startTestApp({ NODE_ENV: 'production', DEMO: 'true' });
    try {
      const b = new LtiHttpClient();
      expect((await b.request(`${prod.url}/demo`)).status).to.equal(404);
      expect((await b.request(`${prod.url}/demo/platform/jwks`)).status).to.equal(404);
      expect(parse((await b.request(`${prod.url}/`)).body).querySelector('[data-test=try-demo]')).to.equal(null);
      expect((await b.request(`${prodDemo.url}/demo`)).status).to.equal(200);
      expect(parse((await b.request(`${prodDemo.url}/`)).body).querySelector('[data-test=try-demo]')).to.not.equal(null);
    } finally {
      await prod.close();
      await prodDemo.close();
    }
  });

  it('seeds a realistic demo cohort once: trying it again gives the same rows', async () => {
    const tenantId = await demoTenantId(env.app);
    const first = await tenantCounts(env.app, tenantId);
    const { page } = await tryDemo(env.app);
    expect(await tenantCounts(env.app, tenantId)).to.deep.equal(first);
    expect(first.cohorts, 'the current cohort and two past ones').to.equal(3);
    const current = (await env.app.db.selectFrom('cohorts').select('id').where('tenantId', '=', tenantId).where('contextId', '=', 'demo-course').executeTakeFirstOrThrow()).id;
    const currentMembers = Number((await env.app.db.selectFrom('memberships').select((eb) => eb.fn.countAll<string>().as('n')).where('cohortId', '=', current).executeTakeFirstOrThrow()).n);
    expect(currentMembers).to.be.within(13, 21);
    expect(first.groups).to.be.within(3 + 4, 5 + 4); // two each in the past cohorts
    expect(first.post_flags).to.equal(1);
    expect(first.kudos).to.be.greaterThan(5);
    expect(first.action_plans, 'the finishers’ plans, in the past cohorts too').to.be.within(2 + 5, 6 + 8);
    expect(first.check_ins).to.be.greaterThan(0);
    expect(first.email_opt_outs).to.be.at.least(first.persons!); // made-up people are sent no email
    const sizes = await env.app.db.selectFrom('groupMembers').select((eb) => eb.fn.countAll<string>().as('n')).where('tenantId', '=', tenantId).groupBy('groupId').execute();
    for (const s of sizes) expect(Number(s.n)).to.be.within(3, 5);
    // Learners at different stages: some finished all nine modules, some are early on.
    const done = await env.app.db.selectFrom('moduleCompletions').select(['membershipId', (eb) => eb.fn.countAll<string>().as('n')]).where('tenantId', '=', tenantId).groupBy('membershipId').execute();
    expect(Math.max(...done.map((d) => Number(d.n)))).to.equal(9);
    expect(Math.min(...done.map((d) => Number(d.n)))).to.be.lessThan(4);
    expect(page.querySelectorAll('[data-test=demo-person]').length).to.equal(currentMembers);
  });

  it('"Open as" a learner lands on the hub as that learner, through a launch signed by the demo platform', async () => {
    await tryDemo(env.app);
    const browser = new LtiHttpClient();
    const launched = await openAs(env.app, browser, 'demo-03');
    expect(launched.status, launched.body.slice(0, 300)).to.equal(303);
    const hubUrl = new URL(launched.headers.get('location')!, env.app.url).href;
    expect(new URL(hubUrl).pathname).to.match(/^\/cohorts\/[0-9a-f-]{36}$/);
    const hub = parse((await browser.request(hubUrl)).body);
    expect(hub.querySelector('[data-test=person-name]')!.text).to.equal('Amara Mensah');
    expect(hub.querySelector('[data-test=demo-banner]')!.text).to.equal('Demo cohort — made-up people');
    // The facilitator lands on the console; named the demo organisation's programme lead, they open
    // the programme view: the current cohort and the two past ones, their figures already computed.
    const facBrowser = new LtiHttpClient();
    const fac = await openAs(env.app, facBrowser, 'demo-facilitator');
    expect(fac.headers.get('location')).to.match(/\/console$/);
    const consolePage = parse((await facBrowser.request(new URL(fac.headers.get('location')!, env.app.url).href)).body);
    expect(consolePage.querySelector('[data-test=programme-link] a')?.getAttribute('href')).to.equal('/programme');
    const programme = parse((await facBrowser.request(`${env.app.url}/programme`)).body);
    const rows = programme.querySelectorAll('[data-test=programme-cohort]').map((r) => r.querySelectorAll('th, td').map((c) => c.text.trim()));
    expect(rows.map((r) => r[0])).to.deep.equal(['Working Out Loud — first cohort', 'Working Out Loud — second cohort', 'Working Out Loud — third cohort']);
    for (const r of rows) expect(r, r[0]).not.to.include('being computed');
    expect(programme.querySelectorAll('[data-test=programme-chart]').length).to.be.greaterThan(0);
    // Every cohort's network has answers both ways by its end (the past cohorts are seeded as the current one is).
    const { rows: ends } = await sql<{ contextId: string; reciprocity: number | null }>`
      SELECT c.context_id, (s.figures->'network'->'end'->>'reciprocity')::float AS reciprocity
      FROM programme_cohort_snapshots s JOIN cohorts c ON c.tenant_id = s.tenant_id AND c.id = s.cohort_id ORDER BY c.context_id`.execute(env.app.db);
    expect(ends.length).to.equal(3);
    for (const e of ends) expect(e.reciprocity, e.contextId).to.be.greaterThan(0);
  });

  it('refuses a demo launch whose id_token signature is broken, and signs nobody in', async () => {
    await tryDemo(env.app);
    const browser = new LtiHttpClient();
    const flip = (t: string) => {
      const [h, p, s] = t.split('.');
      return `${h}.${p}.${(s![0] === 'A' ? 'B' : 'A') + s!.slice(1)}`;
    };
    const refused = await openAs(env.app, browser, 'demo-03', flip);
    expect(refused.status).to.equal(401);
    const cohort = await env.app.db.selectFrom('cohorts').select('id').where('contextId', '=', 'demo-course').executeTakeFirstOrThrow();
    expect((await browser.request(`${env.app.url}/cohorts/${cohort.id}`)).status).to.equal(401);
  });

  it('reset erases and re-seeds the demo tenant only: another tenant’s rows are untouched', async () => {
    const other = await launch({ sub: 'real-1', name: 'Real Learner', roles: [ROLES.learner] });
    await launch({ sub: 'real-2', name: 'Real Teacher', roles: [ROLES.instructor] });
    const otherTenant = env.lms.platform.id;
    const otherTenantId = (await env.app.db.selectFrom('tenants').select('id').where('platformId', '=', otherTenant).executeTakeFirstOrThrow()).id;
    const otherBefore = await tenantCounts(env.app, otherTenantId);
    const { browser, page } = await tryDemo(env.app);
    const tenantId = await demoTenantId(env.app);
    const seeded = await tenantCounts(env.app, tenantId);
    const cohortBefore = await env.app.db.selectFrom('cohorts').select('id').where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
    // Something a visitor wrote in the demo goes with the reset.
    await env.app.db.updateTable('posts').set({ bodySource: 'changed by a visitor' }).where('tenantId', '=', tenantId).execute();

    const token = page.querySelector('[data-test=demo-reset] input[name=_csrf]')!.getAttribute('value')!;
    expect((await browser.request(`${env.app.url}/demo/reset`, { form: { _csrf: token } })).status).to.equal(400);
    const reset = await browser.request(`${env.app.url}/demo/reset`, { form: { _csrf: token, confirm: 'reset' } });
    expect(reset.status).to.equal(303);
    // Erased before the answer: the page that follows can never offer the old cohort's people.
    expect(await env.app.db.selectFrom('cohorts').select('id').where('id', '=', cohortBefore.id).executeTakeFirst()).to.equal(undefined);
    await demoReady(env.app, browser);

    expect(await tenantCounts(env.app, otherTenantId)).to.deep.equal(otherBefore);
    expect(otherBefore.memberships).to.equal(2);
    expect(await tenantCounts(env.app, tenantId)).to.deep.equal(seeded);
    const cohortAfter = await env.app.db.selectFrom('cohorts').select('id').where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
    expect(cohortAfter.id).to.not.equal(cohortBefore.id);
    expect(await env.app.db.selectFrom('posts').select('id').where('bodySource', '=', 'changed by a visitor').execute()).to.have.length(0);
    expect((await browser.request(other.base)).status).to.equal(401); // the demo browser never launched there
  });

  it('answers the tool’s own NRPS and AGS clients: the roster it serves, the scores it keeps', async () => {
    const tenantId = await demoTenantId(env.app);
    const cohort = await env.app.db.selectFrom('cohorts').select('id').where('tenantId', '=', tenantId).where('contextId', '=', 'demo-course').executeTakeFirstOrThrow();
    const deps = { db: env.app.db, ltiEncryptionKey: env.app.config.ltiEncryptionKey!, log: pino({ level: 'silent' }) };
    const synced = await syncRoster(deps, { tenantId, cohortId: cohort.id });
    expect({ listed: synced.listed, invalid: synced.invalid, added: synced.added, deactivated: synced.deactivated }).to.deep.equal({ listed: 17, invalid: 0, added: 0, deactivated: 0 });
    // A past cohort's course is one of the demo platform's too: its roster is served, nobody leaves.
    const past = await env.app.db.selectFrom('cohorts').select('id').where('tenantId', '=', tenantId).where('contextId', '=', 'demo-course-first').executeTakeFirstOrThrow();
    const pastSynced = await syncRoster(deps, { tenantId, cohortId: past.id });
    expect({ listed: pastSynced.listed, added: pastSynced.added, deactivated: pastSynced.deactivated }).to.deep.equal({ listed: 7, added: 0, deactivated: 0 });

    const platform = await env.app.db.selectFrom('platforms').selectAll().where('demo', '=', true).executeTakeFirstOrThrow();
    const link = await env.app.db.selectFrom('resourceLinks').selectAll().where('tenantId', '=', tenantId).executeTakeFirstOrThrow();
    const score = { userId: 'demo-05', scoreGiven: 7, scoreMaximum: 9, activityProgress: 'InProgress', gradingProgress: 'FullyGraded', timestamp: new Date().toISOString() };
    await postScore(deps, { platform, link: { ...link, title: link.title } }, score);
    const kept = await env.app.db.selectFrom('demoScores').selectAll().where('userSub', '=', 'demo-05').executeTakeFirstOrThrow();
    expect({ given: kept.scoreGiven, max: kept.scoreMaximum, progress: kept.activityProgress }).to.deep.equal({ given: 7, max: 9, progress: 'InProgress' });
    // A score without the demo platform's token is refused.
    const refused = await fetch(`${link.lineitemUrl}/scores`, { method: 'POST', headers: { 'content-type': 'application/vnd.ims.lis.v1.score+json' }, body: JSON.stringify(score) });
    expect(refused.status).to.equal(401);
  });

  it('keeps the demo tenant and a real tenant apart, both ways', async () => {
    const real = await launch({ sub: 'real-1', name: 'Real Learner', roles: [ROLES.learner] });
    await tryDemo(env.app);
    const demoBrowser = new LtiHttpClient();
    const launched = await openAs(env.app, demoBrowser, 'demo-01');
    const demoHub = new URL(launched.headers.get('location')!, env.app.url).href;
    // A real learner cannot open the demo cohort, and a demo learner cannot open the real one.
    expect((await real.browser.request(demoHub)).status).to.equal(401);
    expect((await demoBrowser.request(real.base)).status).to.equal(401);
    // The real learner's pages name nobody from the demo, and carry no demo banner.
    const realHub = (await real.browser.request(real.base)).body;
    expect(realHub).to.not.include('Priya Nair');
    expect(parse(realHub).querySelector('[data-test=demo-banner]')).to.equal(null);
    const experts = (await real.browser.request(`${real.base}/people?q=forecast`)).body;
    expect(experts).to.not.include('Jonas Lindqvist');
  });

  it('speaks through the catalogs: home, the demo page, a course page and the gradebook in en-XA; French for a French browser', async () => {
    const browser = new LtiHttpClient();
    const headers = { 'accept-language': 'en-XA' };
    await demoReady(env.app, browser);
    const learnerSub = parse((await browser.request(`${env.app.url}/demo`)).body).querySelector('[data-test=demo-person]')!.getAttribute('data-sub')!;
    const found: string[] = [];
    for (const path of ['/', '/demo', `/demo/open?as=${learnerSub}`, '/demo/gradebook', '/demo?reset=1']) {
      const page = await browser.request(`${env.app.url}${path}`, { headers });
      expect(page.status, path).to.equal(200);
      expect(page.body).to.match(/<html lang="en-XA"/);
      found.push(...untranslatedText(page.body).map((t) => `${path}: ${t}`));
    }
    expect(found.join('\n')).to.equal('');
    const french = parse((await browser.request(`${env.app.url}/demo`, { headers: { 'accept-language': 'fr-FR' } })).body);
    expect(french.querySelector('h1')?.text).to.equal('Essayer Circlework avec une cohorte de démonstration');
  });
});
