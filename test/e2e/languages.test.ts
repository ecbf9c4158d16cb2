// Every page kind a learner, a facilitator and the tool admin reach by following links, in every
// language (Chromium). In the pseudo-locale en-XA a plain English word on a page is a string that
// never went through the catalogs; in fr-FR, es-ES and the right-to-left ar-XB each page renders
// (a missing key fails the render outside production), names its language and direction, shows no
// catalog key, and stays clean under axe.
import { expect } from 'chai';
import type { Frame, Page } from 'playwright-core';
import { ROLES } from '../support/lti-fixtures.ts';
import { lmsBrowserSuite } from '../support/lms-browser-suite.ts';
import { cohortMembers } from '../support/cohort-members.ts';
import { seedTourCohort, tour, type PageVisit } from '../support/page-tour.ts';
import { seriousAxeViolations } from '../support/browser.ts';
import { untranslatedText } from '../support/untranslated.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';

const course = { id: 'c-lang', title: 'Language course' };
const fay = { sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] };
const learner = (n: number) => ({ sub: `lang${n}`, name: `Lang Learner${n}`, roles: [ROLES.learner] });
const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };
// The LMS's institution Administrator: a programme lead and a content editor of the deployment.
const lee = { sub: 'lee', name: 'Lee Lead', roles: ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator', ROLES.instructor] };

// A catalog key shown as text ("discussions.thread.reply"): what a production page shows for a missing one.
const SHOWN_KEY = /\b[a-z][a-zA-Z]+\.[a-z][a-zA-Z]+\.[a-z][a-zA-Z.]+\b/;

describe('languages: every page kind in every language (Chromium)', function () {
  this.timeout(300_000);
  const { env, launchInBrowser } = lmsBrowserSuite({ course });
  const m = cohortMembers(() => env, course);

  async function seedCohort(): Promise<{ learnerBase: string; facilitatorBase: string }> {
    const { facilitator, learners } = await seedTourCohort(m, fay, [learner(1), learner(2), learner(3)]);
    return { learnerBase: learners[0]!.base, facilitatorBase: facilitator.base };
  }

  async function tourAll(locale: string, check: (target: Frame | Page, kind: string) => Promise<void>): Promise<PageVisit[]> {
    const { learnerBase, facilitatorBase } = await seedCohort();
    const ada = await launchInBrowser(learner(1), 'cohort-hub', { locale });
    const pages = await tour(ada.frame(), learnerBase, `${env.app.url}/cohorts/`, (kind) => check(ada.frame(), kind));
    const fran = await launchInBrowser(fay, 'facilitator-console', { locale });
    pages.push(...(await tour(fran.frame(), `${facilitatorBase}/console`, `${env.app.url}/cohorts/`, (kind) => check(fran.frame(), kind))));
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

  it('en-XA: no page shows a string that did not come from the catalogs', async () => {
    const found: string[] = [];
    const pages = await tourAll('en-XA', async (target, kind) => {
      for (const text of untranslatedText(await target.content())) found.push(`${kind} ${text}`);
    });
    expect(pages.filter((p) => p.status >= 500), 'pages that failed to render').to.deep.equal([]);
    expect(pages.length).to.be.greaterThan(20);
    expect(pages.map((p) => p.kind), 'the editor and the programme view are on the tour').to.include.members(['/editions', '/editions/:id', '/editions/:id/modules/:n', '/editions/:id/five-factors', '/programme']);
    expect(found.length, `strings outside the catalogs:\n${found.join('\n')}\n`).to.equal(0);
  });

  for (const [locale, lang, dir] of [['fr-FR', 'fr', 'ltr'], ['es-ES', 'es', 'ltr'], ['ar-XB', 'ar-XB', 'rtl']] as const) {
    it(`${locale}: every page renders in ${lang} (${dir}), shows no catalog key, and is clean under axe`, async () => {
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
    });
  }
});
