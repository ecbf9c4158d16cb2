// Learner, facilitator and admin pages on a phone (390×844, touch) in Chromium (issue 16 items 9 and 12): no
// page scrolls sideways (wide tables scroll inside their own region, charts fit), the header stays
// one row, and each page is axe-clean, target size (WCAG 2.2, off in axe by default) included.
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLES } from '../support/lti-fixtures.ts';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { launchChromium, PHONE, seriousAxeViolations } from '../support/browser.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';

const learner = (i: number): SimUser => ({ sub: `w${i}`, name: `Wilhelmina Longname-Example ${i}`, email: `wilhelmina.longname.example.${i}@example.org`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };

describe('learner, facilitator and admin pages on a phone (Chromium)', function () {
  this.timeout(180_000);
  const { env, queues, launch, post, get, follow, formGroups } = cohortSuite({ context: { id: 'course-phone', title: 'A course with a rather long title for a phone' }, queues: 1 });
  let browser: Browser;
  let contexts: BrowserContext[] = [];
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [];
  });

  /** A phone's browser holding `m`'s session. */
  async function phoneOf(m: Member): Promise<Page> {
    const context = await browser.newContext(PHONE);
    contexts.push(context);
    const cookies = await m.browser.jar.getCookies(env.app.url);
    await context.addCookies(cookies.map((c) => ({ name: c.key, value: c.value, url: env.app.url })));
    return context.newPage();
  }

  /** What sticks out past the viewport: the page's width, and the widest elements that cause it. */
  async function sideways(page: Page) {
    return page.evaluate(() => {
      // A phone browser zooms out to show a page wider than itself (innerWidth grows with it): the
      // layout viewport (clientWidth) is the device's 390 px.
      const width = Math.min(window.innerWidth, document.documentElement.clientWidth);
      const scroll = document.documentElement.scrollWidth;
      if (scroll <= width) return null;
      const culprits = [...document.querySelectorAll<HTMLElement>('body *')]
        .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll, .scroll-x'))
        .map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''} right=${Math.round(e.getBoundingClientRect().right)}`)
        .slice(0, 6);
      return { width, scroll, culprits };
    });
  }
  /** Table regions that are a tab stop without scrolling, or scroll without being one (public/scroll-regions.js). */
  const scrollStops = (page: Page) => page.evaluate(() => {
    // No named functions in here: the page knows nothing of the helpers the test's compiler adds.
    const regions = [...document.querySelectorAll<HTMLElement>('.scroll-x')].map((r) => ({ label: r.getAttribute('aria-label'), overflows: r.scrollWidth > r.clientWidth + 1, stop: r.hasAttribute('tabindex') }));
    return { wrong: regions.filter((r) => r.overflows !== r.stop).map((r) => r.label), fitting: regions.filter((r) => !r.overflows).length };
  });
  /** How many rows the header's visible items take: 1 when every item overlaps every other vertically. */
  const headerRows = (page: Page) => page.evaluate(() => {
    const items = [...document.querySelectorAll<HTMLElement>('.site-header > *')].filter((e) => e.offsetParent !== null && e.getBoundingClientRect().width > 1 && e.getBoundingClientRect().height > 1);
    const boxes = items.map((e) => e.getBoundingClientRect());
    const lowestTop = Math.max(...boxes.map((b) => b.top));
    const highestBottom = Math.min(...boxes.map((b) => b.bottom));
    return lowestTop < highestBottom ? 1 : 2;
  });

  async function seed() {
    const ls: Member[] = [];
    for (let i = 1; i <= 6; i++) ls.push(await launch(learner(i)));
    const f = await launch(fran);
    const groupOf = await formGroups(f);
    const mates = ls.filter((_, i) => groupOf.get(`w${i + 1}`) === groupOf.get('w1'));
    const space = await follow(mates[0]!, `${mates[0]!.base}/modules/1/space`);
    const t = await post(mates[0]!, `${space}/threads`, { title: 'Hello group', body: 'Hi all! What are you working on?' });
    const thread = new URL(t.location!, env.app.url).href.replace(/#.*/, '');
    const r = await post(mates[1]!, `${thread}/posts`, { body: 'Building on that: a handover checklist.' });
    const postId = /#post-([0-9a-f-]+)/.exec(r.location!)![1]!;
    await post(mates[0]!, `${mates[0]!.base}/posts/${postId}/kudos`, { reason: 'Great idea' });
    await post(mates[2]!, `${mates[2]!.base}/posts/${postId}/flag`, { flagReason: 'Testing the queue on a phone' });
    // a score the LMS refused, for the grades table
    const { tenantId } = await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', f.cohortId).executeTakeFirstOrThrow();
    const link = await env.app.db.selectFrom('resourceLinks').select('resourceLinkId').where('cohortId', '=', f.cohortId).executeTakeFirstOrThrow();
    const m1 = await env.app.db.selectFrom('memberships').select('id').where('cohortId', '=', f.cohortId).where('role', '=', 'learner').executeTakeFirstOrThrow();
    await env.app.db.insertInto('gradeOutbox').values({ tenantId, membershipId: m1.id, resourceLinkId: link.resourceLinkId, payload: JSON.stringify({ scoreGiven: 1, scoreMaximum: 9, activityProgress: 'InProgress', gradingProgress: 'FullyGraded' }), scoreTimestamp: new Date(), status: 'failed', attempts: 5, lastError: 'The LMS answered 400: the line item https://moodle.example.org/mod/lti/services.php/2/lineitems/17/lineitem?type_id=3 does not exist' }).execute();
    return f;
  }

  it('no facilitator page scrolls sideways at 390 px, the header is one row, and each is axe-clean', async () => {
    const f = await seed();
    expect((await get(f, `${f.base}/console/grades`)).status, 'grades page mounted').to.equal(200);
    const page = await phoneOf(f);
    let fitting = 0;
    const paths = ['/console', '/console/dashboard', '/console/social', '/console/inquiry', '/console/five-factor', '/console/report', '/console/grades', '/console/groups', '/console/moderation', '/console/moderation/log', '/console/moderation/members', '/console/announcements', '/action-plans/console', '/modules/1/space'];
    const problems: Record<string, unknown> = {};
    for (const path of paths) {
      const res = await page.goto(`${f.base}${path}`);
      expect(res!.status(), path).to.equal(200);
      const wide = await sideways(page);
      if (wide) problems[path] = wide;
      const rows = await headerRows(page);
      if (rows !== 1) problems[`${path} header`] = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.site-header > *')].map((e) => `${e.className || e.tagName} ${Math.round(e.getBoundingClientRect().top)}-${Math.round(e.getBoundingClientRect().bottom)} w${Math.round(e.getBoundingClientRect().width)}`));
      const axe = await seriousAxeViolations(page, { targetSize: true });
      if (axe.length) problems[`${path} axe`] = axe;
      const stops = await scrollStops(page);
      if (stops.wrong.length) problems[`${path} tab stops`] = stops.wrong;
      fitting += stops.fitting;
    }
    expect(problems).to.deep.equal({});
    expect(fitting, 'some table region fits at 390 px (else this check would prove nothing)').to.be.greaterThan(0);
  });

  it('no learner page scrolls sideways at 390 px, the header is one row, and each is axe-clean', async () => {
    await seed();
    const w1 = (await launch(learner(1))); // the group's starter: their space holds the thread
    const space = await follow(w1, `${w1.base}/modules/1/space`);
    const thread = await env.app.db.selectFrom('threads').select('id').where('title', '=', 'Hello group').executeTakeFirstOrThrow();
    const page = await phoneOf(w1);
    const paths = ['', '/modules/1', '/modules/2', '/modules/9', new URL(space, env.app.url).pathname.replace(w1.base.replace(env.app.url, ''), ''), `/threads/${thread.id}`, '/commons', '/action-plan', '/action-plans', '/notifications', '/profile', '/experts', '/norms'];
    const problems: Record<string, unknown> = {};
    for (const path of paths) {
      const res = await page.goto(`${w1.base}${path}`);
      expect(res!.status(), path).to.be.oneOf([200]);
      const wide = await sideways(page);
      if (wide) problems[path || 'hub'] = wide;
      const rows = await headerRows(page);
      if (rows !== 1) problems[`${path || 'hub'} header`] = rows;
      const axe = await seriousAxeViolations(page, { targetSize: true });
      if (axe.length) problems[`${path || 'hub'} axe`] = axe;
    }
    expect(problems).to.deep.equal({});
  });

  it('no admin page, error page or the home page scrolls sideways at 390 px, signing in included, and each is axe-clean', async () => {
    await seedAdmin(env.app.db, ADMIN);
    const context = await browser.newContext(PHONE);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${env.app.url}/admin/login`);
    const problems: Record<string, unknown> = {};
    const check = async (name: string) => {
      const wide = await sideways(page);
      if (wide) problems[name] = wide;
      const axe = await seriousAxeViolations(page, { targetSize: true });
      if (axe.length) problems[`${name} axe`] = axe;
    };
    await check('login');
    await page.fill('#email', ADMIN.email);
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.locator('[data-test=admin-platforms]').waitFor();
    await check('platforms');
    await page.locator('[data-test=platform] a').first().click();
    await page.waitForURL(/\/admin\/platforms\/[0-9a-f-]+$/);
    await check('platform');
    await page.goto(`${env.app.url}/admin/platforms/new`);
    await check('add platform');
    // The pages anyone may meet: the home page and the error pages.
    await page.goto(`${env.app.url}/`);
    await check('home');
    expect((await page.goto(`${env.app.url}/no-such-page`))!.status()).to.equal(404);
    await check('404 page');
    expect((await page.goto(`${env.app.url}/cohorts/00000000-0000-4000-8000-000000000000`))!.status()).to.equal(401);
    await check('401 page');
    expect(problems).to.deep.equal({});
  });
});
