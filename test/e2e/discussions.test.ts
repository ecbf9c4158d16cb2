// Two learners of one group talk in their module 1 space in Chromium, each in their own browser, inside
// the LMS's iframe: a reply with an @mention shows up live for the other, kudos with a reason, the
// mention in the header and on the notifications page, the "new posts" notice for a new thread; axe-core
// on the space and thread pages. And a reply typed when the session is lost is still there after a relaunch.
import { expect } from 'chai';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { scriptsRan, seriousAxeViolations } from '../support/browser.ts';
import { lmsBrowserSuite, streamOpened, type PersonInLms } from '../support/lms-browser-suite.ts';

const ari: SimUser = { sub: 'ari', name: 'Ari Learner', roles: [ROLES.learner] };
const bea: SimUser = { sub: 'bea', name: 'Bea Learner', roles: [ROLES.learner] };
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const course = { id: 'c-talk', title: 'Talking course' };

describe('discussions in Chromium', function () {
  this.timeout(90_000);
  const { launchInBrowser, relaunch } = lmsBrowserSuite({ course });
  type Person = PersonInLms;

  /** Hub → module 1 → the discussion activity's link → the group's space. */
  async function openGroupSpace(p: Person): Promise<void> {
    await p.tool.locator('[data-module="1"] a').click();
    await p.tool.locator('[data-test=discussion-link] a').first().click();
    await p.tool.locator('[data-test=space]').waitFor();
    await scriptsRan(p.frame());
  }
  /**
   * The reply was taken: the redirect to it has loaded (with its scripts). Not a second post on the
   * page: live.js may append the reply to the page that sent it before the redirect replaces it.
   */
  const replyTaken = (p: Person): Promise<void> => p.frame().waitForURL(/[?&]post=/, { waitUntil: 'domcontentloaded' });

  async function groupOfTwo(): Promise<{ a: Person; b: Person }> {
    // The learners launch first, so that they are members when the facilitator forms the groups.
    const a = await launchInBrowser(ari, 'cohort-hub');
    const b = await launchInBrowser(bea, 'cohort-hub');
    const f = await launchInBrowser(fran, 'facilitator-console');
    await f.tool.locator('a', { hasText: 'Groups' }).click();
    await f.tool.locator('[data-test=preview-group]').waitFor();
    expect(await f.tool.locator('[data-test=preview-group] li .member-name').allTextContents()).to.have.members(['Ari Learner', 'Bea Learner']);
    await f.tool.locator('[data-test=form-groups]').click();
    await f.tool.locator('[data-test=group]').waitFor();
    expect(await f.tool.locator('[data-test=group]').count()).to.equal(1);
    expect(await f.tool.locator('[data-test=group-member]').count()).to.equal(2);
    return { a, b };
  }

  it('shows a reply with a mention live, takes kudos, notifies the mentioned learner and announces a new thread', async () => {
    const { a, b } = await groupOfTwo();

    await openGroupSpace(a);
    await a.tool.locator('[data-test=no-threads]').waitFor();
    expect(await seriousAxeViolations(a.frame())).to.deep.equal([]);
    await a.tool.locator('input[name=title]').fill('How I narrate my work');
    await a.tool.locator('textarea[name=body]').fill('I post a short **note** each afternoon.');
    await a.tool.locator('[data-test=start-thread]').click();
    await a.tool.locator('[data-test=thread-page]').waitFor();
    expect(await a.tool.locator('h1').textContent()).to.equal('How I narrate my work');
    await scriptsRan(a.frame());
    expect(await seriousAxeViolations(a.frame())).to.deep.equal([]);

    await openGroupSpace(b);
    await b.tool.locator('[data-test=thread] a', { hasText: 'How I narrate my work' }).click();
    await b.tool.locator('[data-test=thread-page]').waitFor();
    await streamOpened(b);
    expect(await seriousAxeViolations(b.frame())).to.deep.equal([]);
    // Set on this document only: still there afterwards means the page was never reloaded.
    await b.frame().evaluate(() => { (window as unknown as { notReloaded: boolean }).notReloaded = true; });

    await a.tool.locator('#reply-body').fill('@BeaLearner you asked about this on Monday: try it for a week.');
    await a.tool.locator('[data-test=reply]').click();
    await replyTaken(a);
    expect(await a.tool.locator('#reply-body').inputValue(), 'the posted reply is not put back into the form').to.equal('');

    const live = b.tool.locator('[data-live-posts] [data-test=post]');
    await live.waitFor();
    expect(await b.frame().evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).to.equal(true);
    expect(await live.locator('header strong').textContent()).to.equal('Ari Learner');
    expect(await live.locator('.mention').textContent()).to.equal('@Bea Learner');
    const replyId = await live.getAttribute('data-post-id');

    // Kudos from the live-inserted post's own controls (they join the page's one form).
    await live.locator('[data-test=kudos-toggle]').click();
    await live.locator('input[name^=reason-]').fill('A habit I can copy tomorrow');
    await live.locator('[data-test=give-kudos]').click();
    await b.tool.locator(`#post-${replyId} [data-test=kudos]`).waitFor();
    expect(await b.tool.locator(`#post-${replyId} [data-test=give-kudos]`).count(), 'kudos once per post').to.equal(0);

    // A reload (without the #post- fragment: the same address with it would only scroll).
    await a.frame().goto(a.frame().url().replace(/#.*/, ''));
    const kudos = a.tool.locator(`#post-${replyId} [data-test=kudos] li`);
    await kudos.first().waitFor();
    expect(await kudos.count()).to.equal(1);
    expect(await kudos.textContent()).to.contain('Bea Learner: A habit I can copy tomorrow');
    expect(await a.tool.locator('[data-test=unread-count]').textContent(), 'Ari hears of the kudos only: nobody mentioned Ari').to.equal('1');

    expect(await b.tool.locator('[data-test=unread-count]').textContent()).to.equal('1');
    await b.tool.locator('[data-test=notifications-link]').click();
    await b.tool.locator('[data-test=notifications]').waitFor();
    const notification = b.tool.locator('[data-test=notification]');
    expect(await notification.count()).to.equal(1);
    expect(await notification.getAttribute('data-unread')).to.equal('true');
    expect(await notification.locator('a').textContent()).to.equal('Ari Learner mentioned you in “How I narrate my work”');
    await notification.locator('a').click();
    await b.tool.locator('[data-test=thread-page]').waitFor();
    expect(new URL(b.frame().url()).hash).to.equal(`#post-${replyId}`);
    expect(await b.tool.locator(`#post-${replyId} .mention`).textContent()).to.equal('@Bea Learner');

    // A new thread elsewhere in the space: B, on the space page, is told to reload, and then sees it.
    await b.tool.locator('a', { hasText: '← All threads' }).click();
    await b.tool.locator('[data-test=space]').waitFor();
    await streamOpened(b);
    expect(await b.tool.locator('[data-live-notice]').isHidden()).to.equal(true);
    await a.tool.locator('a', { hasText: '← All threads' }).click();
    await a.tool.locator('[data-test=space]').waitFor();
    await scriptsRan(a.frame());
    expect(await a.tool.locator('input[name=title]').inputValue(), 'the posted thread is not put back into the form').to.equal('');
    expect(await a.tool.locator('textarea[name=body]').inputValue()).to.equal('');
    await a.tool.locator('input[name=title]').fill('What I tried this week');
    await a.tool.locator('textarea[name=body]').fill('A weekly summary to my manager.');
    await a.tool.locator('[data-test=start-thread]').click();
    await a.tool.locator('[data-test=thread-page]').waitFor();
    await b.tool.locator('[data-live-notice]').waitFor({ state: 'visible' });
    expect(await b.tool.locator('[data-test=thread]').count(), 'the list changes only on reload').to.equal(1);
    await b.tool.locator('[data-live-notice] a', { hasText: 'Reload' }).click();
    await b.tool.locator('[data-test=thread] a', { hasText: 'What I tried this week' }).waitFor();
    expect(await b.tool.locator('[data-test=thread]').count()).to.equal(2);
  });

  it('keeps a reply typed when the session was lost: back in the form after the next launch', async () => {
    const { a } = await groupOfTwo();
    await openGroupSpace(a);
    await a.tool.locator('input[name=title]').fill('Asking for help');
    await a.tool.locator('textarea[name=body]').fill('When do you ask?');
    await a.tool.locator('[data-test=start-thread]').click();
    await a.tool.locator('[data-test=thread-page]').waitFor();
    await scriptsRan(a.frame()); // drafts.js keeps a copy of what is typed only once it has run

    const text = 'A long reply I typed before my session ran out.';
    await a.tool.locator('#reply-body').fill(text);
    await a.page.context().clearCookies();
    await a.tool.locator('[data-test=reply]').click();
    await a.tool.locator('[data-test=error-page]').waitFor();
    expect(await a.tool.locator('[data-test=error-page]').getAttribute('data-status')).to.be.oneOf(['401', '403']);

    await relaunch(a, ari, 'cohort-hub');
    await openGroupSpace(a);
    await a.tool.locator('[data-test=thread] a', { hasText: 'Asking for help' }).click();
    await a.tool.locator('[data-test=thread-page]').waitFor();
    await scriptsRan(a.frame());
    expect(await a.tool.locator('#reply-body').inputValue()).to.equal(text);

    // Posted now, it is in the thread once and the form is empty again.
    await a.tool.locator('[data-test=reply]').click();
    await replyTaken(a);
    expect(await a.tool.locator('[data-test=post-body]').nth(1).textContent()).to.contain(text);
    expect(await a.tool.locator('#reply-body').inputValue()).to.equal('');
  });
});
