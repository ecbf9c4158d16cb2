// The thread page's compact per-post actions on a phone (390×844) with JavaScript off: kudos with a
// reason from its disclosure, and a flag from the post's "…" menu, both through the page's one form.
import { expect } from 'chai';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { seriousAxeViolations } from '../support/browser.ts';
import { lmsBrowserSuite } from '../support/lms-browser-suite.ts';
import { cohortMembers } from '../support/cohort-members.ts';

const ari: SimUser = { sub: 'ari', name: 'Ari Learner', roles: [ROLES.learner] };
const bea: SimUser = { sub: 'bea', name: 'Bea Learner', roles: [ROLES.learner] };
const course = { id: 'c-compact', title: 'Compact course' };

describe('compact post actions on a phone without JavaScript (Chromium)', function () {
  this.timeout(90_000);
  const { env, launchInBrowser, sameSessionIn } = lmsBrowserSuite({ course });
  const m = cohortMembers(() => env, course);

  it('gives kudos with a reason and flags a post from the compact controls', async () => {
    const a = await m.launch(ari);
    const space = await m.follow(a, `${a.base}/commons`);
    const started = await m.post(a, `${space}/threads`, { title: 'Small habits', body: 'I write one line a day.' });
    const threadUrl = new URL(started.location!, env.app.url).href;
    for (const body of ['Second thought.', 'Third thought.']) await m.post(a, `${threadUrl}/posts`, { body });

    const b = await launchInBrowser(bea, 'cohort-hub');
    // axe needs JavaScript: it looks at the same page in the LMS frame.
    await b.frame().goto(threadUrl);
    await b.tool.locator('[data-test=thread-page]').waitFor();
    expect(await seriousAxeViolations(b.frame())).to.deep.equal([]);
    const phone = await sameSessionIn(b, { javaScriptEnabled: false, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, threadUrl);
    await phone.locator('[data-test=thread-page]').waitFor();
    expect(await phone.locator('[data-test=post]').count()).to.equal(3);
    // Closed, the controls are one line each: the reply box is one link away.
    expect(await phone.locator('input[name^=reason-]').first().isVisible()).to.equal(false);
    expect(await phone.locator('[data-test=jump-to-reply][href="#reply"]').count()).to.equal(1);

    // Their ids from the database: the page's own attributes are read with scripts, off here.
    const [, secondId, thirdId] = (await env.app.db.selectFrom('posts').select('id').orderBy('createdAt').orderBy('id').execute()).map((p) => p.id);
    const second = phone.locator(`#post-${secondId}`);
    await second.locator('[data-test=kudos-toggle]').click();
    await second.locator('input[name^=reason-]').fill('One line a day is doable');
    await second.locator('[data-test=give-kudos]').click();
    await phone.locator(`#post-${secondId} [data-test=kudos]`).waitFor();
    expect(await phone.locator(`#post-${secondId} [data-test=kudos]`).textContent()).to.contain('Bea Learner: One line a day is doable');
    expect(await phone.locator('[data-test=kudos]').count(), 'only the named post').to.equal(1);

    const third = phone.locator(`#post-${thirdId}`);
    await third.locator('[data-test=post-menu] > summary').click();
    await third.locator('[data-test=flag-toggle]').click();
    await third.locator('input[name^=flagReason-]').fill('Off topic');
    await third.locator('[data-test=flag]').click();
    await phone.locator('[data-test=flagged]').waitFor();
    const flags = await env.app.db.selectFrom('postFlags').select(['postId', 'reason']).execute();
    expect(flags).to.deep.equal([{ postId: thirdId, reason: 'Off topic' }]);
    // Closed here: the CSP hook's flush waits on a timer in each open page, which never fires without JavaScript.
    await phone.close();
  });
});
