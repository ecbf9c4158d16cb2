// Issue 15's "done means": a fresh start → home → "Try a demo cohort" → "Open as …" → the hub, two
// clicks, in Chromium; the tool in the demo LMS's frame, with the demo banner. axe-core on the demo page.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { fitsWidth, launchChromium, PHONE, seriousAxeViolations } from '../support/browser.ts';

describe('demo cohort in Chromium', function () {
  // The click seeds the demo cohort (a few seconds of writes, more on a busy machine).
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    app = await startTestApp();
    await resetDatabase(app.handle);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('goes from the home page to a learner’s hub in two clicks, framed by the demo platform', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(app.url);
      await page.getByRole('link', { name: 'Try a demo cohort' }).click();
      // The page says the cohort is being made and looks again until it is.
      const priya = page.getByRole('link', { name: 'Open as Priya Nair' });
      await priya.waitFor({ timeout: 100_000 });
      expect(await seriousAxeViolations(page.mainFrame())).to.deep.equal([]);
      await priya.click();

      const tool = page.frameLocator('[data-test=tool-frame]');
      await tool.locator('[data-test=cohort-hub]').waitFor({ timeout: 20_000 });
      expect(await tool.locator('[data-test=person-name]').textContent()).to.equal('Priya Nair');
      expect(await tool.locator('[data-test=demo-banner]').textContent()).to.equal('Demo cohort — made-up people');
      expect(await page.locator('[data-test=demo-viewing] strong').textContent()).to.equal('Priya Nair');
    } finally {
      await context.close();
    }
  });

  it('fits a phone: the home page and the demo’s list of people at 390 px, axe clean with target size', async () => {
    const context = await browser.newContext(PHONE);
    try {
      const page = await context.newPage();
      for (const path of ['/', '/demo']) {
        await page.goto(`${app.url}${path}`);
        // The first test made the demo cohort: its people are listed.
        if (path === '/demo') await page.getByRole('link', { name: 'Open as Priya Nair' }).waitFor({ timeout: 100_000 });
        expect(await fitsWidth(page), path).to.equal(true);
        expect(await seriousAxeViolations(page.mainFrame(), { targetSize: true }), path).to.deep.equal([]);
      }
    } finally {
      await context.close();
    }
  });
});
