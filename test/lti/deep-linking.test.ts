// Deep linking round trips for Moodle-like and Canvas-like platforms: the teacher picks content, the
// LMS receives signed LtiResourceLink items, and launching one opens the right module.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';

const teacher = { sub: 'teach-1', name: 'Tess Teacher', roles: [ROLES.instructor] };
const learner = { sub: 'learn-1', name: 'Leo Learner', roles: [ROLES.learner] };
const ITEMS = 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items';

for (const kind of ['moodle', 'canvas'] as const) {
  describe(`deep linking (${kind}-like)`, () => {
    let app: TestApp;
    let sim: LtiPlatformSimulator;
    before(async () => {
      app = await startTestApp();
      sim = await LtiPlatformSimulator.start({ kind });
    });
    after(async () => {
      await sim.close();
      await app.close();
    });
    beforeEach(() => resetDatabase(app.handle));

    async function select(browser: LtiHttpClient, clientId: string, form: Record<string, string | string[]>) {
      const res = await sim.launch(app.url, browser, { user: teacher, clientId, messageType: 'LtiDeepLinkingRequest', context: { id: 'dl-course', title: 'DL course' } });
      expect(res.status, res.body.slice(0, 300)).to.equal(200);
      expect(new URL(res.finalUrl).pathname).to.match(/\/deep-linking$/);
      const page = parse(res.body);
      expect(page.querySelectorAll('[data-test=option]')).to.have.length(10);
      const csrf = page.querySelector('input[name=_csrf]')!.getAttribute('value')!;
      const body = new URLSearchParams({ _csrf: csrf });
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
      return browser.request(res.finalUrl, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    }

    it('returns the chosen module and the hub as signed resource links, and a returned module link opens that module', async () => {
      const { clientId } = await connectPlatform(app, sim, { deploymentPolicy: 'record' });
      const browser = new LtiHttpClient();
      const answer = await select(browser, clientId, { items: ['hub', '3'], graded: 'on' });
      expect(answer.status).to.equal(200);
      const form = parse(answer.body).querySelector('[data-test=deep-linking-form]')!;
      expect(form.getAttribute('action')).to.match(new RegExp(`^${sim.baseUrl}/deep-link-return\\?course=dl-course&`));
      const back = await browser.request(form.getAttribute('action')!, { method: 'POST', form: { JWT: form.querySelector('input[name=JWT]')!.getAttribute('value')! } });
      expect(back.status, back.body).to.be.below(400);
      const received = sim.deepLinkResponses.at(-1)!;
      expect(received['https://purl.imsglobal.org/spec/lti/claim/message_type']).to.equal('LtiDeepLinkingResponse');
      // Neither Moodle nor Canvas sends settings `data`: nothing to echo.
      expect(received).to.not.have.property('https://purl.imsglobal.org/spec/lti-dl/claim/data');
      const items = received[ITEMS] as Array<Record<string, any>>;
      expect(items.map((i) => i.title)).to.deep.equal(['Circlework: social learning workshop', 'Circlework 3: Seek, sense, share']);
      expect(items[1]).to.deep.include({ type: 'ltiResourceLink', url: `${app.url}/lti/launch`, custom: { module: '3' } });
      expect(items[1]!.lineItem).to.include({ scoreMaximum: 100 });

      const opened = await sim.launch(app.url, new LtiHttpClient(), { user: learner, clientId, context: { id: 'dl-course' }, resourceLink: { id: 'rl-from-dl' }, custom: items[1]!.custom });
      expect(new URL(opened.finalUrl).pathname).to.match(/\/modules\/3$/);
    });

    it('refuses an empty or unknown choice with a message, and a learner’s deep linking launch', async () => {
      const { clientId } = await connectPlatform(app, sim, { deploymentPolicy: 'record' });
      const empty = await select(new LtiHttpClient(), clientId, {});
      expect(empty.status).to.equal(400);
      const unknown = await select(new LtiHttpClient(), clientId, { items: '42' });
      expect(unknown.status).to.equal(400);
      const asLearner = await sim.launch(app.url, new LtiHttpClient(), { user: learner, clientId, messageType: 'LtiDeepLinkingRequest' });
      expect(asLearner.status).to.equal(403);
    });
  });
}

describe('deep linking page without a deep linking launch', () => {
  it('explains where to start instead of failing', async () => {
    const app = await startTestApp();
    const sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    try {
      await resetDatabase(app.handle);
      const { clientId } = await connectPlatform(app, sim);
      const browser = new LtiHttpClient();
      const res = await sim.launch(app.url, browser, { user: teacher, clientId });
      const cohortId = new URL(res.finalUrl).pathname.split('/')[2];
      const page = await browser.request(`${app.url}/cohorts/${cohortId}/deep-linking`);
      expect(page.status).to.equal(400);
      expect(parse(page.body).querySelector('[data-test=error-message]')?.text).to.contain('Select content');
    } finally {
      await sim.close();
      await app.close();
    }
  });
});
