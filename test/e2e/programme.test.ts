// The programme view on a phone (390×844, touch) in Chromium: the page does not scroll sideways (its
// wide table scrolls in its own region, a tab stop), and it is axe-clean, target size included.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { ROLES } from '../support/lti-fixtures.ts';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { fitsWidth, launchChromium, PHONE, seriousAxeViolations } from '../support/browser.ts';
import { loadWorkshop } from '../../server/modules/workshop-files.ts';
import { refreshProgrammeSnapshots } from '../../server/programme/programme-snapshots.ts';

const learner = (i: number): SimUser => ({ sub: `v${i}`, name: `Vera ${i}`, roles: [ROLES.learner] });
const ada: SimUser = { sub: 'ada', name: 'Ada Admin', roles: ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator', ROLES.instructor] };

describe('programme view on a phone (Chromium)', function () {
  this.timeout(120_000);
  const { env, clock, launch } = cohortSuite({ context: { id: 'course-prog-phone', title: 'Leading Teams with a rather long cohort title, spring 2026' } });
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it('fits 390 px with its charts, goals and their forms, its tables scroll in focusable regions, and it is axe-clean with target size', async () => {
    for (let i = 1; i <= 6; i++) await launch(learner(i));
    for (let i = 7; i <= 9; i++) await launch(learner(i), { id: 'course-prog-phone-2', title: 'Summer' });
    for (let i = 10; i <= 14; i++) await launch(learner(i), { id: 'course-prog-phone-3', title: 'Autumn' });
    const lead = await launch(ada);
    await refreshProgrammeSnapshots({ db: env.app.db, workshop: loadWorkshop(), now: clock.now });
    const { tenantId } = await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', lead.cohortId).executeTakeFirstOrThrow();
    await env.app.db.insertInto('relationshipGoals').values({ tenantId, kind: 'cross-group-ties', thresholdPercent: 70, at: 6 }).execute();
    const context = await browser.newContext(PHONE);
    try {
      await context.addCookies((await lead.browser.jar.getCookies(env.app.url)).map((c) => ({ name: c.key, value: c.value, url: env.app.url })));
      const page = await context.newPage();
      const res = await page.goto(`${env.app.url}/programme`);
      expect(res!.status()).to.equal(200);
      expect(await page.locator('[data-test=programme-cohort]').count()).to.equal(3);
      expect(await page.locator('[data-test=programme-chart]').count(), 'small multiples').to.be.greaterThan(0);
      expect(await page.locator('[data-test=goal-cohort]').count()).to.equal(3);
      await page.locator('[data-test=programme-chart] summary').first().click();
      expect(await fitsWidth(page), 'no sideways scroll').to.equal(true);
      const region = page.locator('.scroll-x').first();
      expect(await region.evaluate((r) => r.scrollWidth > r.clientWidth && r.getAttribute('tabindex') === '0'), 'the table scrolls in a tab stop').to.equal(true);
      expect(await seriousAxeViolations(page, { targetSize: true })).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });
});
