// A real browser launches the tool inside the LMS's iframe, across sites (LMS on 127.0.0.1 over http,
// tool on localhost over https): the state and session cookies must survive as third-party cookies.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { launchChromium, selfSignedHttpsServer, seriousAxeViolations } from '../support/browser.ts';

describe('cross-site embedded launch in Chromium', function () {
  this.timeout(60_000);
  let app: TestApp;
  let lms: LtiPlatformSimulator;
  let connected: ConnectedPlatform;
  let browser: Browser;

  before(async () => {
    app = await startTestApp({}, { host: 'localhost', server: await selfSignedHttpsServer() });
    lms = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle Sim' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await lms?.close();
    await app?.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    connected = await connectPlatform(app, lms);
  });

  it('serves the tool over https on another site than the LMS', () => {
    expect(app.url).to.match(/^https:\/\/localhost:\d+$/);
    expect(lms.baseUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.config.secureCookies).to.equal(true);
  });

  it('launches a learner inside the LMS iframe onto the hub, and the session survives a reload in the frame', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await page.goto(lms.coursePageUrl(app.url, { user: { sub: 'ada', name: 'Ada Lovelace', roles: [ROLES.learner] }, clientId: connected.clientId, context: { id: 'c-1', title: 'Working Out Loud' } }));
      const frame = page.frameLocator('#tool');
      await frame.locator('[data-test=cohort-hub]').waitFor({ timeout: 20_000 });
      expect(await frame.locator('[data-test=learner-name]').textContent()).to.equal('Ada Lovelace');
      expect(await frame.locator('[data-test=module]').count()).to.equal(9);

      const toolFrame = page.frames().find((f) => f.url().startsWith(app.url))!;
      expect(new URL(toolFrame.url()).pathname).to.match(/^\/cohorts\/[0-9a-f-]{36}$/);
      await toolFrame.goto(toolFrame.url());
      await frame.locator('[data-test=cohort-hub]').waitFor();

      const cookies = await context.cookies(app.url);
      const session = cookies.find((c) => c.name === 'cw.sid');
      expect(session, 'session cookie').to.not.equal(undefined);
      expect(session).to.include({ secure: true, sameSite: 'None', httpOnly: true });
      // Partitioned (CHIPS): kept in the LMS's partition, the only way it survives where third-party cookies are blocked.
      expect((session as { partitionKey?: unknown }).partitionKey, 'partition key').to.not.equal(undefined);
      expect(await seriousAxeViolations(toolFrame)).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('lands a facilitator on the console inside the iframe', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await page.goto(lms.coursePageUrl(app.url, { user: { sub: 'grace', name: 'Grace Hopper', roles: [ROLES.instructor] }, clientId: connected.clientId }));
      const frame = page.frameLocator('#tool');
      await frame.locator('[data-test=facilitator-console]').waitFor({ timeout: 20_000 });
      expect(await frame.locator('[data-test=member]').count()).to.equal(1);
      const toolFrame = page.frames().find((f) => f.url().startsWith(app.url))!;
      expect(await seriousAxeViolations(toolFrame)).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('refuses to be framed by a site that is not a registered platform', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await app.db.updateTable('platforms').set({ frameOrigins: ['https://lms.elsewhere.example'] }).execute();
      // Chromium reports the refused frame on the console; no report within 15 s fails the test.
      const blocked = page.waitForEvent('console', { predicate: (m) => m.text().includes('frame-ancestors'), timeout: 15_000 });
      await page.goto(lms.coursePageUrl(app.url, { user: { sub: 'eve', roles: [ROLES.learner] }, clientId: connected.clientId }));
      expect((await blocked).text()).to.contain('frame-ancestors');
    } finally {
      await context.close();
    }
  });
});
