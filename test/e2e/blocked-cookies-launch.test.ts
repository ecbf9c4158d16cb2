// Launches in browsers that refuse third-party cookies (Chrome's setting, Safari's default): the LMS
// on one site (http://127.0.0.1) frames the tool on another (https://localhost). Every cookie the
// launch relies on is Partitioned; where the platform offers LTI platform storage (Canvas) the state
// and nonce go there; where the frame keeps no cookie at all, a new window takes over.
import { expect } from 'chai';
import { sql } from 'kysely';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { selfSignedHttpsServer, seriousAxeViolations } from '../support/browser.ts';
import { chromiumBlockingThirdPartyCookies } from '../support/cookie-policy-browser.ts';

const ada = { sub: 'ada', name: 'Ada Lovelace', roles: [ROLES.learner] };
const course = { id: 'c-1', title: 'Working Out Loud' };

describe('launch where the browser blocks third-party cookies (Chromium)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let moodle: LtiPlatformSimulator;
  let canvas: LtiPlatformSimulator;
  let context: BrowserContext | undefined;
  let cspViolations: string[] = [];

  before(async () => {
    app = await startTestApp({}, { host: 'localhost', server: await selfSignedHttpsServer() });
    moodle = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle Sim' });
    canvas = await LtiPlatformSimulator.start({ kind: 'canvas', name: 'Canvas Sim' });
  });
  after(async () => {
    await canvas?.close();
    await moodle?.close();
    await app?.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    cspViolations = [];
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  /** A context of its own Chromium, collecting Content Security Policy reports of the launch's own pages (/lti/…). */
  async function browse(policy?: Parameters<typeof chromiumBlockingThirdPartyCookies>[0]): Promise<BrowserContext> {
    context = await chromiumBlockingThirdPartyCookies(policy);
    context.on('console', (m) => {
      if (m.text().includes('Content Security Policy') && m.location().url.startsWith(`${app.url}/lti/`)) cspViolations.push(`${m.location().url}: ${m.text()}`);
    });
    return context;
  }

  const toolFrame = (page: Page): Frame => page.frames().find((f) => f.url().startsWith(app.url))!;
  const storageMessages = (page: Page, frameName: string) =>
    page.frame({ name: frameName })!.evaluate(() => (window as unknown as { ltiMessages: Array<{ subject: string; key?: string; origin: string }> }).ltiMessages);

  async function openCoursePage(sim: LtiPlatformSimulator, connected: ConnectedPlatform): Promise<Page> {
    const page = await context!.newPage();
    await page.goto(sim.coursePageUrl(app.url, { user: ada, clientId: connected.clientId, context: course }));
    return page;
  }

  it('launches from Moodle onto the hub with Partitioned cookies, and the session survives a reload in the frame', async () => {
    const connected = await connectPlatform(app, moodle);
    context = await browse();
    const page = await openCoursePage(moodle, connected);
    const tool = page.frameLocator('#tool');
    await tool.locator('[data-test=cohort-hub]').waitFor({ timeout: 20_000 });
    expect(await tool.locator('[data-test=learner-name]').textContent()).to.equal('Ada Lovelace');
    await toolFrame(page).goto(toolFrame(page).url());
    await tool.locator('[data-test=cohort-hub]').waitFor();

    const session = (await context.cookies(app.url)).find((c) => c.name === 'cw.sid');
    expect(session, 'session cookie').to.include({ secure: true, sameSite: 'None', httpOnly: true });
    // Stored in the LMS's partition: Chromium kept it although third-party cookies are blocked.
    expect((session as { partitionKey?: unknown }).partitionKey, 'partition key').to.not.equal(undefined);
    expect(cspViolations).to.deep.equal([]);
  });

  it('Canvas surprise 20 (platform storage goes through a sibling frame): the state and nonce are put into the post_message_forwarding frame at login and read back at launch', async () => {
    const connected = await connectPlatform(app, canvas);
    context = await browse();
    const page = await openCoursePage(canvas, connected);
    const tool = page.frameLocator('#tool');
    await tool.locator('[data-test=cohort-hub]').waitFor({ timeout: 20_000 });

    const toolOrigin = new URL(app.url).origin;
    // The course page was asked for capabilities only; storage went to the sibling frame.
    expect(await page.evaluate(() => (window as unknown as { ltiMessages: Array<{ subject: string; origin: string }> }).ltiMessages)).to.deep.include({ subject: 'lti.capabilities', origin: toolOrigin });
    const stored = await storageMessages(page, 'post_message_forwarding');
    expect(stored.map((m) => m.subject)).to.include.members(['lti.put_data']);
    expect(stored.every((m) => m.origin === toolOrigin)).to.equal(true);
    const state = canvas.authRequests.at(-1)!.state!;
    expect(stored).to.deep.include({ subject: 'lti.put_data', key: `state-${state}`, origin: toolOrigin });
    expect(cspViolations).to.deep.equal([]);
  });

  it('launches from Canvas with every cookie blocked in the frame: platform storage checks the login, and the launch opens in a new window on the hub', async () => {
    const connected = await connectPlatform(app, canvas);
    context = await browse({ blockAllCookiesIn: { embedded: new URL(app.url).origin, top: canvas.baseUrl } });
    const page = await openCoursePage(canvas, connected);
    const tool = page.frameLocator('#tool');
    const button = tool.locator('[data-test=open-window]');
    await button.waitFor({ timeout: 20_000 });
    const stored = await storageMessages(page, 'post_message_forwarding');
    const state = canvas.authRequests.at(-1)!.state!;
    expect(stored).to.deep.include({ subject: 'lti.get_data', key: `state-${state}`, origin: new URL(app.url).origin });
    // Nothing reached the frame: no state cookie, no session.
    expect((await context.cookies(app.url)).map((c) => c.name)).to.deep.equal([]);
    expect(await seriousAxeViolations(toolFrame(page))).to.deep.equal([]);

    const [opened] = await Promise.all([context.waitForEvent('page'), button.click()]);
    await opened.locator('[data-test=cohort-hub]').waitFor({ timeout: 20_000 });
    expect(await opened.locator('[data-test=learner-name]').textContent()).to.equal('Ada Lovelace');
    await tool.locator('[data-test=window-opened]').waitFor();
    // The new window is first-party: its session survives a reload there.
    await opened.reload();
    await opened.locator('[data-test=cohort-hub]').waitFor();
    expect(cspViolations).to.deep.equal([]);
  });

  it('launches from Moodle with every cookie blocked in the frame: before the login hint is used, one click starts the same launch in a new window', async () => {
    const connected = await connectPlatform(app, moodle);
    context = await browse({ blockAllCookiesIn: { embedded: new URL(app.url).origin, top: moodle.baseUrl } });
    const authRequests = moodle.authRequests.length;
    const page = await openCoursePage(moodle, connected);
    const tool = page.frameLocator('#tool');
    const button = tool.locator('[data-test=open-window]');
    await button.waitFor({ timeout: 20_000 });
    // The frame stopped before the platform's authorization endpoint: Moodle's launch id is still unused.
    expect(moodle.authRequests.length).to.equal(authRequests);
    expect(await seriousAxeViolations(toolFrame(page))).to.deep.equal([]);

    const [opened] = await Promise.all([context.waitForEvent('page'), button.click()]);
    await opened.locator('[data-test=cohort-hub]').waitFor({ timeout: 20_000 });
    expect(await opened.locator('[data-test=learner-name]').textContent()).to.equal('Ada Lovelace');
    expect(moodle.authRequests.length).to.equal(authRequests + 1);
    await tool.locator('[data-test=window-opened]').waitFor();
    expect(cspViolations).to.deep.equal([]);
  });

  it('talks to platform storage only on the platform’s authorization origin: a storage frame elsewhere gets nothing, and the new window is offered', async () => {
    const connected = await connectPlatform(app, canvas);
    // The platform as registered authorizes on another origin than the one its storage frame is on.
    const elsewhere = canvas.authEndpoint.replace('http://127.0.0.1:', 'http://localhost:');
    await app.db.updateTable('platforms').set({ authEndpoint: elsewhere }).where('id', '=', connected.platform.id).execute();
    await sql`update lti_documents set doc = jsonb_set(doc, '{authEndpoint}', to_jsonb(${elsewhere}::text)) where collection = 'platform'`.execute(app.db);
    await browse({ blockAllCookiesIn: { embedded: new URL(app.url).origin, top: canvas.baseUrl } });
    const page = await openCoursePage(canvas, connected);
    await page.frameLocator('#tool').locator('[data-test=open-window]').waitFor({ timeout: 20_000 });
    expect((await storageMessages(page, 'post_message_forwarding')).map((m) => m.subject)).to.deep.equal([]);
    expect(cspViolations).to.deep.equal([]);
  });
});
