// The privacy notice per tenant (the tool admin's text, sanitised; the default otherwise; another
// tenant's text never shown) and relationship analytics turned off per cohort over real HTTP.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { cohortSuite } from '../support/cohort-members.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';

const COURSE = { id: 'course-privacy', title: 'Privacy course' };
const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };
const ada = { sub: 'ada', name: 'Ada Lovelace', roles: [ROLES.learner] };
const bo = { sub: 'bo', name: 'Bo Brown', roles: [ROLES.learner] };
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const csrfOf = (html: string) => parse(html).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';

describe('privacy notice and relationship analytics', () => {
  const suite = cohortSuite({ context: COURSE });
  const { env } = suite;

  async function admin(): Promise<LtiHttpClient> {
    await seedAdmin(env.app.db, ADMIN);
    const browser = new LtiHttpClient();
    const page = await browser.request(`${env.app.url}/admin/login`);
    expect((await browser.request(`${env.app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, _csrf: csrfOf(page.body) } })).status).to.equal(303);
    return browser;
  }
  const tenantOf = async (cohortId: string) => (await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', cohortId).executeTakeFirstOrThrow()).tenantId;
  const notice = async (browser: LtiHttpClient) => parse((await browser.request(`${env.app.url}/privacy`)).body).querySelector('[data-test=privacy-notice]')!;

  it('shows the default notice, linked in every page’s footer, until the admin writes the tenant’s own', async () => {
    const a = await suite.launch(ada);
    const hub = await suite.get(a, a.base);
    expect(hub.doc.querySelector('footer [data-test=privacy-link]')!.getAttribute('href')).to.equal('/privacy');
    const anonymous = await notice(new LtiHttpClient());
    expect(anonymous.getAttribute('data-custom')).to.equal('false');
    expect(anonymous.text).to.include('What it stores about you');
    expect((await notice(a.browser)).getAttribute('data-custom')).to.equal('false');
  });

  it('shows each tenant its own notice, sanitised, and never another tenant’s', async () => {
    const a = await suite.launch(ada);
    const otherSim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Another organisation' });
    try {
      const other = await connectPlatform(env.app, otherSim);
      const x = await suite.launch(bo, { id: 'other-course' }, other);
      const browser = await admin();
      const tenantId = await tenantOf(a.cohortId);
      const edit = await browser.request(`${env.app.url}/admin/tenants/${tenantId}/privacy`);
      expect(edit.status).to.equal(200);
      const saved = await browser.request(`${env.app.url}/admin/tenants/${tenantId}/privacy`, {
        method: 'POST',
        form: { body: '### ACME-NOTICE\n\nWe keep it for a year. <script>alert(1)</script> <img src=x onerror=alert(1)>', _csrf: csrfOf(edit.body) },
      });
      expect(saved.status).to.equal(303);
      const own = await notice(a.browser);
      expect(own.getAttribute('data-custom')).to.equal('true');
      expect(own.text).to.include('ACME-NOTICE');
      expect(own.querySelector('script')).to.equal(null);
      expect(own.querySelector('img')).to.equal(null);
      const theirs = await notice(x.browser);
      expect(theirs.text).not.to.include('ACME-NOTICE');
      expect(theirs.getAttribute('data-custom')).to.equal('false');
      // Only a signed-in tool admin edits it.
      expect((await a.browser.request(`${env.app.url}/admin/tenants/${tenantId}/privacy`)).status).to.equal(303);
    } finally {
      await otherSim.close();
    }
  });

  it('relationship analytics off: no network picture for facilitators or on the learner’s profile, no edges CSV; aggregates stay', async () => {
    const f = await suite.launch(fran);
    const a = await suite.launch(ada);
    expect((await suite.get(f, `${f.base}/console/social`)).doc.querySelector('[data-test=relationship-analytics-off]')).to.equal(null);
    expect((await suite.get(a, `${a.base}/profile`)).doc.querySelector('[data-test=own-network]')).not.to.equal(null);

    const saved = await suite.post(f, `${f.base}/console/dashboard/settings`, { quietDays: '7', relationshipAnalytics: 'off' });
    expect(saved.status, saved.body.slice(0, 300)).to.equal(303);
    const social = await suite.get(f, `${f.base}/console/social`);
    expect(social.status).to.equal(200);
    expect(social.doc.querySelector('[data-test=relationship-analytics-off]')).not.to.equal(null);
    expect(social.doc.querySelector('figure svg')).to.equal(null);
    expect((await suite.get(f, `${f.base}/console/export/edges.csv`)).status).to.equal(404);
    const report = await suite.get(f, `${f.base}/console/report`);
    expect(report.doc.querySelector('[data-test=relationship-analytics-off]')).not.to.equal(null);
    expect(report.doc.querySelector('figure.network')).to.equal(null);
    const profile = await suite.get(a, `${a.base}/profile`);
    expect(profile.doc.querySelector('[data-test=own-network]')).to.equal(null);
    expect(profile.doc.querySelector('[data-test=own-network-off]')).not.to.equal(null);
    // Aggregates still shown, each saying what it is and who sees it.
    expect((await suite.get(f, `${f.base}/console/inquiry`)).doc.querySelector('[data-test=who-sees-this]')).not.to.equal(null);
    expect((await suite.get(f, `${f.base}/console/five-factor`)).doc.querySelector('[data-test=who-sees-this]')).not.to.equal(null);

    await suite.post(f, `${f.base}/console/dashboard/settings`, { quietDays: '7', relationshipAnalytics: 'on' });
    expect((await suite.get(f, `${f.base}/console/social`)).doc.querySelector('[data-test=relationship-analytics-off]')).to.equal(null);
  });
});
