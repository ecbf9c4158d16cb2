// Launches through the platform simulator (real RS256 tokens, real HTTP) into the real app.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';

const alice = { sub: 'alice-1', name: 'Alice Learner', email: 'alice@example.org', roles: [ROLES.learner] };
const tom = { sub: 'tom-1', name: 'Tom Teacher', given_name: 'Tom', family_name: 'Teacher', roles: [ROLES.instructor] };

describe('LTI launch', () => {
  let app: TestApp;
  let moodle: LtiPlatformSimulator;
  let lms: ConnectedPlatform;

  before(async () => {
    app = await startTestApp();
    moodle = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle A' });
  });
  after(async () => {
    await moodle.close();
    await app.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    lms = await connectPlatform(app, moodle);
  });

  const cohortIdOf = (url: string) => new URL(url).pathname.split('/')[2]!;
  const countMemberships = async () => Number((await sql<{ n: string }>`select count(*) as n from memberships`.execute(app.db)).rows[0]!.n);

  it('lands a learner (303) on the cohort hub named after the course, with the nine modules and their name', async () => {
    const browser = new LtiHttpClient();
    const res = await moodle.launch(app.url, browser, { user: alice, context: { id: 'c-42', title: 'Leading Teams 2026' }, clientId: lms.clientId });
    expect(res.status).to.equal(200);
    expect(new URL(res.finalUrl).pathname).to.match(/^\/cohorts\/[0-9a-f-]{36}$/);
    const page = parse(res.body);
    expect(page.querySelector('[data-test=cohort-hub] h1')?.text).to.equal('Leading Teams 2026');
    expect(page.querySelector('[data-test=learner-name]')?.text).to.equal('Alice Learner');
    const modules = page.querySelectorAll('[data-test=module] a').map((a) => a.text);
    expect(modules).to.have.length(9);
    expect(modules[0]).to.equal('Learning in the flow of work');
    expect(modules[8]).to.equal('From learning to action');
  });

  it('marks a launch with the institution or system Administrator role as a programme lead in the session, and no other', async () => {
    const admin = { sub: 'ada-1', name: 'Ada Admin', roles: ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator', ROLES.instructor] };
    for (const [user, lead] of [[admin, true], [tom, false], [alice, false]] as const) {
      const res = await moodle.launch(app.url, new LtiHttpClient(), { user, clientId: lms.clientId });
      const cohortId = cohortIdOf(res.finalUrl);
      const { rows } = await sql<{ sess: { passport: { user: { launches: Record<string, { sub: string; programmeLead?: boolean }> } } } }>`select sess from http_sessions`.execute(app.db);
      const launches = rows.map((r) => r.sess.passport?.user?.launches?.[cohortId]).filter((l) => l?.sub === user.sub);
      expect(launches, user.sub).to.have.length(1);
      expect(launches[0]!.programmeLead, user.sub).to.equal(lead);
    }
  });

  it("links back to the course from every page with the LMS's launch_presentation.return_url, breaking out of the frame", async () => {
    const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, returnUrl: `${moodle.baseUrl}/mod/lti/return.php?course=2&instanceid=5&sesskey=abc` });
    const back = parse(res.body).querySelector('[data-test=back-to-course]');
    expect(back?.getAttribute('href')).to.equal(`${moodle.baseUrl}/mod/lti/return.php?course=2&instanceid=5&sesskey=abc`);
    expect(back?.getAttribute('target')).to.equal('_top');
  });

  it('shows no way back when the LMS sends no return_url, or one that is not an http(s) address', async () => {
    for (const returnUrl of [null, 'javascript:alert(1)']) {
      const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, returnUrl });
      expect(res.status, String(returnUrl)).to.equal(200);
      expect(parse(res.body).querySelector('[data-test=back-to-course]'), String(returnUrl)).to.equal(null);
    }
  });

  it('accepts the OIDC login as a form POST as well as a GET', async () => {
    const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, loginMethod: 'POST' });
    expect(res.status).to.equal(200);
    expect(parse(res.body).querySelector('[data-test=cohort-hub]')).to.not.equal(null);
  });

  it('answers the id_token POST with a 303 to our page, not an ltik URL', async () => {
    const browser = new LtiHttpClient();
    const { state, redirectUri, idToken } = await moodle.beginLaunch(app.url, browser, { user: alice, clientId: lms.clientId });
    const res = await browser.request(redirectUri, { method: 'POST', form: { id_token: idToken, state }, initiator: moodle.baseUrl, frameTop: moodle.baseUrl });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.match(/^\/cohorts\/[0-9a-f-]{36}$/);
    expect(res.headers.get('location')).not.to.contain('ltik');
  });

  it('creates the cohort at the first launch and upserts person and membership on each launch', async () => {
    await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId });
    await moodle.launch(app.url, new LtiHttpClient(), { user: { ...alice, name: 'Alice Renamed' }, clientId: lms.clientId });
    const cohorts = await app.db.selectFrom('cohorts').selectAll().execute();
    expect(cohorts).to.have.length(1);
    expect(cohorts[0]).to.include({ contextId: 'course-1', title: 'Course 1', tenantId: (await app.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id });
    const persons = await app.db.selectFrom('persons').selectAll().execute();
    expect(persons.map((p) => p.name)).to.deep.equal(['Alice Renamed']);
    expect(await countMemberships()).to.equal(1);
  });

  it('lands a facilitator on the console, which lists the members known so far', async () => {
    await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId });
    const res = await moodle.launch(app.url, new LtiHttpClient(), { user: tom, clientId: lms.clientId });
    expect(res.status).to.equal(200);
    expect(new URL(res.finalUrl).pathname).to.match(/\/console$/);
    const rows = parse(res.body).querySelectorAll('[data-test=member]').map((r) => r.text);
    expect(rows.some((r) => r.includes('Alice Learner') && r.includes('Learner'))).to.equal(true);
    expect(rows.some((r) => r.includes('Tom Teacher') && r.includes('Facilitator'))).to.equal(true);
  });

  for (const [label, roles] of [
    ['TeachingAssistant (sub-role URI)', [ROLES.ta]],
    ['short role names', ['Instructor']],
    ['Administrator', ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator']],
    ['ContentDeveloper', ['http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper']],
  ] as const) {
    it(`treats ${label} as a facilitator`, async () => {
      const res = await moodle.launch(app.url, new LtiHttpClient(), { user: { sub: 'f', roles: [...roles] }, clientId: lms.clientId });
      expect(new URL(res.finalUrl).pathname).to.match(/\/console$/);
    });
  }

  it('honours a role change at the next launch, and a learner cannot open the console', async () => {
    const browser = new LtiHttpClient();
    const first = await moodle.launch(app.url, browser, { user: { ...alice, roles: [ROLES.instructor] }, clientId: lms.clientId });
    expect(new URL(first.finalUrl).pathname).to.match(/\/console$/);
    const second = await moodle.launch(app.url, browser, { user: alice, clientId: lms.clientId });
    const cohortId = cohortIdOf(second.finalUrl);
    expect(new URL(second.finalUrl).pathname).to.equal(`/cohorts/${cohortId}`);
    const membership = await app.db.selectFrom('memberships').select('role').executeTakeFirstOrThrow();
    expect(membership.role).to.equal('learner');
    const console = await browser.request(`${app.url}/cohorts/${cohortId}/console`);
    expect(console.status).to.equal(403);
  });

  it('keeps later pages working with our session cookie only, and refuses them to another browser', async () => {
    const browser = new LtiHttpClient();
    const res = await moodle.launch(app.url, browser, { user: alice, clientId: lms.clientId });
    const again = await browser.request(res.finalUrl);
    expect(again.status).to.equal(200);
    const stranger = await new LtiHttpClient().request(res.finalUrl);
    expect(stranger.status).to.equal(401);
    expect(parse(stranger.body).querySelector('[data-test=error-message]')?.text).to.contain('Open Circlework from your course');
  });

  it('keeps two courses launched in one browser working side by side', async () => {
    const browser = new LtiHttpClient();
    const a = await moodle.launch(app.url, browser, { user: alice, context: { id: 'course-a', title: 'Course A' }, clientId: lms.clientId });
    const b = await moodle.launch(app.url, browser, { user: alice, context: { id: 'course-b', title: 'Course B' }, clientId: lms.clientId });
    expect(cohortIdOf(a.finalUrl)).not.to.equal(cohortIdOf(b.finalUrl));
    expect((await browser.request(a.finalUrl)).status).to.equal(200);
    expect((await browser.request(b.finalUrl)).status).to.equal(200);
  });

  it('drops the previous person’s courses when another person launches in the same browser', async () => {
    const browser = new LtiHttpClient();
    const a = await moodle.launch(app.url, browser, { user: alice, context: { id: 'course-a' }, clientId: lms.clientId });
    await moodle.launch(app.url, browser, { user: { sub: 'bob', roles: [ROLES.learner] }, context: { id: 'course-b' }, clientId: lms.clientId });
    expect((await browser.request(a.finalUrl)).status).to.equal(401);
  });

  it('regenerates the session id at each launch', async () => {
    const browser = new LtiHttpClient();
    await moodle.launch(app.url, browser, { user: alice, clientId: lms.clientId });
    const first = (await browser.cookies(app.url)).find((c) => c.key === 'cw.sid')?.value;
    await moodle.launch(app.url, browser, { user: alice, clientId: lms.clientId });
    const second = (await browser.cookies(app.url)).find((c) => c.key === 'cw.sid')?.value;
    expect(first).to.be.a('string');
    expect(second).to.be.a('string').and.not.equal(first);
    // The session it replaced is gone from the store (not only from this browser).
    const sidOf = (cookie: string) => decodeURIComponent(cookie).replace(/^s:/, '').split('.')[0]!;
    const stored = await sql<{ sid: string }>`SELECT sid FROM http_sessions`.execute(app.db);
    expect(stored.rows.map((r) => r.sid)).to.deep.equal([sidOf(second!)]);
  });

  describe('valid variants of the launch message', () => {
    const variants: Array<[string, (c: Record<string, unknown>) => Record<string, unknown>]> = [
      ['multiple roles', (c) => ({ ...c, 'https://purl.imsglobal.org/spec/lti/claim/roles': [ROLES.learner, 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student', 'http://purl.imsglobal.org/vocab/lis/v2/system/person#User'] })],
      ['short role names', (c) => ({ ...c, 'https://purl.imsglobal.org/spec/lti/claim/roles': ['Learner'] })],
      ['an unknown role', (c) => ({ ...c, 'https://purl.imsglobal.org/spec/lti/claim/roles': ['http://purl.imsglobal.org/vocab/lis/v2/membership#Wizard'] })],
      ['an empty role', (c) => ({ ...c, 'https://purl.imsglobal.org/spec/lti/claim/roles': [''] })],
      ['no PII', (c) => { const { name, email, given_name, family_name, ...rest } = c; return rest; }],
      ['email only', (c) => { const { name, given_name, family_name, ...rest } = c; return { ...rest, email: 'only@example.org' }; }],
      ['names only', (c) => { const { email, name, ...rest } = c; return { ...rest, given_name: 'Given', family_name: 'Family' }; }],
    ];
    for (const [label, tamper] of variants) {
      it(`accepts ${label}`, async () => {
        const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, tamperClaims: tamper });
        expect(res.status, res.body.slice(0, 300)).to.equal(200);
        expect(parse(res.body).querySelector('[data-test=cohort-hub]')).to.not.equal(null);
      });
    }
    it('shows given and family name when no full name is shared', async () => {
      const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, tamperClaims: variants[6]![1] });
      expect(parse(res.body).querySelector('[data-test=learner-name]')?.text).to.equal('Given Family');
    });
  });

  it('accepts a token issued 50 s ago (clock skew) and refuses one issued 2 minutes ago', async () => {
    const skewed = (secondsAgo: number) => (c: Record<string, unknown>) => ({ ...c, iat: Math.floor(Date.now() / 1000) - secondsAgo });
    expect((await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, tamperClaims: skewed(50) })).status).to.equal(200);
    expect((await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, tamperClaims: skewed(120) })).status).to.equal(401);
  });

  it('fetches the platform JWKS once for many launches, and again when a new kid appears', async () => {
    const before = moodle.jwksFetchCount;
    for (let i = 0; i < 3; i++) await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId });
    expect(moodle.jwksFetchCount - before).to.be.at.most(1);
    await moodle.rotateKey();
    const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId });
    expect(res.status).to.equal(200);
    expect(moodle.jwksFetchCount - before).to.be.at.most(2);
  });

  it('takes the keys of a new platform at the address of a closed one, even just after a refetch for the old one', async () => {
    // The app keeps keys per JWKS URL for the whole process. A CI run once failed nine launches here:
    // an earlier test's simulator had the same port, and its rotation had just used the refetch.
    const first = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle before' });
    const port = Number(new URL(first.baseUrl).port);
    try {
      const { clientId } = await connectPlatform(app, first);
      expect((await first.launch(app.url, new LtiHttpClient(), { user: alice, clientId })).status).to.equal(200);
      await first.rotateKey();
      expect((await first.launch(app.url, new LtiHttpClient(), { user: alice, clientId })).status).to.equal(200);
    } finally {
      await first.close();
    }
    const next = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle after', port });
    try {
      expect(next.jwksUri).to.equal(first.jwksUri);
      const { clientId } = await connectPlatform(app, next);
      expect((await next.launch(app.url, new LtiHttpClient(), { user: alice, clientId })).status).to.equal(200);
    } finally {
      await next.close();
    }
  });

  it('refuses a launch signed by a key replaced under a kid it has cached, and accepts the next one (keys fetched again)', async () => {
    // A platform of its own: its keys' refetches are not bounded by the other tests' rotations.
    const renamed = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle re-keyed' });
    try {
      const { clientId } = await connectPlatform(app, renamed);
      expect((await renamed.launch(app.url, new LtiHttpClient(), { user: alice, clientId })).status).to.equal(200);
      await renamed.replaceKeyKeepingKid();
      expect((await renamed.launch(app.url, new LtiHttpClient(), { user: alice, clientId })).status).to.equal(401);
      expect((await renamed.launch(app.url, new LtiHttpClient(), { user: alice, clientId })).status).to.equal(200);
    } finally {
      await renamed.close();
    }
  });
});
