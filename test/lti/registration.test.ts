// LTI Dynamic Registration as Moodle and Canvas do it, and the Canvas developer key JSON.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { setPlatformStatus } from '../../server/platforms/platforms.service.ts';
import { launchChromium } from '../support/browser.ts';
import { endlessJsonServer } from '../support/endless-server.ts';

const TOOL_CONF = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const alice = { sub: 'alice-1', name: 'Alice', roles: [ROLES.learner] };
const frameAncestors = (res: { headers: Headers }): string[] => /frame-ancestors ([^;]*)/.exec(res.headers.get('content-security-policy') ?? '')?.[1]?.trim().split(/\s+/) ?? [];
/** The registration URL the platform's dialog opens, with a registration token the simulator issued. */
function registrationUrl(appUrl: string, sim: LtiPlatformSimulator): string {
  const token = sim.registrationDialogUrl(appUrl).split('/').at(-1)!;
  return `${appUrl}/lti/register?${new URLSearchParams({ openid_configuration: sim.openidConfigurationUrl, registration_token: token })}`;
}

describe('LTI dynamic registration', () => {
  let moodle: LtiPlatformSimulator;
  let canvas: LtiPlatformSimulator;
  const apps: TestApp[] = [];

  before(async () => {
    moodle = await LtiPlatformSimulator.start({ kind: 'moodle' });
    canvas = await LtiPlatformSimulator.start({ kind: 'canvas' });
  });
  after(async () => {
    await moodle.close();
    await canvas.close();
  });
  afterEach(async () => {
    while (apps.length) await apps.pop()!.close();
  });

  async function appWith(env: Record<string, string> = {}): Promise<TestApp> {
    const app = await startTestApp(env);
    apps.push(app);
    await resetDatabase(app.handle);
    return app;
  }
  const platforms = (app: TestApp) => app.db.selectFrom('platforms').selectAll().execute();

  it('registers with a trusted Moodle at once: stores the platform and its deployment id, answers the close page, and launches work', async () => {
    const app = await appWith({ TRUSTED_ISSUERS: moodle.issuer });
    const res = await moodle.startDynamicRegistration(app.url);
    expect(res.status).to.equal(200);
    const page = parse(res.body);
    expect(page.querySelector('[data-test=registration-active]')).to.not.equal(null);
    expect(res.body).to.contain("postMessage({ subject: 'org.imsglobal.lti.close' }");
    const [platform] = await platforms(app);
    const registration = moodle.registrations.at(-1)!;
    expect(platform).to.include({ issuer: moodle.issuer, clientId: registration.clientId, status: 'active', product: 'moodle', deploymentPolicy: 'strict', registeredVia: 'dynamic' });
    const tenants = await app.db.selectFrom('tenants').selectAll().execute();
    expect(tenants.map((t) => t.deploymentId)).to.deep.equal([registration.deploymentId]);
    moodle.activateTool(registration.clientId);
    const launch = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId: registration.clientId });
    expect(launch.status).to.equal(200);
  });

  it('sends the platform what Circlework needs: URIs, keys, AGS and NRPS scopes, deep linking, claims', async () => {
    const app = await appWith({ TRUSTED_ISSUERS: moodle.issuer });
    await moodle.startDynamicRegistration(app.url);
    const sent = moodle.registrations.at(-1)!.request;
    expect(sent.initiate_login_uri).to.equal(`${app.url}/lti/login`);
    expect(sent.redirect_uris).to.deep.equal([`${app.url}/lti/launch`]);
    expect(sent.jwks_uri).to.equal(`${app.url}/lti/keys`);
    expect(String(sent.scope).split(' ')).to.include.members([
      'https://purl.imsglobal.org/spec/lti-ags/scope/score',
      'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
      'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
    ]);
    const conf = sent[TOOL_CONF] as { messages: Array<{ type: string }>; claims: string[]; target_link_uri: string };
    expect(conf.messages.map((m) => m.type)).to.include('LtiDeepLinkingRequest');
    expect(conf.claims).to.include.members(['sub', 'name', 'email']);
    expect(conf.target_link_uri).to.equal(`${app.url}/lti/launch`);
  });

  it('keeps an untrusted issuer’s registration waiting until the admin approves it', async () => {
    const app = await appWith();
    const res = await moodle.startDynamicRegistration(app.url);
    expect(parse(res.body).querySelector('[data-test=registration-pending]')).to.not.equal(null);
    const [platform] = await platforms(app);
    expect(platform!.status).to.equal('pending');
    const clientId = moodle.registrations.at(-1)!.clientId;
    moodle.activateTool(clientId);
    const refused = await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId });
    expect(refused.status).to.equal(403);
    await setPlatformStatus({ db: app.db, ltiEncryptionKey: app.config.ltiEncryptionKey! }, platform!.id, 'active');
    expect((await moodle.launch(app.url, new LtiHttpClient(), { user: alice, clientId })).status).to.equal(200);
  });

  it('does not trust a configuration that only claims a trusted issuer from another site', async () => {
    const impostor = await LtiPlatformSimulator.start({ kind: 'moodle', issuer: 'https://moodle.trusted.example' });
    try {
      const app = await appWith({ TRUSTED_ISSUERS: 'https://moodle.trusted.example' });
      await impostor.startDynamicRegistration(app.url);
      const [platform] = await platforms(app);
      expect(platform).to.include({ issuer: 'https://moodle.trusted.example', status: 'pending' });
    } finally {
      await impostor.close();
    }
  });

  it('Canvas surprise 3 (the deployment id is unknown until the first launch; dynamic registration does not return it): registers with course navigation and deep linking placements, records the deployment at the first launch', async () => {
    const app = await appWith();
    const res = await canvas.startDynamicRegistration(app.url);
    expect(res.status).to.equal(200);
    const sent = canvas.registrations.at(-1)!.request[TOOL_CONF] as { messages: Array<{ type: string; placements?: string[] }> };
    expect(sent.messages).to.deep.include.members([{
      type: 'LtiResourceLinkRequest', target_link_uri: `${app.url}/lti/launch`, label: 'Circlework', icon_uri: `${app.url}/public/icon.svg`, placements: ['course_navigation'],
      'https://canvas.instructure.com/lti/course_navigation/default_enabled': true, 'https://canvas.instructure.com/lti/visibility': 'members',
    }]);
    expect(sent.messages.find((m) => m.type === 'LtiDeepLinkingRequest')?.placements).to.deep.equal(['link_selection', 'assignment_selection']);
    expect(canvas.registrations.at(-1)!.request[TOOL_CONF]).to.include({ 'https://canvas.instructure.com/lti/privacy_level': 'public', 'https://canvas.instructure.com/lti/tool_id': 'circlework' });
    const [platform] = await platforms(app);
    expect(platform).to.include({ issuer: 'https://canvas.instructure.com', product: 'canvas', deploymentPolicy: 'record', status: 'pending' });
    expect(platform!.frameOrigins).to.include('https://*.instructure.com');
    expect(await app.db.selectFrom('tenants').selectAll().execute()).to.have.length(0);
    await setPlatformStatus({ db: app.db, ltiEncryptionKey: app.config.ltiEncryptionKey! }, platform!.id, 'active');
    const clientId = canvas.registrations.at(-1)!.clientId;
    const launch = await canvas.launch(app.url, new LtiHttpClient(), { user: alice, clientId });
    expect(launch.status).to.equal(200);
    const tenants = await app.db.selectFrom('tenants').selectAll().execute();
    expect(tenants.map((t) => [t.deploymentId, t.status])).to.deep.equal([[canvas.registrations.at(-1)!.deploymentId, 'active']]);
  });

  it('lets the registering platform frame its registration page while still pending (and its error page), and no other page', async () => {
    const app = await appWith();
    const client = new LtiHttpClient();
    const url = registrationUrl(app.url, moodle);
    const res = await client.request(url);
    expect(res.status).to.equal(200);
    expect((await platforms(app))[0]!.status).to.equal('pending');
    expect(frameAncestors(res)).to.deep.equal([moodle.baseUrl]);
    // The used link's error is shown in the same dialog.
    const again = await client.request(url);
    expect(again.status).to.equal(502);
    expect(frameAncestors(again)).to.deep.equal([moodle.baseUrl]);
    // A pending platform's origins frame nothing else.
    expect(frameAncestors(await client.request(`${app.url}/`))).to.deep.equal(["'self'"]);
    expect(frameAncestors(await client.request(`${app.url}/lti/register`))).to.deep.equal(["'none'"]);
  });

  it('lets a configuration anyone can supply widen the framing of its own registration page only, and never inject into the CSP', async () => {
    const app = await appWith();
    const client = new LtiHttpClient();
    const q = new URLSearchParams({ openid_configuration: 'https://attacker.invalid/.well-known/openid-configuration' });
    const own = await client.request(`${app.url}/lti/register?${q}`);
    expect(own.status).to.equal(502);
    expect(frameAncestors(own)).to.deep.equal(['https://attacker.invalid']);
    expect(frameAncestors(await client.request(`${app.url}/`))).to.deep.equal(["'self'"]);
    const injected = new URLSearchParams({ openid_configuration: 'https://a;script-src.invalid/x' });
    const refused = await client.request(`${app.url}/lti/register?${injected}`);
    expect(refused.headers.get('content-security-policy')).to.not.contain('a;script-src');
    expect(frameAncestors(refused)).to.deep.equal(["'none'"]);
    expect(await platforms(app)).to.have.length(0);
  });

  it('Moodle surprise 17 (registration answers 200 not 201, the tool is pending in Moodle, deployment_id is the type id, errors are plain text as text/html): registers, tells the admin to activate the tool, explains a used link', async () => {
    const app = await appWith({ TRUSTED_ISSUERS: moodle.issuer });
    const client = new LtiHttpClient();
    const url = registrationUrl(app.url, moodle);
    const res = await client.request(url);
    expect(res.status).to.equal(200);
    const registration = moodle.registrations.at(-1)!;
    expect(moodle.isToolPending(registration.clientId)).to.equal(true);
    expect(parse(res.body).querySelector('[data-test=registration-next-moodle]')?.text).to.contain('Activate').and.contain('Show in activity chooser');
    const tenants = await app.db.selectFrom('tenants').selectAll().execute();
    expect(registration.deploymentId).to.match(/^\d+$/);
    expect(tenants.map((t) => t.deploymentId)).to.deep.equal([registration.deploymentId]);

    const again = await client.request(url);
    expect(again.status).to.equal(502);
    const message = parse(again.body).querySelector('[data-test=error-message]')?.text ?? '';
    expect(message).to.contain('Moodle did not accept this registration link').and.contain('token_already_used').and.contain('start the registration again from Moodle');
    expect(await platforms(app)).to.have.length(1);

    moodle.activateTool(registration.clientId);
    expect((await moodle.launch(app.url, client, { user: alice, clientId: registration.clientId })).status).to.equal(200);
  });

  it('stops reading an endless OpenID configuration at the size cap, answers 502 and stores nothing', async () => {
    const app = await appWith();
    const endless = await endlessJsonServer();
    try {
      const q = new URLSearchParams({ openid_configuration: `${endless.url}/.well-known/openid-configuration`, registration_token: 't' });
      const res = await new LtiHttpClient().request(`${app.url}/lti/register?${q}`);
      expect(res.status).to.equal(502);
      await endless.closed;
      // What the server could write before we hung up: the 256 KiB cap plus socket buffers, not a stream
      // read whole (the old code read until its 10 s timeout: hundreds of megabytes).
      expect(endless.bytesWritten()).to.be.below(16 * 1024 * 1024);
      expect(await platforms(app)).to.have.length(0);
    } finally {
      await endless.close();
    }
  });

  it('explains itself when opened without parameters, and refuses an http configuration unless allowed', async () => {
    const app = await appWith({ ALLOW_INSECURE_REGISTRATION: 'false' });
    const bare = await new LtiHttpClient().request(`${app.url}/lti/register`);
    expect(bare.status).to.equal(400);
    expect(parse(bare.body).querySelector('[data-test=error-message]')?.text).to.contain('paste it into');
    const insecure = await moodle.startDynamicRegistration(app.url);
    expect(insecure.status).to.equal(400);
    expect(await platforms(app)).to.have.length(0);
  });

  it('limits registrations to 20 an hour from one address (each makes a key pair and fetches the network)', async () => {
    const app = await appWith();
    const q = new URLSearchParams({ openid_configuration: 'http://127.0.0.1:9/.well-known/openid-configuration' });
    for (let i = 0; i < 20; i++) expect((await fetch(`${app.url}/lti/register?${q}`)).status).to.equal(502);
    const limited = await fetch(`${app.url}/lti/register?${q}`, { headers: { accept: 'text/html' } });
    expect(limited.status).to.equal(429);
    expect(frameAncestors(limited), 'shown in the platform’s dialog').to.deep.equal(['http://127.0.0.1:9']);
  });

  it('answers 502 with a message when the platform cannot be reached or refuses, and stores nothing', async () => {
    const app = await appWith();
    const q = new URLSearchParams({ openid_configuration: 'http://127.0.0.1:9/.well-known/openid-configuration', registration_token: 't' });
    const unreachable = await new LtiHttpClient().request(`${app.url}/lti/register?${q}`);
    expect(unreachable.status).to.equal(502);
    const used = new URLSearchParams({ openid_configuration: moodle.openidConfigurationUrl, registration_token: 'never-issued' });
    const refused = await new LtiHttpClient().request(`${app.url}/lti/register?${used}`);
    expect(refused.status).to.equal(502);
    expect(await platforms(app)).to.have.length(0);
  });
});

describe('the registration dialog in Chromium', function () {
  this.timeout(60_000);
  let moodle: LtiPlatformSimulator;
  let app: TestApp;
  before(async () => {
    moodle = await LtiPlatformSimulator.start({ kind: 'moodle' });
    app = await startTestApp();
    await resetDatabase(app.handle);
  });
  after(async () => {
    await app?.close();
    await moodle?.close();
  });

  it('closes on its own after the first registration, while the platform is still pending: the platform may frame the page and hears its close message', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(moodle.registrationDialogUrl(app.url));
      await page.locator('#dialog-status', { hasText: 'closed' }).waitFor({ timeout: 15_000 });
      const stored = await app.db.selectFrom('platforms').selectAll().execute();
      expect(stored.map((p) => p.status)).to.deep.equal(['pending']);
    } finally {
      await browser.close();
    }
  });
});

describe('GET /lti/canvas.json', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.close());

  it('describes the developer key: URLs, scopes, privacy, and the three placements with their message types', async () => {
    const key = (await (await fetch(`${app.url}/lti/canvas.json`)).json()) as Record<string, any>;
    expect(key).to.include({ title: 'Circlework', oidc_initiation_url: `${app.url}/lti/login`, target_link_uri: `${app.url}/lti/launch`, public_jwk_url: `${app.url}/lti/keys` });
    expect(key.description).to.be.a('string').with.length.greaterThan(20);
    expect(key.scopes).to.include('https://purl.imsglobal.org/spec/lti-ags/scope/score');
    const ext = key.extensions[0];
    expect(ext).to.include({ platform: 'canvas.instructure.com', privacy_level: 'public' });
    const placements = Object.fromEntries(ext.settings.placements.map((p: any) => [p.placement, p.message_type]));
    expect(placements).to.deep.equal({
      course_navigation: 'LtiResourceLinkRequest',
      link_selection: 'LtiDeepLinkingRequest',
      assignment_selection: 'LtiDeepLinkingRequest',
    });
  });
});
