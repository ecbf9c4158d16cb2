// Health, error pages, request ids, and the cookie and header rules behind https.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform } from '../support/lti-fixtures.ts';

describe('HTTP basics', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('answers /healthz with 200 when the database answers', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ status: 'ok' });
  });

  it('answers /healthz with 503 when the database does not answer', async () => {
    const orphan = await startTestApp({}, { databaseUrl: 'postgres://nobody:x@127.0.0.1:9/none' });
    try {
      const res = await fetch(`${orphan.url}/healthz`);
      expect(res.status).to.equal(503);
      expect(await res.json()).to.deep.equal({ status: 'unavailable', database: 'unreachable' });
    } finally {
      await orphan.close();
    }
  });

  it('shows a 404 page with a plain message and a request id for an unknown address', async () => {
    const res = await fetch(`${app.url}/no/such/page`, { headers: { accept: 'text/html' } });
    expect(res.status).to.equal(404);
    const html = parse(await res.text());
    expect(html.querySelector('[data-test=error-page]')?.getAttribute('data-status')).to.equal('404');
    expect(html.querySelector('[data-test=error-message]')?.text).to.contain('no page at this address');
    expect(html.toString()).to.contain(res.headers.get('x-request-id')!);
  });

  it('sends pages without an ETag (each is rendered anew anyway), and static files with one that answers 304', async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('etag')).to.equal(null);
    const file = await fetch(`${app.url}/public/forms.js`);
    const etag = file.headers.get('etag');
    expect(etag).to.be.a('string');
    // A Cache-Control of our own: fetch would otherwise add "no-cache" to a conditional request, which forbids a 304.
    expect((await fetch(`${app.url}/public/forms.js`, { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } })).status).to.equal(304);
  });

  it('answers JSON clients with a JSON error', async () => {
    const res = await fetch(`${app.url}/no/such/page`, { headers: { accept: 'application/json' } });
    expect(res.status).to.equal(404);
    expect(await res.json()).to.include({ error: 'not-found' });
  });

  it('answers 400 (a page, no 500) to an address with a NUL or another control character, or one that does not decode', async () => {
    const addresses = [
      '/action-plans/links/renew/abc%00def',
      '/action-plans/links/renew/%00',
      `/cohorts/${'0'.repeat(8)}-0000-0000-0000-000000000000%00`,
      '/cohorts/x%0Ay/modules/1',
      '/lti/login?iss=https%3A%2F%2Flms.example%00&login_hint=1',
      '/admin/login?next=%00',
      '/public/app%00.css',
      '/cohorts/%E0%A4%A',
    ];
    for (const address of addresses) {
      for (const method of ['GET', 'POST']) {
        const res = await fetch(`${app.url}${address}`, { method, headers: { accept: 'text/html' } });
        expect(res.status, `${method} ${address}`).to.equal(400);
        expect(parse(await res.text()).querySelector('[data-test=error-message]')?.text, address).to.contain('cannot read');
      }
    }
    // A tab or newline typed into a search box (query string) is no reason to refuse.
    expect((await fetch(`${app.url}/?q=two%0Alines`)).status).to.equal(200);
  });

  it('sheds load past capacity: a 503 page at once (Retry-After) instead of a long queue, and serves again when it clears', async () => {
    const small = await startTestApp({ LOAD_SHED_QUEUE: '1' }, { poolSize: 1 });
    const held = await small.handle.pool.connect(); // the app's only connection is busy
    try {
      const waiting = fetch(`${small.url}/`); // queues for the connection
      for (let i = 0; i < 200 && small.handle.pool.waitingCount < 1; i++) await new Promise((r) => setTimeout(r, 10));
      const alsoWaiting = fetch(`${small.url}/`);
      for (let i = 0; i < 200 && small.handle.pool.waitingCount < 2; i++) await new Promise((r) => setTimeout(r, 10));
      const shed = await fetch(`${small.url}/`, { headers: { accept: 'text/html' } });
      expect(shed.status).to.equal(503);
      expect(shed.headers.get('retry-after')).to.equal('5');
      expect(parse(await shed.text()).querySelector('[data-test=error-message]')?.text).to.contain('very busy');
      expect((await fetch(`${small.url}/public/styles.css`)).status, 'static files need no database').to.equal(200);
      held.release();
      expect((await waiting).status).to.equal(200);
      expect((await alsoWaiting).status).to.equal(200);
      expect((await fetch(`${small.url}/`)).status).to.equal(200);
    } finally {
      await small.close();
    }
  });

  it('keeps a well-formed request id from a proxy and replaces a malformed one', async () => {
    expect((await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id')).to.equal('abc-123');
    expect((await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'bad id <script>' } })).headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('gives an anonymous reader no session cookie', async () => {
    const res = await fetch(`${app.url}/`);
    expect(res.headers.get('set-cookie')).to.equal(null);
  });

  it('refuses an oversized form body with a 413 page', async () => {
    const res = await fetch(`${app.url}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=${'x'.repeat(200_000)}` });
    expect(res.status).to.equal(413);
  });
});

describe('behind https (PUBLIC_URL https, TLS ended by a proxy)', () => {
  let app: TestApp;
  let sim: LtiPlatformSimulator;
  before(async () => {
    app = await startTestApp({ PUBLIC_URL: 'https://circlework.example', TRUST_PROXY: 'true' });
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
  });
  after(async () => {
    await sim.close();
    await app.close();
  });

  it('sets every cookie Secure; SameSite=None; Partitioned (ltijs’s state cookie and our session)', async () => {
    await resetDatabase(app.handle);
    const lms = await connectPlatform(app, sim);
    const q = new URLSearchParams({ iss: sim.issuer, login_hint: 'u1', target_link_uri: 'https://circlework.example/lti/launch', client_id: lms.clientId, lti_message_hint: 'm' });
    const login = await fetch(`${app.url}/lti/login?${q}`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
    expect(login.status).to.equal(302);
    const stateCookie = login.headers.getSetCookie().find((c) => c.startsWith('state'));
    expect(stateCookie).to.match(/; Secure/i).and.match(/SameSite=None/i).and.match(/; Partitioned/i).and.match(/HttpOnly/i);

    const page = await fetch(`${app.url}/admin/login`, { headers: { 'x-forwarded-proto': 'https' } });
    const session = page.headers.getSetCookie().find((c) => c.startsWith('cw.sid='));
    expect(session).to.match(/; Secure/i).and.match(/SameSite=None/i).and.match(/; Partitioned/i).and.match(/HttpOnly/i);
  });

  it('sends HSTS and upgrade-insecure-requests', async () => {
    const res = await fetch(`${app.url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers.get('strict-transport-security')).to.match(/max-age=\d+/);
    expect(res.headers.get('content-security-policy')).to.contain('upgrade-insecure-requests');
  });
});
