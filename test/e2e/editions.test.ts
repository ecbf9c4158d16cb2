// The edition editor on a phone (390×844, touch) in Chromium, clicked through as a content editor
// would: start an edition, edit a module with a preview, save, publish; every page fits the width
// and is axe-clean with target size; so is the facilitator's page for moving a cohort.
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLES } from '../support/lti-fixtures.ts';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { fitsWidth, launchChromium, PHONE, seriousAxeViolations } from '../support/browser.ts';

const dana: SimUser = { sub: 'dana', name: 'Dana Designer', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper'] };
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('edition editor on a phone (Chromium)', function () {
  this.timeout(180_000);
  const { env, launch } = cohortSuite({ context: { id: 'course-ed-phone', title: 'Leading Teams, spring' } });
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  async function phoneAs(m: Member): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(PHONE);
    await context.addCookies((await m.browser.jar.getCookies(env.app.url)).map((c) => ({ name: c.key, value: c.value, url: env.app.url })));
    return { context, page: await context.newPage() };
  }
  async function checkPage(page: Page, what: string): Promise<void> {
    expect(await fitsWidth(page), `${what}: no sideways scroll`).to.equal(true);
    expect(await seriousAxeViolations(page, { targetSize: true }), what).to.deep.equal([]);
  }

  it('starts, edits with a preview, saves and publishes an edition, each page fitting 390 px and axe-clean', async () => {
    const editor = await launch(dana);
    const { context, page } = await phoneAs(editor);
    try {
      expect((await page.goto(`${env.app.url}/editions`))!.status()).to.equal(200);
      await checkPage(page, 'editions, empty');
      await page.getByLabel('Name', { exact: true }).fill('Managers');
      await page.locator('[data-test=create-edition]').click();
      await page.locator('[data-test=created]').waitFor();
      await checkPage(page, 'edition');

      await page.locator('[data-test=edit-module]').nth(1).click();
      await page.locator('[data-test=module-form]').waitFor();
      await page.getByLabel('Module title').fill('Narrate your work at Acme');
      await page.getByLabel('Framing text').fill('## At Acme\n\nWe narrate in the **team channel**.');
      await page.locator('[data-test=preview-module]').click();
      await page.locator('[data-test=preview]').waitFor();
      expect(await page.locator('[data-test=preview] strong').first().textContent()).to.equal('team channel');
      await checkPage(page, 'module editor with a preview');

      await page.locator('[data-test=save-module]').click();
      await page.locator('[data-test=saved]').waitFor();
      await page.getByLabel('Module title').fill('');
      await page.locator('[data-test=save-module]').click();
      await page.locator('[data-test=error-summary]').waitFor();
      await checkPage(page, 'module editor with an error');

      await page.goto(`${env.app.url}/editions`);
      await page.locator('[data-test=edition-row] a').click();
      await page.locator('[data-test=edit-five-factors]').click();
      await page.locator('[data-test=save-five-factors]').waitFor();
      await checkPage(page, 'five factors');

      await page.goBack();
      await page.locator('[data-test=publish]').click();
      await page.locator('[data-test=published]').waitFor();
      await page.goto(`${env.app.url}/editions`);
      await checkPage(page, 'editions, one published');
    } finally {
      await context.close();
    }

    // the facilitator's page for moving the cohort to it
    const f = await launch(fran);
    const phone = await phoneAs(f);
    try {
      await phone.page.goto(`${f.base}/console/edition`);
      await phone.page.locator('[data-test=preview-move]').click();
      await phone.page.locator('[data-test=confirm-move]').waitFor();
      await checkPage(phone.page, 'moving a cohort');
    } finally {
      await phone.context.close();
    }
  });
});
