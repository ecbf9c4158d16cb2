// Every kind of page a learner, a facilitator and the tool admin can reach by following links keeps to
// our CSP: the browser fixture fails the test on any violation, naming the page and the directive.
// One page per kind of address (ids folded), in the LMS iframe as people use them.
import { expect } from 'chai';
import type { Frame, Page } from 'playwright-core';
import { ROLES } from '../support/lti-fixtures.ts';
import { lmsBrowserSuite } from '../support/lms-browser-suite.ts';
import { cohortMembers } from '../support/cohort-members.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';

const course = { id: 'c-tour', title: 'Tour course' };
const fay = { sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] };
const learner = (n: number) => ({ sub: `tour${n}`, name: `Tour Learner${n}`, roles: [ROLES.learner] });
const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };

/** The address with ids and numbers folded, so one page of each kind is visited. */
const kindOf = (url: string) => new URL(url).pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\/\d+(?=\/|$)/g, '/:n');
// Downloads and event streams are not pages; signing out would end the tour.
const NOT_A_PAGE = /\/(export|events|logout|sign-out)\b|\.csv$/;

/** Visits `start` and every link it leads to under `scope` (breadth first), one page per kind. */
async function tour(target: Frame | Page, start: string, scope: string, limit = 60): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [start];
  const visited: string[] = [];
  while (queue.length && visited.length < limit) {
    const url = queue.shift()!;
    if (seen.has(kindOf(url))) continue;
    seen.add(kindOf(url));
    await target.goto(url);
    visited.push(kindOf(url));
    const links = await target.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const href of links.map((h) => h.split('#')[0]!)) {
      if (href.startsWith(scope) && !NOT_A_PAGE.test(href) && !seen.has(kindOf(href))) queue.push(href);
    }
  }
  return visited;
}

describe('every page kind keeps to the CSP (Chromium)', function () {
  this.timeout(120_000);
  const { env, launchInBrowser } = lmsBrowserSuite({ course });
  const m = cohortMembers(() => env, course);

  it('for a learner in a group, a facilitator, the tool admin, and the error pages', async () => {
    // A cohort with a group, a thread and a submitted activity, so the pages have something to show.
    const facilitatorHttp = await m.launch(fay);
    const learners = [await m.launch(learner(1)), await m.launch(learner(2)), await m.launch(learner(3))];
    await m.formGroups(facilitatorHttp);
    const space = await m.follow(learners[1]!, `${learners[1]!.base}/modules/1/space`);
    await m.post(learners[1]!, `${space}/threads`, { title: 'Hello group', body: 'Hello @tourlearner1, what are you working on?' });
    await m.post(learners[0]!, `${learners[0]!.base}/modules/1/activities/set-your-intention`, { intent: 'submit', text: 'Ask for help early.', shared: 'on' });

    const ada = await launchInBrowser(learner(1), 'cohort-hub');
    const learnerPages = await tour(ada.frame(), learners[0]!.base, `${env.app.url}/cohorts/`);
    expect(learnerPages).to.include.members(['/cohorts/:id', '/cohorts/:id/modules/:n', '/cohorts/:id/spaces/:id', '/cohorts/:id/threads/:id', '/cohorts/:id/action-plan']);

    const fran = await launchInBrowser(fay, 'facilitator-console');
    const facilitatorPages = await tour(fran.frame(), `${facilitatorHttp.base}/console`, `${env.app.url}/cohorts/`);
    expect(facilitatorPages.length).to.be.greaterThan(10);

    // Error pages: unknown address in the frame; no session at the top level; an ended link.
    await ada.frame().goto(`${learners[0]!.base}/no-such-page`);
    const top = await ada.page.context().newPage();
    await top.goto(`${learners[0]!.base}`);
    await top.goto(`${env.app.url}/action-plans/links/request`);
    await top.goto(`${env.app.url}/action-plans/links/not-a-token`);

    // The admin console is never framed: signed in at the top level.
    await seedAdmin(env.app.db, ADMIN);
    await top.goto(`${env.app.url}/admin/login`);
    await top.fill('#email', ADMIN.email);
    await top.fill('#password', ADMIN.password);
    await Promise.all([top.waitForURL(/\/admin(\/|$|\?)/), top.click('button[type=submit]')]);
    const adminPages = await tour(top, `${env.app.url}/admin`, `${env.app.url}/admin`);
    expect(adminPages).to.include('/admin');
  });
});
