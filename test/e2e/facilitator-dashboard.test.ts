// The facilitator dashboard in Chromium inside the LMS iframe: the console leads to the dashboard
// (heatmap, group health, quiet learners), a one-click nudge reaches the learner's hub, and the
// social-capital page draws the network as SVG; axe-core on each page type (no serious/critical).
import { expect } from 'chai';
import type { SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortMembers, type Member } from '../support/cohort-members.ts';
import { seriousAxeViolations } from '../support/browser.ts';
import { lmsBrowserSuite } from '../support/lms-browser-suite.ts';
import { DEFLATE_FROM_BYTES } from '../../server/http/page-parts.ts';

const learner = (i: number): SimUser => ({ sub: `e${i}`, name: `Eli ${i}`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const course = { id: 'c-dash', title: 'Dashboard course' };

describe('facilitator dashboard in Chromium', function () {
  this.timeout(120_000);
  let offsetMs = 0;
  const { env, launchInBrowser } = lmsBrowserSuite({ course, appOptions: { now: () => new Date(Date.now() + offsetMs) } });
  const http = cohortMembers(() => env, course);
  beforeEach(() => {
    offsetMs = 0;
  });

  /** Four learners in groups, talking over HTTP: a thread and a reply in a group space, kudos. */
  async function seedCohort(): Promise<Member[]> {
    const ls: Member[] = [];
    for (let i = 1; i <= 6; i++) ls.push(await http.launch(learner(i)));
    const f = await http.launch(fran);
    const groupOf = await http.formGroups(f);
    const mates = ls.filter((_, i) => groupOf.get(`e${i + 1}`) === groupOf.get('e1'));
    const space = await http.follow(mates[0]!, `${mates[0]!.base}/modules/1/space`);
    const t = await http.post(mates[0]!, `${space}/threads`, { title: 'Hello group', body: 'Hi all! What are you working on?' });
    const thread = new URL(t.location!, env.app.url).href.replace(/#.*/, '');
    const r = await http.post(mates[1]!, `${thread}/posts`, { body: 'Building on that: a handover checklist.' });
    const postId = /#post-([0-9a-f-]+)/.exec(r.location!)![1]!;
    await http.post(mates[0]!, `${mates[0]!.base}/posts/${postId}/kudos`, { reason: 'Great idea' });
    return ls;
  }

  it('renders the dashboard and the network SVG in the LMS iframe, sends a nudge to the hub, all axe-clean', async () => {
    await seedCohort();
    offsetMs = 8 * 86_400_000; // a week on, everyone has gone quiet
    const f = await launchInBrowser(fran, 'facilitator-console');
    await f.tool.locator('[data-test=dashboard-link]').click();
    await f.tool.locator('[data-test=dashboard]').waitFor();
    expect(await f.tool.locator('[data-test=heatmap-row]').count()).to.equal(6);
    expect(await f.tool.locator('[data-test=group-health-row]').count()).to.equal(2);
    expect(await f.tool.locator('[data-test=quiet-learner]').count()).to.equal(6);
    expect(await seriousAxeViolations(f.frame())).to.deep.equal([]);

    // one click: the suggested message goes to Eli 1
    await f.tool.locator('[data-test=quiet-learner]', { hasText: 'Eli 1' }).locator('[data-test=nudge-button]').click();
    await f.tool.locator('[data-test=nudge-sent]').waitFor();
    expect(await f.tool.locator('[data-test=quiet-learner]', { hasText: 'Eli 1' }).locator('[data-test=nudged-today]').count()).to.equal(1);

    await f.tool.locator('[data-test=analytics-nav] a', { hasText: 'Social capital' }).click();
    const svg = f.tool.locator('svg[data-test=network-svg]');
    await svg.waitFor();
    expect(await svg.locator('[data-test=network-node]').count()).to.equal(6);
    expect(await svg.locator('[data-test=network-ties] line').count()).to.equal(2);
    // what the lines, dots and labels share is said once on their group, and the browser gives it to each
    const drawn = await svg.evaluate((el) => {
      const [line, dot, label] = ['[data-test=network-ties] line', '[data-test=network-node] circle', '[data-test=network-labels] text'].map((sel) => getComputedStyle(el.querySelector(sel)!)) as [CSSStyleDeclaration, CSSStyleDeclaration, CSSStyleDeclaration];
      return { arrow: line.markerEnd, line: line.stroke, dot: dot.stroke, dotWidth: dot.strokeWidth, halo: label.stroke, order: label.paintOrder, size: label.fontSize };
    });
    expect(drawn).to.deep.include({ line: 'rgb(68, 68, 68)', dot: 'rgb(34, 34, 34)', dotWidth: '1.5px', halo: 'rgb(255, 255, 255)', order: 'stroke', size: '16px' });
    expect(drawn.arrow).to.match(/^url\(.*#cohort-network-arrow"?\)$/);
    const box = await svg.boundingBox();
    expect(box!.width).to.be.greaterThan(200);
    expect(await f.tool.locator('[data-test=anonymised]').count()).to.equal(1);
    expect(await seriousAxeViolations(f.frame())).to.deep.equal([]);

    for (const [label, test] of [['Community of Inquiry', 'inquiry'], ['Five-factor check', 'five-factor'], ['Printable report', 'cohort-report']] as const) {
      const response = f.page.waitForResponse((r) => r.url().endsWith(`/console/${test === 'cohort-report' ? 'report' : test}`));
      await f.tool.locator('[data-test=analytics-nav] a', { hasText: label }).click();
      await f.tool.locator(`[data-test=${test}]`).waitFor();
      expect(await seriousAxeViolations(f.frame()), label).to.deep.equal([]);
      if (test === 'cohort-report') {
        // A page this big comes compressed (page-parts.ts), and Chromium reads it whole.
        const sent = await response;
        expect((await sent.body()).length).to.be.at.least(DEFLATE_FROM_BYTES);
        expect((await sent.allHeaders())['content-encoding']).to.equal('deflate');
        expect(await f.tool.locator('[data-test=participation] tbody tr').count()).to.equal(6);
      }
    }

    // Eli 1 finds the note on their hub and dismisses it
    const eli = await launchInBrowser(learner(1), 'cohort-hub');
    await eli.tool.locator('[data-test=hub-nudge]').waitFor();
    expect(await eli.tool.locator('[data-test=hub-nudge]').textContent()).to.contain('Hi Eli');
    expect(await seriousAxeViolations(eli.frame())).to.deep.equal([]);
    await eli.tool.locator('[data-test=dismiss-nudge]').click();
    // the hub was on screen before the click too: wait for the note to go, not for the hub
    await eli.tool.locator('[data-test=hub-nudge]').waitFor({ state: 'detached' });
    await eli.tool.locator('[data-test=cohort-hub]').waitFor();

    // and their own network on the profile
    await eli.tool.locator('a', { hasText: 'Your profile' }).click();
    await eli.tool.locator('[data-test=own-network]').waitFor();
    expect(await seriousAxeViolations(eli.frame())).to.deep.equal([]);
  });
});
