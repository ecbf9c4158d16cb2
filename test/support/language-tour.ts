// Every page kind a learner, a facilitator, a programme lead and the tool admin reach by following
// links, toured in one language (Chromium), for the language tests: one file per language, so the
// suite's two workers share the tours (each takes about a minute). Call inside `describe`.
import { expect } from 'chai';
import type { Frame, Page } from 'playwright-core';
import { ROLES } from './lti-fixtures.ts';
import { lmsBrowserSuite } from './lms-browser-suite.ts';
import { cohortMembers } from './cohort-members.ts';
import { seedTourCohort, tour, type PageVisit } from './page-tour.ts';
import { seriousAxeViolations } from './browser.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';

const course = { id: 'c-lang', title: 'Language course' };
const fay = { sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] };
const learner = (n: number) => ({ sub: `lang${n}`, name: `Lang Learner${n}`, roles: [ROLES.learner] });
const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };
// The LMS's institution Administrator: a programme lead and a content editor of the deployment.
const lee = { sub: 'lee', name: 'Lee Lead', roles: ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator', ROLES.instructor] };

// A catalog key shown as text ("discussions.thread.reply"): what a production page shows for a missing one.
const SHOWN_KEY = /\b[a-z][a-zA-Z]+\.[a-z][a-zA-Z]+\.[a-z][a-zA-Z.]+\b/;

export type PageCheck = (target: Frame | Page, kind: string) => Promise<void>;

export function languageTourSuite() {
  const { env, launchInBrowser } = lmsBrowserSuite({ course });
  const m = cohortMembers(() => env, course);

  /** Tours every page kind in `locale` (the LMS's launch locale, the admin's browser language), calling `check` on each. */
  async function tourAll(locale: string, check: PageCheck): Promise<PageVisit[]> {
    const { facilitator, learners } = await seedTourCohort(m, fay, [learner(1), learner(2), learner(3)]);
    const ada = await launchInBrowser(learner(1), 'cohort-hub', { locale });
    const pages = await tour(ada.frame(), learners[0]!.base, `${env.app.url}/cohorts/`, (kind) => check(ada.frame(), kind));
    const fran = await launchInBrowser(fay, 'facilitator-console', { locale });
    pages.push(...(await tour(fran.frame(), `${facilitator.base}/console`, `${env.app.url}/cohorts/`, (kind) => check(fran.frame(), kind))));
    // The edition editor (with an edition to open) and the programme view, in the LMS's frame.
    const leeHttp = await m.launch(lee);
    expect((await m.post(leeHttp, `${env.app.url}/editions`, { name: 'Managers', from: 'default', language: 'en' })).status).to.equal(303);
    const leeInLms = await launchInBrowser(lee, 'facilitator-console', { locale });
    for (const area of ['/editions', '/programme']) pages.push(...(await tour(leeInLms.frame(), `${env.app.url}${area}`, `${env.app.url}${area}`, (kind) => check(leeInLms.frame(), kind))));
    // The admin console is never framed and has no launch: it follows the browser's language.
    await seedAdmin(env.app.db, ADMIN);
    const top = await (await env.browser.newContext({ locale })).newPage();
    await top.goto(`${env.app.url}/admin/login`);
    await check(top, '/admin/login');
    await top.fill('#email', ADMIN.email);
    await top.fill('#password', ADMIN.password);
    await Promise.all([top.waitForURL(/\/admin(\/|$|\?)/), top.click('button[type=submit]')]);
    pages.push(...(await tour(top, `${env.app.url}/admin`, `${env.app.url}/admin`, (kind) => check(top, kind))));
    await top.goto(`${env.app.url}/no-such-page`);
    await check(top, 'error page');
    await top.context().close();
    return pages;
  }

  /** Every page renders in `locale`, names `lang` and `dir`, shows no catalog key, and is clean under axe. */
  async function expectEveryPageIn(locale: string, lang: string, dir: 'ltr' | 'rtl'): Promise<void> {
    const problems: string[] = [];
    const pages = await tourAll(locale, async (target, kind) => {
      const html = await target.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir, text: document.body.innerText }));
      if (html.lang !== lang || html.dir !== dir) problems.push(`${kind}: lang=${html.lang} dir=${html.dir}`);
      const key = SHOWN_KEY.exec(html.text);
      if (key) problems.push(`${kind}: shows “${key[0]}”`);
      for (const v of await seriousAxeViolations(target)) problems.push(`${kind}: axe ${v.id} (${v.help})`);
    });
    expect(pages.filter((p) => p.status >= 500), 'pages that failed to render').to.deep.equal([]);
    expect(problems.length, `problems:\n${problems.join('\n')}\n`).to.equal(0);
  }

  return { tourAll, expectEveryPageIn };
}
