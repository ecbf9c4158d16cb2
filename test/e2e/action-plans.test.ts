// Action plans in Chromium: a learner inside the LMS iframe builds a plan, chooses who sees it,
// submits it, invites their manager and finds it on the cohort's board; the manager opens the
// emailed link in another browser context (no LMS) and comments. axe-core on the plan pages, the
// board, the manager's page and the page for asking a sign-in link.
import { expect } from 'chai';
import type { Browser, Frame, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { fitsWidth, launchChromium, PHONE, seriousAxeViolations } from '../support/browser.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

describe('action plans in Chromium', function () {
  this.timeout(60_000);
  let app: TestApp;
  let lms: LtiPlatformSimulator;
  let browser: Browser;
  let smtp: SmtpSink;

  before(async () => {
    smtp = await SmtpSink.start();
    app = await startTestApp({ SMTP_URL: smtp.url });
    lms = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle Sim' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await lms?.close();
    await app?.close();
    await smtp?.close();
  });

  const toolFrame = (page: Page): Frame => page.frames().find((f) => f.url().startsWith(app.url))!;

  it('builds a plan in the LMS, shares it with the cohort, sees it on the board, and the manager comments from the emailed link', async () => {
    await resetDatabase(app.handle);
    smtp.clear();
    const { clientId } = await connectPlatform(app, lms);
    const learnerContext = await browser.newContext();
    // The manager reads the emailed link on a phone.
    const managerContext = await browser.newContext(PHONE);
    try {
      const page = await learnerContext.newPage();
      await page.goto(lms.coursePageUrl(app.url, { user: { sub: 'ana', name: 'Ana Learner', email: 'ana@example.org', roles: [ROLES.learner] }, clientId, context: { id: 'c-plans', title: 'Plans course' } }));
      const tool = page.frameLocator('#tool');
      await tool.locator('[data-test=cohort-hub]').waitFor({ timeout: 20_000 });
      await tool.locator('[data-test=action-plan-link]').click();
      await tool.locator('[data-test=own-plan]').waitFor();

      const goal = tool.locator('[data-test=goal][data-goal="1"]');
      await goal.locator('input[name=g1_title]').fill('Ask for help before I am stuck');
      await goal.locator('textarea[name=g1_actions]').fill('Post my work in progress every Friday\nBook a coffee with a colleague in another team');
      await goal.locator('input[name=g1_due]').fill('2027-03-01');
      await goal.locator('textarea[name=g1_success]').fill('I ask within a day, not a week');
      await goal.locator('textarea[name=g1_support]').fill('My manager clearing Friday afternoons');
      await tool.locator('[data-test=visibility-cohort]').check();
      await tool.locator('[data-test=submit-plan]').click();
      await tool.locator('[data-test=saved][data-saved=submitted]').waitFor();
      expect(await tool.locator('[data-test=visibility-cohort]').isChecked()).to.equal(true);
      expect(await seriousAxeViolations(toolFrame(page))).to.deep.equal([]);

      await tool.locator('input#email').fill('max.manager@example.com');
      await tool.locator('[data-test=invite-manager]').click();
      await tool.locator('[data-test=saved][data-saved=invited]').waitFor();
      expect(await tool.locator('[data-test=invite]').count()).to.equal(1);

      await tool.locator('a', { hasText: 'The cohort’s plans' }).first().click();
      await tool.locator('[data-test=plans-board]').waitFor();
      expect(await tool.locator('[data-test=board-plan]').count()).to.equal(1);
      expect(await tool.locator('[data-test=board-plan]').textContent()).to.contain('Ask for help before I am stuck');
      expect(await tool.locator('[data-test=board-plan]').textContent()).to.contain('Everyone in the cohort');
      expect(await seriousAxeViolations(toolFrame(page))).to.deep.equal([]);

      await tool.locator('[data-test=board-plan] a').click();
      await tool.locator('[data-test=plan]').waitFor();
      expect(await tool.locator('[data-test=goal]').count()).to.equal(1);
      expect(await seriousAxeViolations(toolFrame(page))).to.deep.equal([]);

      // The manager: the emailed link, in a browser that never saw the LMS.
      const [invite] = smtp.to('max.manager@example.com');
      const link = /https?:\/\/[^\s]+\/action-plans\/links\/manager\/[^\s]+/.exec(invite!.text)![0];
      const managerPage = await managerContext.newPage();
      await managerPage.goto(link);
      await managerPage.locator('[data-test=manager-view]').waitFor();
      expect(await managerPage.locator('[data-test=goal]').count()).to.equal(1);
      expect(await seriousAxeViolations(managerPage, { targetSize: true })).to.deep.equal([]);
      expect(await fitsWidth(managerPage), 'the manager page fits a phone').to.equal(true);
      await managerPage.locator('textarea#body').fill('Happy to keep Friday afternoons clear. Let us talk in two weeks.');
      await managerPage.locator('[data-test=manager-comment]').click();
      await managerPage.locator('[data-test=done][data-done=comment]').waitFor();
      expect(await managerPage.locator('[data-test=manager-comments]').textContent()).to.contain('Happy to keep Friday afternoons clear');
      expect(await seriousAxeViolations(managerPage)).to.deep.equal([]);

      // The page for asking a sign-in link by address (reached without the LMS) is clean too.
      await managerPage.goto(`${app.url}/action-plans/links/request`);
      await managerPage.locator('[data-test=request-link-form]').waitFor();
      expect(await seriousAxeViolations(managerPage)).to.deep.equal([]);

      // The learner sees the manager's comment on their plan.
      const frame = toolFrame(page);
      await frame.goto(frame.url());
      await tool.locator('[data-test=plan]').waitFor();
      expect(await tool.locator('[data-test=comment]').textContent()).to.contain('Happy to keep Friday afternoons clear');
    } finally {
      await managerContext.close();
      await learnerContext.close();
    }
  });
});
