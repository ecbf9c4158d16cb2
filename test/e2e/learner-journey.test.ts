// A learner in Chromium: launch, open module 1, write a reflection, complete the five-factor check,
// complete the module, see progress on the hub. axe-core on the hub and the module page.
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { launchChromium, scriptsRan, seriousAxeViolations } from '../support/browser.ts';

describe('learner journey in Chromium', function () {
  this.timeout(60_000);
  let app: TestApp;
  let lms: LtiPlatformSimulator;
  let browser: Browser;

  before(async () => {
    app = await startTestApp();
    lms = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle Sim' });
    browser = await launchChromium();
  });
  const toolFrame = (page: Page) => page.frames().find((f) => f.url().startsWith(app.url))!;

  after(async () => {
    await browser?.close();
    await lms?.close();
    await app?.close();
  });

  it('launches, writes a reflection, completes the check and the module, and sees progress', async () => {
    await resetDatabase(app.handle);
    const { clientId } = await connectPlatform(app, lms);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(lms.coursePageUrl(app.url, { user: { sub: 'lin', name: 'Lin Learner', roles: [ROLES.learner] }, clientId, context: { id: 'c-journey', title: 'Journey course' } }));
      const tool = page.frameLocator('#tool');
      await tool.locator('[data-test=cohort-hub]').waitFor({ timeout: 20_000 });
      const frame = page.frames().find((f) => f.url().startsWith(app.url))!;
      expect(await seriousAxeViolations(frame)).to.deep.equal([]);

      await tool.locator('[data-module="1"] a').click();
      await tool.locator('[data-test=module-page]').waitFor();
      expect(await seriousAxeViolations(page.frames().find((f) => f.url().startsWith(app.url))!)).to.deep.equal([]);

      const intention = tool.locator('[data-activity="set-your-intention"]');
      await intention.locator('textarea[name=text]').fill('Get better at asking my team for help before I am stuck.');
      await intention.locator('[data-test=save-draft]').click();
      await tool.locator('[data-activity="set-your-intention"] [data-test=saved]').waitFor();
      await tool.locator('[data-activity="set-your-intention"] [data-test=submit]').click();
      await tool.locator('[data-activity="set-your-intention"][data-status="submitted"]').waitFor();

      const check = tool.locator('[data-activity="starting-five-factor-check"]');
      for (const factor of ['intention', 'propensity-and-skill', 'relationship-strength', 'activity-match', 'tool-access']) {
        await check.locator(`input[name="rating_${factor}"][value="4"]`).check();
      }
      await check.locator('textarea[name=comment]').fill('Tools are fine; relationships need work.');
      await check.locator('[data-test=submit]').click();
      await tool.locator('[data-test=module-completed]').waitFor();
      expect(await tool.locator('[data-test=module-state]').first().textContent()).to.equal('Complete');

      await tool.locator('a', { hasText: '← All modules' }).click();
      await tool.locator('[data-test=cohort-hub]').waitFor();
      expect(await tool.locator('[data-test=my-progress]').textContent()).to.contain('1 of 9');
      const bar = tool.locator('[data-test=progress-bar]');
      expect([await bar.getAttribute('value'), await bar.getAttribute('max')]).to.deep.equal(['1', '9']);
      expect(await tool.locator('[data-module="1"]').getAttribute('data-state')).to.equal('complete');
    } finally {
      await context.close();
    }
  });

  it('keeps what was typed when the session has expired: restored after the next launch', async () => {
    await resetDatabase(app.handle);
    const { clientId } = await connectPlatform(app, lms);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const user = { sub: 'sam', name: 'Sam Learner', roles: [ROLES.learner] };
      await page.goto(lms.coursePageUrl(app.url, { user, clientId, context: { id: 'c-expiry' } }));
      const tool = page.frameLocator('#tool');
      await tool.locator('[data-module="1"] a').click();
      await tool.locator('[data-test=module-page]').waitFor();
      // drafts.js keeps a copy of what is typed once it has run: typing before it would test nothing.
      await scriptsRan(toolFrame(page));
      const text = 'A long answer I typed before my session ran out.';
      await tool.locator('[data-activity="set-your-intention"] textarea[name=text]').fill(text);
      await context.clearCookies();
      await tool.locator('[data-activity="set-your-intention"] [data-test=submit]').click();
      await tool.locator('[data-test=error-page]').waitFor();
      expect(await tool.locator('[data-test=error-page]').getAttribute('data-status')).to.be.oneOf(['401', '403']);

      await page.goto(lms.coursePageUrl(app.url, { user, clientId, context: { id: 'c-expiry' } }));
      await tool.locator('[data-module="1"] a').click();
      await tool.locator('[data-test=module-page]').waitFor();
      await scriptsRan(toolFrame(page));
      expect(await tool.locator('[data-activity="set-your-intention"] textarea[name=text]').inputValue()).to.equal(text);
    } finally {
      await context.close();
    }
  });
});
