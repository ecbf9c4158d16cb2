// LTI Dynamic Registration as Moodle and Canvas do it, and the Canvas developer key JSON.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { setPlatformStatus } from '../../lti/platforms.service.ts';

const TOOL_CONF = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const alice = { sub: 'alice-1', name: 'Alice', roles: [ROLES.learner] };

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

  it('registers with Canvas (no deployment id): course navigation and deep linking placements, deployment recorded at the first launch', async () => {
    const app = await appWith();
    const res = await canvas.startDynamicRegistration(app.url);
    expect(res.status).to.equal(200);
    const sent = canvas.registrations.at(-1)!.request[TOOL_CONF] as { messages: Array<{ type: string; placements?: string[] }> };
    expect(sent.messages).to.deep.include.members([
      { type: 'LtiResourceLinkRequest', target_link_uri: `${app.url}/lti/launch`, label: 'Circlework', placements: ['course_navigation'] },
    ]);
    expect(sent.messages.find((m) => m.type === 'LtiDeepLinkingRequest')?.placements).to.deep.equal(['link_selection', 'assignment_selection']);
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
