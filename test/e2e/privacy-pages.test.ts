// The privacy pages on a phone (390×844, touch) in Chromium: the profile's "Your data" section with
// a ready export, /privacy, the admin's notice editor and the social page with relationship
// analytics off: no sideways scroll, and axe-clean (target size included).
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLES } from '../support/lti-fixtures.ts';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { launchChromium, PHONE, seriousAxeViolations } from '../support/browser.ts';
import { waitFor } from '../support/wait.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';
import { registerPersonalExports } from '../../server/privacy/export.service.ts';
import { loadWorkshop } from '../../server/modules/workshop-files.ts';

const ada: SimUser = { sub: 'ada', name: 'Wilhelmina Longname-Example', email: 'wilhelmina.longname.example@example.org', roles: [ROLES.learner] };
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };

describe('privacy pages on a phone (Chromium)', function () {
  this.timeout(120_000);
  const { env, queues, launch, post } = cohortSuite({ context: { id: 'course-privacy-phone', title: 'A course with a rather long title for a phone' }, queues: 1 });
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  before(async () => {
    browser = await launchChromium();
    await registerPersonalExports(queues[0]!, { db: env.app.db, workshop: loadWorkshop() }, { pollingIntervalSeconds: 0.5 });
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [];
  });

  async function phone(m?: Member): Promise<Page> {
    const context = await browser.newContext(PHONE);
    contexts.push(context);
    if (m) {
      const cookies = await m.browser.jar.getCookies(env.app.url);
      await context.addCookies(cookies.map((c) => ({ name: c.key, value: c.value, url: env.app.url })));
    }
    return context.newPage();
  }
  const problemsOf = async (page: Page) => {
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > Math.min(window.innerWidth, document.documentElement.clientWidth));
    const axe = await seriousAxeViolations(page, { targetSize: true });
    return { wide, axe };
  };

  it('the profile with an export, /privacy, the notice editor and the social page with relationship analytics off', async () => {
    const f = await launch(fran);
    const a = await launch(ada);
    expect((await post(a, `${a.base}/profile/export`, { scope: 'all' })).status).to.equal(303);
    await waitFor('the export', async () => (await env.app.db.selectFrom('personalExports').select('status').executeTakeFirst())?.status === 'ready', 20_000);
    expect((await post(f, `${f.base}/console/dashboard/settings`, { quietDays: '7', relationshipAnalytics: 'off' })).status).to.equal(303);

    const problems: Record<string, unknown> = {};
    const learnerPage = await phone(a);
    for (const path of [`${a.base}/profile`, `${env.app.url}/privacy`]) {
      expect((await learnerPage.goto(path))!.status(), path).to.equal(200);
      const p = await problemsOf(learnerPage);
      if (p.wide || p.axe.length) problems[path] = p;
      if (path.endsWith('/profile')) expect(await learnerPage.locator('[data-test=download-export]').count()).to.equal(1);
    }
    const facilitatorPage = await phone(f);
    for (const path of [`${f.base}/console/social`, `${f.base}/console/dashboard`]) {
      expect((await facilitatorPage.goto(path))!.status(), path).to.equal(200);
      const p = await problemsOf(facilitatorPage);
      if (p.wide || p.axe.length) problems[path] = p;
    }

    await seedAdmin(env.app.db, ADMIN);
    const adminPage = await phone();
    await adminPage.goto(`${env.app.url}/admin/login`);
    await adminPage.fill('input[name=email]', ADMIN.email);
    await adminPage.fill('input[name=password]', ADMIN.password);
    await Promise.all([adminPage.waitForURL(/\/admin(\/|$)/), adminPage.click('button[type=submit]')]);
    const { tenantId } = await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', a.cohortId).executeTakeFirstOrThrow();
    expect((await adminPage.goto(`${env.app.url}/admin/tenants/${tenantId}/privacy`))!.status()).to.equal(200);
    const p = await problemsOf(adminPage);
    if (p.wide || p.axe.length) problems['notice editor'] = p;
    expect(problems).to.deep.equal({});
  });
});
