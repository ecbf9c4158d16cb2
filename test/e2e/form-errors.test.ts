// Forms on a phone (390×844, touch) inside the LMS iframe: each label sits above its field, and a
// failed submit puts an error summary at the top that takes focus, whose links move focus to the
// field in error; what was typed stays. The reflection on the module page and the action plan.
import { expect } from 'chai';
import type { Browser, Frame, FrameLocator, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { launchChromium, seriousAxeViolations } from '../support/browser.ts';

describe('form errors on a phone', function () {
  this.timeout(60_000);
  let app: TestApp;
  let lms: LtiPlatformSimulator;
  let browser: Browser;

  before(async () => {
    app = await startTestApp();
    lms = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle Sim' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await lms?.close();
    await app?.close();
  });

  const toolFrame = (page: Page): Frame => page.frames().find((f) => f.url().startsWith(app.url))!;
  /** The id of the focused element in the tool's frame, or its data-test when it has no id. */
  const focused = (page: Page) => toolFrame(page).evaluate(() => document.activeElement?.id || document.activeElement?.getAttribute('data-test') || document.activeElement?.tagName);

  /** Every visible label of a field in the frame's forms ends above its field and starts at its left edge. */
  async function labelsAboveFields(frame: Frame) {
    return frame.evaluate(() =>
      [...document.querySelectorAll<HTMLLabelElement>('form label[for]')]
        .filter((l) => l.offsetParent !== null)
        .flatMap((l) => {
          const field = document.getElementById(l.htmlFor)!;
          const lr = l.getBoundingClientRect();
          const fr = field.getBoundingClientRect();
          return lr.bottom <= fr.top + 1 && Math.abs(lr.left - fr.left) < 2 ? [] : [`${l.htmlFor}: label ${Math.round(lr.left)},${Math.round(lr.bottom)} field ${Math.round(fr.left)},${Math.round(fr.top)}`];
        }),
    );
  }

  async function openAsLearner(sub: string): Promise<{ page: Page; tool: FrameLocator }> {
    const { clientId } = await connectPlatform(app, lms);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(lms.coursePageUrl(app.url, { user: { sub, name: 'Pia Phone', roles: [ROLES.learner] }, clientId, context: { id: `c-${sub}`, title: 'Phone course' } }));
    const tool = page.frameLocator('#tool');
    await tool.locator('[data-test=cohort-hub]').waitFor({ timeout: 20_000 });
    return { page, tool };
  }

  it('an empty reflection: the summary takes focus, its link focuses the field, and the page does not scroll sideways', async () => {
    await resetDatabase(app.handle);
    const { page, tool } = await openAsLearner('pia');
    try {
      await tool.locator('[data-module="1"] a').click();
      await tool.locator('[data-test=module-page]').waitFor();
      expect(await labelsAboveFields(toolFrame(page))).to.deep.equal([]);
      const intention = tool.locator('[data-activity="set-your-intention"]');
      await intention.locator('textarea[name=text]').fill('   ');
      await intention.locator('[data-test=submit]').click();
      const summary = tool.locator('[data-test=error-summary]');
      await summary.waitFor();
      await toolFrame(page).waitForFunction(() => document.activeElement?.hasAttribute('data-error-summary'));
      expect(await summary.locator('h2').textContent()).to.equal('There is a problem');
      expect(await summary.getAttribute('role')).to.equal('alert');
      const link = summary.locator('[data-test=error-summary-link]');
      expect(await link.allTextContents()).to.deep.equal(['Write your reflection before saving']);
      const field = intention.locator('textarea[name=text]');
      const describedBy = (await field.getAttribute('aria-describedby'))!;
      expect(await tool.locator(`#${describedBy}`).textContent()).to.equal('Write your reflection before saving');
      expect(await intention.locator('[data-test=activity-error]').textContent()).not.to.contain('(');

      // A click, not a tap: Debian's Chromium 150 sends the mouse events a tap makes inside the LMS's
      // iframe to the element beside the tapped one (the touch events hit the link, the click its
      // paragraph), so a tap tests that bug, not our link. The link's handler is a click handler.
      await link.first().click();
      expect(await focused(page)).to.equal('set-your-intention-text');
      expect(await toolFrame(page).evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).to.equal(true);
      expect(await seriousAxeViolations(toolFrame(page))).to.deep.equal([]);
    } finally {
      await page.context().close();
    }
  });

  it('an incomplete action plan: labels above fields, the summary links each missing field, and what was typed stays', async () => {
    await resetDatabase(app.handle);
    const { page, tool } = await openAsLearner('pat');
    try {
      await tool.locator('[data-test=action-plan-link]').click();
      await tool.locator('[data-test=own-plan]').waitFor();
      expect(await labelsAboveFields(toolFrame(page))).to.deep.equal([]);
      const goal = tool.locator('[data-test=goal][data-goal="1"]');
      await goal.locator('input[name=g1_title]').fill('Ask for help sooner');
      await tool.locator('[data-test=submit-plan]').click();
      const summary = tool.locator('[data-test=error-summary]');
      await summary.waitFor();
      await toolFrame(page).waitForFunction(() => document.activeElement?.hasAttribute('data-error-summary'));
      const links = summary.locator('[data-test=error-summary-link]');
      expect(await links.allTextContents()).to.deep.equal(['Give at least one concrete action (one per line)', 'Give a due date for this goal', 'Say what success looks like for this goal']);
      expect(await goal.locator('input[name=g1_title]').inputValue()).to.equal('Ask for help sooner');

      await links.nth(1).click();
      expect(await focused(page)).to.equal('g1_due');
      await links.nth(0).click();
      expect(await focused(page)).to.equal('g1_actions');
      expect(await goal.locator('textarea[name=g1_actions]').getAttribute('aria-describedby')).to.equal('g1_actions-hint g1_actions-error');
      expect(await labelsAboveFields(toolFrame(page))).to.deep.equal([]);
      expect(await toolFrame(page).evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).to.equal(true);
      expect(await seriousAxeViolations(toolFrame(page))).to.deep.equal([]);
    } finally {
      await page.context().close();
    }
  });
});
