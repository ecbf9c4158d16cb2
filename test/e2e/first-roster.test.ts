// A facilitator's first launch into a new cohort whose roster is slow to come: the console says the
// roster is on its way and then shows it, in the same page (no reload), under our CSP (no inline script).
import { expect } from 'chai';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { startTestJobQueue } from '../support/test-jobs.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { launchChromium, selfSignedHttpsServer, seriousAxeViolations } from '../support/browser.ts';
import type { JobQueue } from '../../server/jobs/job-queue.ts';
import { registerRosterSync, ROSTER_SCHEDULE_QUEUE } from '../../server/roster/roster-sync.job.ts';

describe('the first roster on the facilitator console in Chromium', function () {
  this.timeout(60_000);
  let app: TestApp;
  let lms: LtiPlatformSimulator;
  let queue: JobQueue;
  let browser: Browser;

  before(async () => {
    queue = await startTestJobQueue();
    // The console waits only 100 ms for the first roster: the LMS below takes longer.
    app = await startTestApp({ ROSTER_FIRST_WAIT_MS: '100' }, { host: 'localhost', server: await selfSignedHttpsServer(), queue });
    lms = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle Sim' });
    await resetDatabase(app.handle);
    await registerRosterSync(
      queue,
      { db: app.db, log: pino({ level: 'silent' }), ltiEncryptionKey: app.config.ltiEncryptionKey! },
      { everyCron: '0 0 1 1 *', pollingIntervalSeconds: 0.5 },
    );
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await queue?.boss.unschedule(ROSTER_SCHEDULE_QUEUE);
    await queue?.stop();
    await lms?.close();
    await app?.close();
  });

  it('shows a notice while the roster is read, then the roster, without the facilitator reloading', async () => {
    const connected = await connectPlatform(app, lms);
    lms.setMembers('slow-course', [
      { user_id: 'nora-1', roles: [ROLES.learner], name: 'Nora Neverlaunched' },
      { user_id: 'ned-2', roles: [ROLES.learner], name: 'Ned Notyet' },
    ]);
    // The LMS answers the roster request only when the test has seen the notice.
    const answerRoster = lms.services.holdServiceCalls();
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      const cspReports: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspReports.push(m.text());
      });
      await page.goto(lms.coursePageUrl(app.url, { user: { sub: 'grace', name: 'Grace Hopper', roles: [ROLES.instructor] }, clientId: connected.clientId, context: { id: 'slow-course', title: 'Slow course' } }));
      const frame = page.frameLocator('#tool');
      await frame.locator('[data-test=facilitator-console]').waitFor({ timeout: 20_000 });
      expect(await frame.locator('[data-test=roster-pending]').isVisible()).to.equal(true);
      expect(await frame.locator('[data-test=member]').count()).to.equal(1);
      const toolFrame = page.frames().find((f) => f.url().startsWith(app.url))!;
      await toolFrame.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));
      answerRoster();

      await frame.locator('[data-test=member]', { hasText: 'Nora Neverlaunched' }).waitFor({ timeout: 20_000 });
      expect(await frame.locator('[data-test=member]').count()).to.equal(3);
      expect(await frame.locator('[data-test=roster-pending]').count()).to.equal(0);
      expect(await frame.locator('[data-test=roster-counts]').textContent()).to.contain('2 learners');
      // The same document: the roster came in without a reload.
      expect(await toolFrame.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).to.equal(true);
      expect(cspReports).to.deep.equal([]);
      expect(await seriousAxeViolations(toolFrame)).to.deep.equal([]);
    } finally {
      answerRoster();
      await context.close();
    }
  });
});
