// The tool admin's console over real HTTP: sign-in, CSRF, platforms and deployments.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';
import { listLtiDocuments } from '../../models/lti-documents.queries.ts';

const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };

describe('admin console', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());
  beforeEach(async () => {
    await resetDatabase(app.handle);
    await seedAdmin(app.db, ADMIN);
  });

  const csrfOf = (html: string) => parse(html).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';

  async function signIn(browser = new LtiHttpClient()): Promise<LtiHttpClient> {
    const page = await browser.request(`${app.url}/admin/login`);
    const res = await browser.request(`${app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, _csrf: csrfOf(page.body) } });
    expect(res.status).to.equal(303);
    return browser;
  }

  async function post(browser: LtiHttpClient, path: string, form: Record<string, string>, csrfFrom = '/admin') {
    const page = await browser.request(`${app.url}${csrfFrom}`);
    return browser.request(`${app.url}${path}`, { method: 'POST', form: { ...form, _csrf: csrfOf(page.body) } });
  }

  const validPlatform = {
    name: 'Acme Moodle',
    product: 'moodle',
    issuer: 'https://moodle.acme.example',
    clientId: 'client-1',
    authEndpoint: 'https://moodle.acme.example/mod/lti/auth.php',
    tokenEndpoint: 'https://moodle.acme.example/mod/lti/token.php',
    jwksUri: 'https://moodle.acme.example/mod/lti/certs.php',
    deploymentIds: '7\n8',
    deploymentPolicy: 'strict',
    status: 'active',
  };

  it('sends a visitor to the sign-in page, and refuses a wrong password with a message, keeping the email', async () => {
    const browser = new LtiHttpClient();
    const res = await browser.request(`${app.url}/admin`);
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal('/admin/login?next=%2Fadmin');
    const page = await browser.request(`${app.url}/admin/login`);
    const wrong = await browser.request(`${app.url}/admin/login`, { method: 'POST', form: { email: ADMIN.email, password: 'nope', _csrf: csrfOf(page.body) } });
    expect(wrong.status).to.equal(401);
    const html = parse(wrong.body);
    expect(html.querySelector('[data-test=login-error]')?.text).to.contain('do not match');
    expect(html.querySelector('#email')?.getAttribute('value')).to.equal(ADMIN.email);
    // the error summary at the top leads to the email field, which says what went wrong
    const summary = html.querySelector('main > [data-test=error-summary]');
    expect(summary?.querySelectorAll('a').map((a) => [a.getAttribute('href'), a.text])).to.deep.equal([['#email', 'That email and password do not match an admin account.']]);
    expect(html.querySelector('#email')?.getAttribute('aria-describedby')).to.equal('email-error');
    expect(html.querySelector('form.form#login-form')).to.not.equal(null);
  });

  it('signs in, lists platforms with an empty state, and signs out', async () => {
    const browser = await signIn();
    const list = await browser.request(`${app.url}/admin`);
    expect(list.status).to.equal(200);
    expect(parse(list.body).querySelector('[data-test=no-platforms]')).to.not.equal(null);
    const out = await post(browser, '/admin/logout', {});
    expect(out.status).to.equal(303);
    expect((await browser.request(`${app.url}/admin`)).status).to.equal(303);
  });

  it('refuses a form POST without the CSRF token and changes nothing', async () => {
    const browser = await signIn();
    const res = await browser.request(`${app.url}/admin/platforms`, { method: 'POST', form: validPlatform });
    expect(res.status).to.equal(403);
    expect(await app.db.selectFrom('platforms').selectAll().execute()).to.have.length(0);
  });

  it('adds a platform by hand with its deployments and a key of its own', async () => {
    const browser = await signIn();
    const res = await post(browser, '/admin/platforms', validPlatform, '/admin/platforms/new');
    expect(res.status).to.equal(303);
    const detail = await browser.request(`${app.url}${res.headers.get('location')}`);
    const html = parse(detail.body);
    expect(html.querySelector('h1')?.text).to.equal('Acme Moodle');
    expect(html.querySelectorAll('[data-test=deployment]').map((d) => d.getAttribute('data-deployment-id'))).to.deep.equal(['7', '8']);
    const keys = (await (await fetch(`${app.url}/lti/keys`)).json()) as { keys: Array<{ kid: string }> };
    const platform = await app.db.selectFrom('platforms').selectAll().executeTakeFirstOrThrow();
    expect(keys.keys.map((k) => k.kid)).to.deep.equal([platform.toolKid]);
  });

  it('marks the demo platform (platforms.demo) with a Demo badge in the list and on its page, and no other', async () => {
    const browser = await signIn();
    await post(browser, '/admin/platforms', validPlatform, '/admin/platforms/new');
    await post(browser, '/admin/platforms', { ...validPlatform, name: 'Demo LMS', clientId: 'demo-client' }, '/admin/platforms/new');
    await app.db.updateTable('platforms').set({ demo: true }).where('clientId', '=', 'demo-client').execute();
    const list = parse((await browser.request(`${app.url}/admin`)).body);
    const badged = list.querySelectorAll('[data-test=platform]').filter((row) => row.querySelector('[data-test=demo-badge]'));
    expect(badged.map((row) => row.querySelector('a')?.text)).to.deep.equal(['Demo LMS']);
    const demo = await app.db.selectFrom('platforms').select(['id']).where('clientId', '=', 'demo-client').executeTakeFirstOrThrow();
    const other = await app.db.selectFrom('platforms').select(['id']).where('clientId', '=', 'client-1').executeTakeFirstOrThrow();
    expect(parse((await browser.request(`${app.url}/admin/platforms/${demo.id}`)).body).querySelector('[data-test=demo-badge]')).to.not.equal(null);
    expect(parse((await browser.request(`${app.url}/admin/platforms/${other.id}`)).body).querySelector('[data-test=demo-badge]')).to.equal(null);
  });

  it('shows the form again with messages and everything typed when input is invalid', async () => {
    const browser = await signIn();
    const res = await post(browser, '/admin/platforms', { ...validPlatform, issuer: 'not a url', jwksUri: '' }, '/admin/platforms/new');
    expect(res.status).to.equal(400);
    const html = parse(res.body);
    expect(html.querySelector('[data-test=form-error]')?.text).to.contain('issuer');
    expect(html.querySelector('#issuer-error')).to.not.equal(null);
    expect(html.querySelector('#jwksUri-error')).to.not.equal(null);
    expect(html.querySelector('#issuer')?.getAttribute('value')).to.equal('not a url');
    expect(html.querySelector('#clientId')?.getAttribute('value')).to.equal('client-1');
    expect(html.querySelector('#deploymentIds')?.text).to.equal('7\n8');
    expect(await app.db.selectFrom('platforms').selectAll().execute()).to.have.length(0);
  });

  it('refuses a second platform with the same issuer and client id (409), keeping the form', async () => {
    const browser = await signIn();
    await post(browser, '/admin/platforms', validPlatform, '/admin/platforms/new');
    const again = await post(browser, '/admin/platforms', validPlatform, '/admin/platforms/new');
    expect(again.status).to.equal(409);
    expect(parse(again.body).querySelector('#name')?.getAttribute('value')).to.equal('Acme Moodle');
  });

  it('approves a pending platform (ltijs sees it active), and disables it only after confirmation', async () => {
    const browser = await signIn();
    await post(browser, '/admin/platforms', { ...validPlatform, status: 'pending' }, '/admin/platforms/new');
    const platform = await app.db.selectFrom('platforms').selectAll().executeTakeFirstOrThrow();
    const list = parse((await browser.request(`${app.url}/admin`)).body);
    expect(list.querySelector(`[data-platform-id="${platform.id}"]`)?.getAttribute('data-status')).to.equal('pending');
    await post(browser, `/admin/platforms/${platform.id}/status`, { status: 'active' });
    const ltijsStatus = await listLtiDocuments(app.db, 'platformStatus', { id: platform.toolKid }, undefined);
    expect(ltijsStatus[0]?.doc).to.include({ active: true });

    const confirm = await post(browser, `/admin/platforms/${platform.id}/status`, { status: 'disabled' });
    expect(confirm.status).to.equal(200);
    expect(parse(confirm.body).querySelector('[data-test=confirm]')).to.not.equal(null);
    expect((await app.db.selectFrom('platforms').select('status').executeTakeFirstOrThrow()).status).to.equal('active');
    await post(browser, `/admin/platforms/${platform.id}/status`, { status: 'disabled', confirmed: 'yes' });
    expect((await app.db.selectFrom('platforms').select('status').executeTakeFirstOrThrow()).status).to.equal('disabled');
    expect((await listLtiDocuments(app.db, 'platformStatus', { id: platform.toolKid }, undefined))[0]?.doc).to.include({ active: false });
  });

  it('adds a deployment, approves a pending one, changes the policy, and disables a deployment after confirmation', async () => {
    const browser = await signIn();
    await post(browser, '/admin/platforms', { ...validPlatform, deploymentIds: '' }, '/admin/platforms/new');
    const platform = await app.db.selectFrom('platforms').selectAll().executeTakeFirstOrThrow();
    await post(browser, `/admin/platforms/${platform.id}/deployments`, { deploymentId: 'dep-1' });
    await app.db.insertInto('tenants').values({ platformId: platform.id, deploymentId: 'dep-2', status: 'pending' }).execute();
    const pending = await app.db.selectFrom('tenants').selectAll().where('deploymentId', '=', 'dep-2').executeTakeFirstOrThrow();
    await post(browser, `/admin/platforms/${platform.id}/deployments/${pending.id}/status`, { status: 'active' });
    await post(browser, `/admin/platforms/${platform.id}/policy`, { deploymentPolicy: 'approve' });
    const confirm = await post(browser, `/admin/platforms/${platform.id}/deployments/${pending.id}/status`, { status: 'disabled' });
    expect(parse(confirm.body).querySelector('[data-test=confirm]')).to.not.equal(null);
    const tenants = await app.db.selectFrom('tenants').select(['deploymentId', 'status']).orderBy('deploymentId').execute();
    expect(tenants).to.deep.equal([{ deploymentId: 'dep-1', status: 'active' }, { deploymentId: 'dep-2', status: 'active' }]);
    expect((await app.db.selectFrom('platforms').select('deploymentPolicy').executeTakeFirstOrThrow()).deploymentPolicy).to.equal('approve');
    const empty = await post(browser, `/admin/platforms/${platform.id}/deployments`, { deploymentId: '   ' });
    expect(empty.status).to.equal(400);
  });

  it('sets a deployment’s default language, only that deployment’s, and refuses one we do not ship', async () => {
    const browser = await signIn();
    await post(browser, '/admin/platforms', { ...validPlatform, deploymentIds: 'dep-1\ndep-2' }, '/admin/platforms/new');
    const platform = await app.db.selectFrom('platforms').selectAll().executeTakeFirstOrThrow();
    const [dep1] = await app.db.selectFrom('tenants').selectAll().orderBy('deploymentId').execute();
    const page = parse((await browser.request(`${app.url}/admin/platforms/${platform.id}`)).body);
    expect(page.querySelectorAll('[data-test=deployment-language] option').map((o) => o.getAttribute('value'))).to.include.members(['en', 'fr', 'es']);
    expect((await post(browser, `/admin/platforms/${platform.id}/deployments/${dep1!.id}/language`, { defaultLocale: 'fr' }, `/admin/platforms/${platform.id}`)).status).to.equal(303);
    expect((await post(browser, `/admin/platforms/${platform.id}/deployments/${dep1!.id}/language`, { defaultLocale: 'xx' }, `/admin/platforms/${platform.id}`)).status).to.equal(400);
    expect(await app.db.selectFrom('tenants').select(['deploymentId', 'defaultLocale']).orderBy('deploymentId').execute()).to.deep.equal([{ deploymentId: 'dep-1', defaultLocale: 'fr' }, { deploymentId: 'dep-2', defaultLocale: 'en' }]);
    // Another platform's id with this deployment: not found, nothing changed.
    expect((await post(browser, `/admin/platforms/00000000-0000-4000-8000-000000000000/deployments/${dep1!.id}/language`, { defaultLocale: 'es' }, `/admin/platforms/${platform.id}`)).status).to.equal(404);
    expect((await app.db.selectFrom('tenants').select('defaultLocale').where('id', '=', dep1!.id).executeTakeFirstOrThrow()).defaultLocale).to.equal('fr');
  });

  it('answers 404 for an unknown platform and 400-class pages for malformed ids or bodies', async () => {
    const browser = await signIn();
    expect((await browser.request(`${app.url}/admin/platforms/00000000-0000-4000-8000-000000000000`)).status).to.equal(404);
    expect((await browser.request(`${app.url}/admin/platforms/not-a-uuid`)).status).to.equal(400);
    const bad = await post(browser, '/admin/platforms/00000000-0000-4000-8000-000000000000/status', { status: 'exploded' });
    expect(bad.status).to.equal(400);
  });

  it('does not let an LTI learner session into the admin console', async () => {
    const sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    try {
      const lms = await connectPlatform(app, sim);
      const browser = new LtiHttpClient();
      await sim.launch(app.url, browser, { user: { sub: 'x', roles: [ROLES.instructor] }, clientId: lms.clientId });
      const res = await browser.request(`${app.url}/admin`);
      expect(res.status).to.equal(303);
      expect(res.headers.get('location')).to.match(/^\/admin\/login/);
    } finally {
      await sim.close();
    }
  });

  it('slows down password guessing: after 10 failed sign-ins from one address, a 429 page', async () => {
    const browser = new LtiHttpClient();
    const page = await browser.request(`${app.url}/admin/login`);
    const form = { email: ADMIN.email, password: 'wrong guess', _csrf: csrfOf(page.body) };
    for (let i = 0; i < 10; i++) expect((await browser.request(`${app.url}/admin/login`, { method: 'POST', form })).status).to.equal(401);
    const blocked = await browser.request(`${app.url}/admin/login`, { method: 'POST', form: { ...form, password: ADMIN.password } });
    expect(blocked.status).to.equal(429);
    expect(parse(blocked.body).querySelector('[data-test=error-message]')?.text).to.contain('Too many failed sign-ins');
  });

  it('never redirects outside the admin console after sign-in', async () => {
    const browser = new LtiHttpClient();
    const page = await browser.request(`${app.url}/admin/login`);
    const res = await browser.request(`${app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, next: 'https://evil.example/', _csrf: csrfOf(page.body) } });
    expect(res.headers.get('location')).to.equal('/admin');
  });

  it('seeds the admin account once, and updates it when the password changes', async () => {
    expect(await seedAdmin(app.db, ADMIN)).to.equal('unchanged');
    expect(await seedAdmin(app.db, { ...ADMIN, password: 'another long password' })).to.equal('updated');
    expect(await seedAdmin(app.db, { email: 'second@circlework.test', password: 'yet another password' })).to.equal('created');
  });
});

describe('admin console: frame origins', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('saves the origins an LMS frames the tool from, wildcards included, and they reach the CSP; a bad line changes nothing', async () => {
    await resetDatabase(app.handle);
    await seedAdmin(app.db, ADMIN);
    const browser = new LtiHttpClient();
    const csrf = (html: string) => parse(html).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';
    const login = await browser.request(`${app.url}/admin/login`);
    await browser.request(`${app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, _csrf: csrf(login.body) } });
    const sim = await LtiPlatformSimulator.start({ kind: 'canvas' });
    try {
      const { platform } = await connectPlatform(app, sim);
      const page = await browser.request(`${app.url}/admin/platforms/${platform.id}`);
      const saved = await browser.request(`${app.url}/admin/platforms/${platform.id}/frame-origins`, { method: 'POST', form: { frameOrigins: 'https://canvas.example.edu/\nhttps://*.instructure.com', _csrf: csrf(page.body) } });
      expect(saved.status).to.equal(303);
      const csp = (await fetch(`${app.url}/`)).headers.get('content-security-policy') ?? '';
      expect(csp).to.contain('https://canvas.example.edu').and.contain('https://*.instructure.com');
      const bad = await browser.request(`${app.url}/admin/platforms/${platform.id}/frame-origins`, { method: 'POST', form: { frameOrigins: 'javascript:alert(1)', _csrf: csrf(page.body) } });
      expect(bad.status).to.equal(400);
      expect((await app.db.selectFrom('platforms').select('frameOrigins').executeTakeFirstOrThrow()).frameOrigins).to.deep.equal(['https://canvas.example.edu', 'https://*.instructure.com']);
    } finally {
      await sim.close();
    }
  });
});
