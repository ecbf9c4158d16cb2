// Moderation in Chromium inside the LMS iframe: a learner flags another learner's post in the
// commons, the facilitator hides it from the moderation queue (confirming, with a reason), and the
// author sees the reason where the post was; the other learner sees only the placeholder. axe-core
// on the queue and the confirmation page.
import { expect } from 'chai';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { seriousAxeViolations } from '../support/browser.ts';
import { lmsBrowserSuite } from '../support/lms-browser-suite.ts';

const ari: SimUser = { sub: 'ari', name: 'Ari Learner', roles: [ROLES.learner] };
const bea: SimUser = { sub: 'bea', name: 'Bea Learner', roles: [ROLES.learner] };
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const course = { id: 'c-moderated', title: 'Moderated course' };

describe('moderation in Chromium', function () {
  this.timeout(90_000);
  const { launchInBrowser } = lmsBrowserSuite({ course });

  it('a learner flags a post, the facilitator hides it from the queue, and its author sees the reason', async () => {
    const ariP = await launchInBrowser(ari, 'cohort-hub');
    await ariP.tool.locator('[data-test=commons-link]').click();
    await ariP.tool.locator('[data-test=space]').waitFor();
    await ariP.tool.locator('input[name=title]').fill('Who I learn from');
    await ariP.tool.locator('textarea[name=body]').fill('My manager **Sam** never listens.');
    await ariP.tool.locator('[data-test=start-thread]').click();
    await ariP.tool.locator('[data-test=thread-page]').waitFor();
    const threadUrl = ariP.frame().url();

    const beaP = await launchInBrowser(bea, 'cohort-hub');
    await beaP.tool.locator('[data-test=commons-link]').click();
    await beaP.tool.locator('[data-test=thread] a', { hasText: 'Who I learn from' }).click();
    await beaP.tool.locator('[data-test=thread-page]').waitFor();
    await beaP.tool.locator('[data-test=post-menu] > summary').click();
    await beaP.tool.locator('[data-test=flag-toggle]').click();
    await beaP.tool.locator('input[name^=flagReason-]').fill('Names a colleague');
    await beaP.tool.locator('[data-test=flag]').click();
    await beaP.tool.locator('[data-test=flagged]').waitFor(); // the thread again, thanking her
    expect(await beaP.tool.locator('[data-test=flag-toggle]').count(), 'the flag form is still offered, and a second flag would be refused').to.equal(1);

    const franP = await launchInBrowser(fran, 'facilitator-console');
    await franP.tool.locator('[data-test=moderation-link]').click();
    const item = franP.tool.locator('[data-test=queue-item]');
    await item.waitFor();
    expect(await item.locator('[data-test=flag-reason]').textContent()).to.contain('Names a colleague');
    expect(await item.textContent()).to.contain('Ari Learner').and.contain('Cohort commons').and.contain('Who I learn from');
    expect(await seriousAxeViolations(franP.frame())).to.deep.equal([]);
    await item.locator('input[name=reason]').fill('Please keep colleagues’ names out of the commons.');
    await item.locator('[data-test=queue-hide]').click();
    await franP.tool.locator('[data-test=confirm-moderation]').waitFor();
    expect(await franP.tool.locator('textarea[name=reason]').inputValue()).to.equal('Please keep colleagues’ names out of the commons.');
    expect(await seriousAxeViolations(franP.frame())).to.deep.equal([]);
    await franP.tool.locator('[data-test=confirm-button]').click();
    await franP.tool.locator('[data-test=moderation-done]').waitFor();
    expect(await franP.tool.locator('[data-test=queue-empty]').count()).to.equal(1);
    expect(await seriousAxeViolations(franP.frame())).to.deep.equal([]);

    // Reloading the LMS page would launch again (to the hub): reload the tool's own page in the iframe.
    await ariP.frame().goto(threadUrl);
    await ariP.tool.locator('[data-test=thread-page]').waitFor();
    expect(await ariP.tool.locator('[data-test=moderation-notice]').textContent()).to.equal('Hidden by a facilitator: Please keep colleagues’ names out of the commons.');

    await beaP.frame().goto(threadUrl);
    await beaP.tool.locator('[data-test=thread-page]').waitFor();
    expect(await beaP.tool.locator('[data-test=post-placeholder]').textContent()).to.contain('hidden by a facilitator');
    expect(await beaP.tool.locator('[data-test=post-body]').count()).to.equal(0);
  });

  it('a facilitator hides a post from the thread, through the post’s moderation page', async () => {
    const ariP = await launchInBrowser(ari, 'cohort-hub');
    await ariP.tool.locator('[data-test=commons-link]').click();
    await ariP.tool.locator('[data-test=space]').waitFor();
    await ariP.tool.locator('input[name=title]').fill('Off to one side');
    await ariP.tool.locator('textarea[name=body]').fill('Anyone watching the match tonight?');
    await ariP.tool.locator('[data-test=start-thread]').click();
    await ariP.tool.locator('[data-test=thread-page]').waitFor();
    const threadUrl = ariP.frame().url();

    const franP = await launchInBrowser(fran, 'facilitator-console');
    await franP.frame().goto(threadUrl);
    await franP.tool.locator('[data-test=thread-page]').waitFor();
    await franP.tool.locator('[data-test=post-menu] > summary').click();
    expect(await seriousAxeViolations(franP.frame())).to.deep.equal([]);
    await franP.tool.locator('[data-test=moderate-post]').click();
    await franP.tool.locator('[data-test=moderate-post-page]').waitFor();
    expect(await seriousAxeViolations(franP.frame())).to.deep.equal([]);
    await franP.tool.locator('#hide-reason').fill('Off topic for the commons.');
    await franP.tool.locator('[data-test=hide-confirm]').click();
    await franP.tool.locator('[data-test=thread-page]').waitFor();
    expect(await franP.tool.locator('[data-test=moderation-notice]').textContent()).to.equal('Hidden by a facilitator: Off topic for the commons.');
  });
});

