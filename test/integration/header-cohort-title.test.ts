// The header names the cohort on every cohort page, for a facilitator and a learner, whether or not
// the page passes the cohort's title itself (the moderation, groups and announcements pages did not).
import { expect } from 'chai';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';

const TITLE = 'Working out loud, spring';

describe('the header’s cohort title', () => {
  const { launch, get } = cohortSuite({ context: { id: 'course-header', title: TITLE } });

  it('shows the cohort’s title on every console page and every learner page', async () => {
    const learner = await launch({ sub: 'lea', name: 'Lea Learner', roles: [ROLES.learner] });
    const f = await launch({ sub: 'fay', name: 'Fay Facilitator', roles: [ROLES.instructor] });
    const console = ['', '/groups', '/announcements', '/moderation', '/moderation/log', '/moderation/members', '/dashboard', '/social', '/inquiry', '/five-factor', '/report'].map((p) => `${f.base}/console${p}`);
    for (const url of [...console, `${f.base}/action-plans/console`]) {
      const page = await get(f, url);
      expect(page.status, url).to.equal(200);
      expect(page.doc.querySelector('[data-test=cohort-title]')?.text, url).to.equal(TITLE);
    }
    for (const path of ['', '/notifications', '/modules/1', '/profile', '/action-plan', '/action-plans', '/experts', '/norms']) {
      const page = await get(learner, `${learner.base}${path}`);
      expect(page.status, path).to.equal(200);
      expect(page.doc.querySelector('[data-test=cohort-title]')?.text, path).to.equal(TITLE);
    }
  });
});
