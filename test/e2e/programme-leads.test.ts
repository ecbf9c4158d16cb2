// The tool admin's page of a deployment's programme leads on a phone (390×844, touch) in Chromium:
// signing in, naming a lead, the list and the confirmation before removing fit the width and are
// axe-clean, target size included.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { fitsWidth, launchChromium, PHONE, seriousAxeViolations } from '../support/browser.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';

const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };

describe('programme leads in the admin console on a phone (Chromium)', function () {
  this.timeout(120_000);
  const { env, launch } = cohortSuite({ context: { id: 'course-leads-phone', title: 'Leads on a phone' } });
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it('names and removes a lead at 390 px, axe-clean with target size', async () => {
    const f = await launch({ sub: 'fran', name: 'Fran', roles: [ROLES.instructor] });
    const { tenantId } = await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', f.cohortId).executeTakeFirstOrThrow();
    await seedAdmin(env.app.db, ADMIN);
    const context = await browser.newContext(PHONE);
    try {
      const page = await context.newPage();
      await page.goto(`${env.app.url}/admin/login`);
      await page.fill('#email', ADMIN.email);
      await page.fill('#password', ADMIN.password);
      await page.click('button[type=submit]');
      await page.locator('[data-test=admin-platforms]').waitFor();
      await page.goto(`${env.app.url}/admin/tenants/${tenantId}`);
      await page.locator('[data-test=programme-leads-link]').click();
      await page.locator('[data-test=no-leads]').waitFor();
      const problems: Record<string, unknown> = {};
      const check = async (name: string) => {
        if (!(await fitsWidth(page))) problems[name] = 'scrolls sideways';
        const axe = await seriousAxeViolations(page, { targetSize: true });
        if (axe.length) problems[`${name} axe`] = axe;
      };
      await check('no leads');
      await page.fill('[data-test=lead-value]', 'a.rather.long.address.for.a.programme.lead@example-university.edu');
      await page.click('[data-test=add-lead]');
      await page.locator('[data-test=lead-added]').waitFor();
      await check('a lead named');
      await page.click('[data-test=remove-lead]');
      await page.locator('[data-test=confirm]').waitFor();
      await check('confirm removal');
      await page.click('[data-test=confirm-button]');
      await page.locator('[data-test=lead-removed]').waitFor();
      expect(problems).to.deep.equal({});
    } finally {
      await context.close();
    }
  });
});
