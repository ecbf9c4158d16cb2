// The launch checks ltijs 5.9.9 lacks, and the 1EdTech "known bad payloads": every bad launch gets a
// 4xx page with a plain message, never a 5xx, and no session.
import { expect } from 'chai';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { parse } from 'node-html-parser';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator, type LaunchOptions } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';

const C = 'https://purl.imsglobal.org/spec/lti/claim/';
const alice = { sub: 'alice-1', name: 'Alice Learner', roles: [ROLES.learner] };
type Claims = Record<string, unknown>;
const without = (key: string) => (c: Claims) => {
  const { [key]: _gone, ...rest } = c;
  return rest;
};

describe('LTI launch security', () => {
  let app: TestApp;
  let moodle: LtiPlatformSimulator;
  let lms: ConnectedPlatform;

  before(async () => {
    app = await startTestApp();
    moodle = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    await moodle.close();
    await app.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    lms = await connectPlatform(app, moodle);
  });

  const memberships = async () => Number((await sql<{ n: string }>`select count(*) as n from memberships`.execute(app.db)).rows[0]!.n);
  const loggedInSessions = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from http_sessions where sess::jsonb ? 'passport'`.execute(app.db)).rows[0]!.n);
  const errorOf = (body: string) => parse(body).querySelector('[data-test=error-message]')?.text ?? '';

  async function expectRefused(res: { status: number; body: string }, status: number | [number, number] = [400, 499]) {
    if (Array.isArray(status)) expect(res.status).to.be.within(status[0], status[1]);
    else expect(res.status).to.equal(status);
    expect(errorOf(res.body), 'a plain message on an error page').to.have.length.greaterThan(20);
    expect(await memberships()).to.equal(0);
    expect(await loggedInSessions()).to.equal(0);
  }

  describe('nonce bound to the login', () => {
    it('rejects a captured id_token posted into a fresh login (another state)', async () => {
      const victim = await moodle.beginLaunch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId });
      const attacker = new LtiHttpClient();
      const fresh = await moodle.beginLaunch(app.url, attacker, { user: { sub: 'mallory', roles: [ROLES.learner] }, clientId: lms.clientId });
      const res = await moodle.postIdToken(attacker, fresh.redirectUri, victim.idToken, fresh.state);
      await expectRefused(res, 401);
      expect(errorOf(res.body)).to.contain('could not be matched');
    });

    for (const [label, suffix] of [['a trailing slash', '/'], ['another case', '', 'LAUNCH'], ['a path below it', '/x']] as const) {
      it(`rejects a captured id_token posted into a fresh login at the launch address with ${label} (Express matches it; our checks must too)`, async () => {
        const victim = await moodle.beginLaunch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId });
        const attacker = new LtiHttpClient();
        const fresh = await moodle.beginLaunch(app.url, attacker, { user: { sub: 'mallory', roles: [ROLES.learner] }, clientId: lms.clientId });
        const target = label === 'another case' ? fresh.redirectUri.replace(/launch$/, 'LAUNCH') : `${fresh.redirectUri}${suffix}`;
        const res = await moodle.postIdToken(attacker, target, victim.idToken, fresh.state);
        expect(res.status).to.be.within(400, 499);
        expect(await memberships()).to.equal(0);
        expect(await loggedInSessions()).to.equal(0);
      });
    }

    it('accepts an id_token once: posting it again with its own state, in the same browser, is refused', async () => {
      const browser = new LtiHttpClient();
      const started = await moodle.beginLaunch(app.url, browser, { user: alice, clientId: lms.clientId });
      const first = await moodle.postIdToken(browser, started.redirectUri, started.idToken, started.state);
      expect(first.status).to.equal(200);
      const sessionsBefore = await loggedInSessions();
      const again = await moodle.postIdToken(browser, started.redirectUri, started.idToken, started.state);
      expect(again.status).to.equal(401);
      expect(errorOf(again.body)).to.contain('already used');
      expect(await loggedInSessions()).to.equal(sessionsBefore);
    });

    it('accepts an id_token once when it is posted twice at the same moment (the login record goes once)', async () => {
      const browser = new LtiHttpClient();
      const started = await moodle.beginLaunch(app.url, browser, { user: alice, clientId: lms.clientId });
      const both = await Promise.all([1, 2].map(() => moodle.postIdToken(browser, started.redirectUri, started.idToken, started.state)));
      expect(both.map((r) => r.status).sort()).to.deep.equal([200, 401]);
      expect(await loggedInSessions()).to.equal(1);
    });

    it('refuses a login older than ten minutes, and records nothing', async () => {
      const browser = new LtiHttpClient();
      const started = await moodle.beginLaunch(app.url, browser, { user: alice, clientId: lms.clientId });
      await sql`UPDATE lti_logins SET created_at = now() - interval '11 minutes'`.execute(app.db);
      const res = await moodle.postIdToken(browser, started.redirectUri, started.idToken, started.state);
      await expectRefused(res, 401);
      expect(errorOf(res.body)).to.contain('already used');
    });

    it('uses up the login of a launch it refuses: sent again (a reload), it is refused as already used', async () => {
      await app.db.updateTable('platforms').set({ deploymentPolicy: 'approve' }).execute();
      const browser = new LtiHttpClient();
      const started = await moodle.beginLaunch(app.url, browser, { user: alice, clientId: lms.clientId, deploymentId: 'dep-wait' });
      const first = await moodle.postIdToken(browser, started.redirectUri, started.idToken, started.state);
      await expectRefused(first, 403);
      await app.db.updateTable('tenants').set({ status: 'active' }).where('deploymentId', '=', 'dep-wait').execute();
      const again = await moodle.postIdToken(browser, started.redirectUri, started.idToken, started.state);
      await expectRefused(again, 401);
      expect(errorOf(again.body)).to.contain('already used');
    });

    it('records no deployment for a captured id_token posted into a fresh login, under the record policy', async () => {
      await app.db.updateTable('platforms').set({ deploymentPolicy: 'record' }).execute();
      const victim = await moodle.beginLaunch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, deploymentId: 'dep-captured' });
      const attacker = new LtiHttpClient();
      const fresh = await moodle.beginLaunch(app.url, attacker, { user: { sub: 'mallory', roles: [ROLES.learner] }, clientId: lms.clientId });
      await expectRefused(await moodle.postIdToken(attacker, fresh.redirectUri, victim.idToken, fresh.state), 401);
      expect(await app.db.selectFrom('tenants').select('id').where('deploymentId', '=', 'dep-captured').execute()).to.deep.equal([]);
    });

    it('rejects a token whose nonce is not the one issued for that login', async () => {
      const browser = new LtiHttpClient();
      const started = await moodle.beginLaunch(app.url, browser, { user: alice, clientId: lms.clientId });
      const claims = moodle.buildClaims({ user: alice, nonce: 'a-nonce-we-never-issued', clientId: lms.clientId, deploymentId: lms.deploymentId, toolUrl: app.url });
      const res = await moodle.postIdToken(browser, started.redirectUri, await moodle.signIdToken(claims), started.state);
      await expectRefused(res, 401);
    });

    it('binds the state to the browser: another browser cannot complete the login, nor use it up', async () => {
      const browser = new LtiHttpClient();
      const started = await moodle.beginLaunch(app.url, browser, { user: alice, clientId: lms.clientId });
      const res = await moodle.postIdToken(new LtiHttpClient(), started.redirectUri, started.idToken, started.state);
      await expectRefused(res, 401);
      // The login is still there, so the refusal names the missing cookie, not a replay.
      expect(errorOf(res.body)).to.contain('did not send back the cookie');
      // The refused attempt wrote nothing: the browser that started the login completes it.
      expect((await moodle.postIdToken(browser, started.redirectUri, started.idToken, started.state)).status).to.equal(200);
    });

    it('puts a strong random nonce of ours into the redirect to the platform', async () => {
      const started = await moodle.beginLaunch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId });
      expect(started.nonce).to.match(/^[A-Za-z0-9_-]{32}$/);
    });
  });

  describe('known bad payloads', () => {
    const bad: Array<[string, Partial<LaunchOptions>, number | [number, number]]> = [
      ['no kid in the header', { tamperHeader: without('kid') }, 401],
      ['an unknown kid', { tamperHeader: (h) => ({ ...h, kid: 'no-such-key' }) }, 401],
      ['a wrong LTI version', { tamperClaims: (c) => ({ ...c, [`${C}version`]: '1.2.0' }) }, 401],
      ['no LTI version', { tamperClaims: without(`${C}version`) }, 401],
      ['a token that is not a JWT', { rawIdToken: 'this-is-not-a-jwt' }, 400],
      ['no message type', { tamperClaims: without(`${C}message_type`) }, 401],
      ['an unknown message type', { tamperClaims: (c) => ({ ...c, [`${C}message_type`]: 'LtiSomethingElse' }) }, 401],
      ['no roles claim', { tamperClaims: without(`${C}roles`) }, 401],
      ['no deployment id', { tamperClaims: without(`${C}deployment_id`) }, 401],
      ['no resource link id', { tamperClaims: (c) => ({ ...c, [`${C}resource_link`]: { title: 'x' } }) }, 401],
      ['no sub', { tamperClaims: without('sub') }, 401],
      ['an expired token', { tamperClaims: (c) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 600, iat: Math.floor(Date.now() / 1000) - 900 }) }, 401],
      ['an iat an hour in the future', { tamperClaims: (c) => ({ ...c, iat: Math.floor(Date.now() / 1000) + 3600 }) }, [400, 401]],
      ['a wrong aud', { tamperClaims: (c) => ({ ...c, aud: 'someone-else' }) }, 401],
      ['a wrong azp among several audiences', { tamperClaims: (c) => ({ ...c, aud: [String(c.aud), 'other'], azp: 'other' }) }, 401],
      ['a sub longer than 255 characters', { tamperClaims: (c) => ({ ...c, sub: 'x'.repeat(300) }) }, 400],
      ['a target link URI that is not a URL', { tamperClaims: (c) => ({ ...c, [`${C}target_link_uri`]: 'not a url' }) }, 400],
      ['no context (launched outside a course)', { context: null }, 400],
    ];
    for (const [label, opts, status] of bad) {
      it(`refuses ${label}`, async () => {
        const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, ...opts });
        await expectRefused(res, status);
      });
    }

    it('refuses a bad signature (right kid, wrong key)', async () => {
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, signWith: privateKey });
      await expectRefused(res, 401);
    });

    it('refuses an unsigned token (alg none)', async () => {
      const started = await moodle.beginLaunch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId });
      const [, payload] = started.idToken.split('.');
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const browser = new LtiHttpClient();
      const again = await moodle.beginLaunch(app.url, browser, { user: alice, clientId: lms.clientId });
      const res = await moodle.postIdToken(browser, again.redirectUri, unsigned.replace(payload!, Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), nonce: again.nonce })).toString('base64url')), again.state);
      await expectRefused(res, 401);
    });
  });

  describe('platforms and deployments', () => {
    it('refuses an unknown deployment under the strict policy with a page naming what the admin must do', async () => {
      const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, deploymentId: 'dep-unknown' });
      await expectRefused(res, 403);
      expect(errorOf(res.body)).to.contain('dep-unknown').and.contain('add deployment id dep-unknown');
    });

    it('records a new deployment and lets it launch under the record policy', async () => {
      await app.db.updateTable('platforms').set({ deploymentPolicy: 'record' }).execute();
      const res = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, deploymentId: 'dep-new' });
      expect(res.status).to.equal(200);
      const tenants = await app.db.selectFrom('tenants').select(['deploymentId', 'status']).orderBy('deploymentId').execute();
      expect(tenants).to.deep.include({ deploymentId: 'dep-new', status: 'active' });
    });

    it('records a new deployment as pending under the approve policy, and it launches once approved', async () => {
      await app.db.updateTable('platforms').set({ deploymentPolicy: 'approve' }).execute();
      const first = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, deploymentId: 'dep-wait' });
      await expectRefused(first, 403);
      expect(errorOf(first.body)).to.contain('waiting for approval');
      await app.db.updateTable('tenants').set({ status: 'active' }).where('deploymentId', '=', 'dep-wait').execute();
      const second = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId, deploymentId: 'dep-wait' });
      expect(second.status).to.equal(200);
    });

    it('refuses a launch through a disabled deployment', async () => {
      await app.db.updateTable('tenants').set({ status: 'disabled' }).execute();
      await expectRefused(await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId }), 403);
    });

    it('refuses a pending platform at login, and an unregistered issuer', async () => {
      await app.db.updateTable('platforms').set({ status: 'pending' }).execute();
      await app.db.updateTable('ltiDocuments').set({ doc: sql`jsonb_set(doc, '{active}', 'false')` as unknown as string }).where('collection', '=', 'platformStatus').execute();
      const pending = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId });
      await expectRefused(pending, 403);
      const other = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Unknown Moodle' });
      try {
        other.addTool({ toolUrl: app.url });
        await expectRefused(await other.launch(app.url, new LtiHttpClient(), { user: alice }), 400);
      } finally {
        await other.close();
      }
    });

    it('keeps tenants apart: the same context id in two Canvas client ids gives two cohorts, and one session cannot open the other', async () => {
      const canvas = await LtiPlatformSimulator.start({ kind: 'canvas' });
      try {
        const a = await connectPlatform(app, canvas, { deploymentPolicy: 'record' });
        const b = await connectPlatform(app, canvas, { deploymentPolicy: 'record' });
        const browserA = new LtiHttpClient();
        const browserB = new LtiHttpClient();
        const ra = await canvas.launch(app.url, browserA, { user: alice, clientId: a.clientId, context: { id: 'same-course' } });
        const rb = await canvas.launch(app.url, browserB, { user: alice, clientId: b.clientId, context: { id: 'same-course' } });
        expect(ra.status).to.equal(200);
        expect(rb.status).to.equal(200);
        expect(ra.finalUrl).not.to.equal(rb.finalUrl);
        expect(await app.db.selectFrom('cohorts').select('tenantId').distinct().execute()).to.have.length(2);
        expect((await browserA.request(rb.finalUrl)).status).to.equal(401);
        expect((await browserB.request(`${rb.finalUrl}/console`)).status).to.equal(403);
      } finally {
        await canvas.close();
      }
    });
  });

  describe('the /lti surface', () => {
    it('refuses an ltik: the launch URL with ?ltik= and a bearer ltik never reach ltijs’s session', async () => {
      const q = await new LtiHttpClient().request(`${app.url}/lti/launch?ltik=eyJhbGciOiJIUzI1NiJ9.e30.x`);
      expect(q.status).to.equal(401);
      const bearer = await new LtiHttpClient().request(`${app.url}/lti/launch`, { method: 'POST', headers: { authorization: 'Bearer eyJ.e30.x' }, form: { a: 'b' } });
      expect(bearer.status).to.equal(401);
    });

    it('answers a plain GET of the launch URL with a page telling the person to use their course', async () => {
      const res = await new LtiHttpClient().request(`${app.url}/lti/launch`);
      expect(res.status).to.equal(400);
      expect(errorOf(res.body)).to.contain('opens from your course');
    });

    it('refuses a login with missing parameters or a target link on another site', async () => {
      expect((await new LtiHttpClient().request(`${app.url}/lti/login?iss=x`)).status).to.equal(400);
      const q = new URLSearchParams({ iss: moodle.issuer, login_hint: 'u', target_link_uri: 'https://evil.example/launch', client_id: lms.clientId });
      const res = await new LtiHttpClient().request(`${app.url}/lti/login?${q}`);
      expect(res.status).to.equal(400);
    });

    it('publishes the tool keys, one per platform registration, each with a kid', async () => {
      await connectPlatform(app, moodle);
      const res = await fetch(`${app.url}/lti/keys`);
      const { keys } = (await res.json()) as { keys: Array<{ kid?: string; kty: string; alg?: string }> };
      expect(keys).to.have.length(2);
      expect(new Set(keys.map((k) => k.kid)).size).to.equal(2);
      for (const k of keys) expect(k.kid).to.be.a('string').with.length.greaterThan(8);
    });

    it('sends no CORS permission to another origin, and no X-Frame-Options', async () => {
      for (const path of ['/lti/keys', '/lti/login', '/']) {
        const res = await fetch(`${app.url}${path}`, { headers: { origin: 'https://evil.example' } });
        expect(res.headers.get('access-control-allow-origin'), path).to.equal(null);
        expect(res.headers.get('access-control-allow-credentials'), path).to.equal(null);
        expect(res.headers.get('x-frame-options'), path).to.equal(null);
      }
      const preflight = await fetch(`${app.url}/lti/launch`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(preflight.headers.get('access-control-allow-origin')).to.equal(null);
    });

    const ancestorsOf = async (path: string) =>
      /frame-ancestors ([^;]*)/.exec((await fetch(`${app.url}${path}`)).headers.get('content-security-policy') ?? '')?.[1]?.split(' ') ?? [];

    it('lets only active registered platform origins frame the tool (CSP frame-ancestors)', async () => {
      const ancestors = await ancestorsOf('/');
      expect(ancestors).to.include(moodle.baseUrl);
      expect(ancestors).not.to.include('*');
      for (const status of ['disabled', 'pending'] as const) {
        await app.db.updateTable('platforms').set({ status }).execute();
        expect(await ancestorsOf('/'), status).not.to.include(moodle.baseUrl);
      }
    });

    it('never lets the admin console be framed', async () => {
      expect(await ancestorsOf('/admin/login')).to.deep.equal(["'none'"]);
    });
  });
});

describe('ltijs inside our process', () => {
  it('installs no SIGINT/SIGTERM handler of its own (ltijs exits on them when deployed)', async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const app = await startTestApp();
    try {
      expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).to.deep.equal(before);
    } finally {
      await app.close();
    }
  });

  it('never loads ltijs’s MongoDB store (mongoose, the mongodb driver, bson): our PostgreSQL plugin stands in', async () => {
    const app = await startTestApp();
    try {
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      expect(loaded.some((f) => f.includes('/node_modules/ltijs/dist/Provider/'))).to.equal(true);
      expect(loaded.filter((f) => /\/node_modules\/(mongoose|mongodb|bson)\//.test(f))).to.deep.equal([]);
    } finally {
      await app.close();
    }
  });

  it('keeps no copy of the launch’s id_token or context in the database (no ltik is ever accepted to read them back)', async () => {
    const app = await startTestApp();
    const sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    try {
      await resetDatabase(app.handle);
      const lms = await connectPlatform(app, sim);
      expect((await sim.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId })).status).to.equal(200);
      const kept = await app.db.selectFrom('ltiDocuments').select('collection').where('collection', 'in', ['idtoken', 'contexttoken']).execute();
      expect(kept).to.deep.equal([]);
    } finally {
      await sim.close();
      await app.close();
    }
  });

  it('turns a database failure inside ltijs into our error page, without its internal message, and keeps serving', async () => {
    const app = await startTestApp();
    const sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    try {
      await resetDatabase(app.handle);
      const lms = await connectPlatform(app, sim);
      await app.db.schema.alterTable('lti_documents').renameTo('lti_documents_away').execute();
      let res;
      try {
        res = await sim.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId });
      } finally {
        await app.db.schema.alterTable('lti_documents_away').renameTo('lti_documents').execute();
      }
      expect(res.status).to.equal(500);
      expect(res.body).not.to.contain('lti_documents');
      expect(parse(res.body).querySelector('[data-test=error-page]')).to.not.equal(null);
      expect((await sim.launch(app.url, new LtiHttpClient(), { user: alice, clientId: lms.clientId })).status).to.equal(200);
    } finally {
      await sim.close();
      await app.close();
    }
  });
});

describe('open sessions after the LMS side changes', () => {
  let app: TestApp;
  let sim: LtiPlatformSimulator;
  let lms: ConnectedPlatform;
  before(async () => {
    app = await startTestApp();
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    await sim.close();
    await app.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    lms = await connectPlatform(app, sim);
  });

  for (const [what, change] of [
    ['the platform is disabled', (a: TestApp) => a.db.updateTable('platforms').set({ status: 'disabled' }).execute()],
    ['the deployment is disabled', (a: TestApp) => a.db.updateTable('tenants').set({ status: 'disabled' }).execute()],
    ['the membership becomes inactive', (a: TestApp) => a.db.updateTable('memberships').set({ status: 'inactive' }).execute()],
  ] as const) {
    it(`ends an open session at the next request when ${what}`, async () => {
      const browser = new LtiHttpClient();
      const res = await sim.launch(app.url, browser, { user: alice, clientId: lms.clientId });
      expect((await browser.request(res.finalUrl)).status).to.equal(200);
      await change(app);
      const after = await browser.request(res.finalUrl);
      expect(after.status).to.equal(401);
      expect(parse(after.body).querySelector('[data-test=error-message]')?.text).to.contain('has ended');
    });
  }

  it('uses the stored role: a facilitator demoted in the database loses the console at once', async () => {
    const browser = new LtiHttpClient();
    const res = await sim.launch(app.url, browser, { user: { sub: 't', roles: [ROLES.instructor] }, clientId: lms.clientId });
    expect((await browser.request(res.finalUrl)).status).to.equal(200);
    await app.db.updateTable('memberships').set({ role: 'learner' }).execute();
    expect((await browser.request(res.finalUrl)).status).to.equal(403);
  });
});
