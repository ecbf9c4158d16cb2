// On a phone (Chromium, 390×844, touch): one completion state, the same on the hub and the module page
// (issue 16 item 1), and a group space with faces, the member strip, the module's prompt and relative
// times (item 4). axe-core on each page; no page scrolls sideways.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { PHONE, scriptsRan, seriousAxeViolations } from '../support/browser.ts';
import { lmsBrowserSuite } from '../support/lms-browser-suite.ts';
import { cohortMembers } from '../support/cohort-members.ts';

const ari: SimUser = { sub: 'ari', name: 'Ari Learner', roles: [ROLES.learner] };
const bea: SimUser = { sub: 'bea', name: 'Bea Learner', roles: [ROLES.learner] };
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const course = { id: 'c-social', title: 'Social course' };

describe('the social space and completion states on a phone (Chromium)', function () {
  this.timeout(90_000);
  const { env, launchInBrowser, sameSessionIn } = lmsBrowserSuite({ course });
  const m = cohortMembers(() => env, course);

  /** The page fits the phone's width, and axe finds nothing serious. */
  async function fitsAndPasses(phone: Page, what: string): Promise<void> {
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${what} scrolls sideways`).to.be.at.most(390);
    expect(await seriousAxeViolations(phone), what).to.deep.equal([]);
  }
  const stateOf = async (phone: Page, scope: string) => {
    const badge = phone.locator(`${scope} [data-test=module-state]`).first();
    return { state: await badge.getAttribute('data-state'), words: (await badge.textContent())?.trim() };
  };

  it('shows a module’s state in the same words and mark on the hub and the module page', async () => {
    const a = await launchInBrowser(ari, 'cohort-hub');
    const hubUrl = a.frame().url();
    const phone = await sameSessionIn(a, PHONE, hubUrl);
    await phone.locator('[data-test=cohort-hub]').waitFor();
    expect(await stateOf(phone, '[data-module="1"]')).to.deep.equal({ state: 'not-started', words: 'Not started' });
    expect(await stateOf(phone, '[data-module="2"]')).to.deep.equal({ state: 'locked', words: 'Opens later' });
    await fitsAndPasses(phone, 'hub');

    // A draft starts module 1: "In progress" on the module page, then on the hub.
    await phone.goto(`${hubUrl}/modules/1`);
    expect(await stateOf(phone, '[data-test=module-page]')).to.deep.equal({ state: 'not-started', words: 'Not started' });
    const intention = phone.locator('[data-activity="set-your-intention"]');
    await intention.locator('textarea[name=text]').fill('Ask my team before I am stuck.');
    await intention.locator('[data-test=save-draft]').click();
    await phone.locator('[data-activity="set-your-intention"] [data-test=saved]').waitFor();
    const onModulePage = await stateOf(phone, '[data-test=module-page]');
    expect(onModulePage).to.deep.equal({ state: 'in-progress', words: 'In progress' });
    await fitsAndPasses(phone, 'module page');
    await phone.goto(hubUrl);
    expect(await stateOf(phone, '[data-module="1"]')).to.deep.equal(onModulePage);
    // The mark is drawn from the state, the same on both pages (a half-filled ring here).
    const mark = await phone.locator('[data-module="1"] [data-test=module-state]').evaluate((el) => getComputedStyle(el, '::before').backgroundImage);
    expect(mark).to.contain('linear-gradient');

    await phone.goto(`${hubUrl}/modules/2`);
    expect(await stateOf(phone, '[data-test=module-page]')).to.deep.equal({ state: 'locked', words: 'Opens later' });
  });

  it('opens a group space with the members’ faces and presence, the module’s prompt, and relative times', async () => {
    const a = await launchInBrowser(ari, 'cohort-hub');
    const b = await m.launch(bea);
    await m.formGroups(await m.launch(fran));
    const space = await m.follow(b, `${b.base}/modules/1/space`);
    const started = await m.post(b, `${space}/threads`, { title: 'How I work out loud', body: 'A note each afternoon.' });
    expect(started.status).to.equal(303);

    const phone = await sameSessionIn(a, PHONE, space);
    await phone.locator('[data-test=space]').waitFor();
    const strip = phone.locator('[data-test=member-strip]');
    expect((await strip.locator('.member-name').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).to.deep.equal(['Ari Learner (you)', 'Bea Learner']);
    expect(await strip.locator('.avatar').allTextContents()).to.deep.equal(['AL', 'BL']);
    expect(await strip.locator('.presence').allTextContents()).to.deep.equal(['Active today', 'Active today']);
    expect(await phone.locator('[data-test=space-prompt] h2').count()).to.be.at.least(1);

    const thread = phone.locator('[data-test=thread]');
    expect(await thread.locator('.avatar').first().textContent()).to.equal('BL');
    expect(await thread.locator('.avatar').first().getAttribute('aria-hidden')).to.equal('true');
    expect(await thread.locator('.avatar').first().getAttribute('class'), 'Bea’s colour is the same everywhere').to.equal(await strip.locator('.avatar').nth(1).getAttribute('class'));
    const time = thread.locator('time').first();
    expect(await time.textContent()).to.equal('just now');
    expect(await time.getAttribute('title')).to.match(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/);
    await fitsAndPasses(phone, 'group space');

    await thread.locator('a').click();
    await phone.locator('[data-test=thread-page]').waitFor();
    await scriptsRan(phone); // composer.js has added its toolbar: axe sees the page as people do
    const post = phone.locator('[data-test=post]').first();
    expect(await post.locator('header .avatar').textContent()).to.equal('BL');
    expect(await post.locator('header time').getAttribute('title')).to.match(/UTC$/);
    await fitsAndPasses(phone, 'thread page');
  });

  it('shows each member’s face beside their name on the facilitator’s groups page', async () => {
    await m.launch(ari);
    await m.launch(bea);
    const f = await launchInBrowser(fran, 'facilitator-console');
    const groupsUrl = `${f.frame().url().replace(/\/console.*$/, '')}/console/groups`;
    const phone = await sameSessionIn(f, PHONE, groupsUrl);
    // The preview, then the formed groups: a face beside every name.
    expect(await phone.locator('[data-test=preview-group] li .avatar').allTextContents()).to.have.members(['AL', 'BL']);
    await fitsAndPasses(phone, 'groups preview');
    await phone.locator('[data-test=form-groups]').click();
    await phone.locator('[data-test=group]').waitFor();
    const members = phone.locator('[data-test=group-member]');
    expect(await members.locator('.member-name').allTextContents()).to.deep.equal(['Ari Learner', 'Bea Learner']);
    expect(await members.locator('.avatar').allTextContents()).to.deep.equal(['AL', 'BL']);
    await fitsAndPasses(phone, 'groups page');
  });
});
