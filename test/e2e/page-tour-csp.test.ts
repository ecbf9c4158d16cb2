// Every kind of page a learner, a facilitator and the tool admin can reach by following links keeps to
// our CSP: the browser fixture fails the test on any violation, naming the page and the directive.
// One page per kind of address (ids folded), in the LMS iframe as people use them.
import { expect } from 'chai';
import { ROLES } from '../support/lti-fixtures.ts';
import { lmsBrowserSuite } from '../support/lms-browser-suite.ts';
import { cohortMembers } from '../support/cohort-members.ts';
import { seedTourCohort, tour } from '../support/page-tour.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';

const course = { id: 'c-tour', title: 'Tour course' };
const fay = { sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] };
const learner = (n: number) => ({ sub: `tour${n}`, name: `Tour Learner${n}`, roles: [ROLES.learner] });
const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };

describe('every page kind keeps to the CSP (Chromium)', function () {
  this.timeout(120_000);
  const { env, launchInBrowser } = lmsBrowserSuite({ course });
  const m = cohortMembers(() => env, course);

  it('for a learner in a group, a facilitator, the tool admin, and the error pages', async () => {
    const { facilitator: facilitatorHttp, learners } = await seedTourCohort(m, fay, [learner(1), learner(2), learner(3)]);

    const ada = await launchInBrowser(learner(1), 'cohort-hub');
    const learnerPages = (await tour(ada.frame(), learners[0]!.base, `${env.app.url}/cohorts/`)).map((p) => p.kind);
    expect(learnerPages).to.include.members(['/cohorts/:id', '/cohorts/:id/modules/:n', '/cohorts/:id/spaces/:id', '/cohorts/:id/threads/:id', '/cohorts/:id/action-plan']);

    const fran = await launchInBrowser(fay, 'facilitator-console');
    const facilitatorPages = (await tour(fran.frame(), `${facilitatorHttp.base}/console`, `${env.app.url}/cohorts/`)).map((p) => p.kind);
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
    const adminPages = (await tour(top, `${env.app.url}/admin`, `${env.app.url}/admin`)).map((p) => p.kind);
    expect(adminPages).to.include('/admin');
  });
});
