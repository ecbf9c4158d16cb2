// Programme leads named by the tool admin, over real HTTP: by email or LMS user id, on the
// deployment's page in the admin console (CSRF, clear 400s, a confirmation before removing); a named
// lead opens the programme view of that tenant only, and loses it at once when removed; a facilitator
// who is not a lead gets 403.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { LtiHttpClient, LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';

const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };
const learner = (i: number): SimUser => ({ sub: `l${i}`, name: `Lee ${i}`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', email: 'Fran@Example.org', roles: [ROLES.instructor] };
const gil: SimUser = { sub: 'gil-42', name: 'Gil Facilitator', roles: [ROLES.instructor] };
const hal: SimUser = { sub: 'hal', name: 'Hal Facilitator', email: 'hal@example.org', roles: [ROLES.instructor] };
const csrfOf = (html: string) => parse(html).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';

describe('programme leads named by the tool admin', () => {
  const { env, launch, get } = cohortSuite({ context: { id: 'course-leads', title: 'Leads course' } });

  async function admin(): Promise<LtiHttpClient> {
    await seedAdmin(env.app.db, ADMIN);
    const browser = new LtiHttpClient();
    const page = await browser.request(`${env.app.url}/admin/login`);
    expect((await browser.request(`${env.app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, _csrf: csrfOf(page.body) } })).status).to.equal(303);
    return browser;
  }
  const tenantOf = async (m: Member) => (await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', m.cohortId).executeTakeFirstOrThrow()).tenantId;
  const leadsPage = (tenantId: string) => `${env.app.url}/admin/tenants/${tenantId}/programme-leads`;
  async function adminPost(browser: LtiHttpClient, url: string, form: Record<string, string>) {
    const page = await browser.request(url.replace(/\/[0-9a-f-]+\/remove$/, ''));
    return browser.request(url, { method: 'POST', form: { ...form, _csrf: csrfOf(page.body) } });
  }
  const status = async (m: Member) => (await get(m, `${env.app.url}/programme`)).status;

  it('names leads by email and by LMS user id; they open the programme view at once; removing asks first and counts at once', async () => {
    for (let i = 1; i <= 5; i++) await launch(learner(i));
    const f = await launch(fran);
    const g = await launch(gil);
    const h = await launch(hal);
    const tenantId = await tenantOf(f);
    expect(await status(f), 'not named yet').to.equal(403);
    const browser = await admin();
    expect((await browser.request(`${env.app.url}/admin/tenants/${tenantId}`)).body).to.contain(`/admin/tenants/${tenantId}/programme-leads`);
    expect((await adminPost(browser, leadsPage(tenantId), { by: 'email', value: ' FRAN@example.ORG ' })).status).to.equal(303);
    expect((await adminPost(browser, leadsPage(tenantId), { by: 'lms-user-id', value: 'gil-42' })).status).to.equal(303);
    const listed = parse((await browser.request(leadsPage(tenantId))).body).querySelectorAll('[data-test=lead] code').map((c) => c.text);
    expect(listed).to.deep.equal(['fran@example.org', 'gil-42']);

    expect(await status(f), 'named by email, launched before').to.equal(200);
    expect(await status(g), 'named by LMS user id').to.equal(200);
    expect(await status(h), 'a facilitator who is not a lead').to.equal(403);
    expect((await get(h, `${env.app.url}/programme/programme.csv`)).status).to.equal(403);
    const again = await launch(fran);
    expect((await get(again, `${again.base}/console`)).doc.querySelector('[data-test=programme-link] a')?.getAttribute('href'), 'the console links a named lead').to.equal('/programme');

    const leadId = (await env.app.db.selectFrom('namedRoles').select('id').where('role', '=', 'programme-lead').where('email', '=', 'fran@example.org').executeTakeFirstOrThrow()).id;
    const ask = await adminPost(browser, `${leadsPage(tenantId)}/${leadId}/remove`, {});
    expect(ask.status).to.equal(200);
    expect(parse(ask.body).querySelector('[data-test=confirm]'), 'a confirmation first').not.to.equal(null);
    expect(await status(f), 'still a lead until confirmed').to.equal(200);
    expect((await adminPost(browser, `${leadsPage(tenantId)}/${leadId}/remove`, { confirmed: 'yes' })).status).to.equal(303);
    expect(await status(f), 'removed: at the next request').to.equal(403);
    expect(await status(g)).to.equal(200);
  });

  it('answers bad input with a clear 400, a second naming with 409, and refuses a form without its CSRF token', async () => {
    const f = await launch(fran);
    const tenantId = await tenantOf(f);
    const browser = await admin();
    for (const [form, message] of [[{ by: 'email', value: '' }, 'Type the person’s email or LMS user id.'], [{ by: 'email', value: 'not-an-email' }, 'That is not an email address.']] as const) {
      const r = await adminPost(browser, leadsPage(tenantId), form);
      expect(r.status, form.value).to.equal(400);
      expect(parse(r.body).querySelector('[data-test=lead-error]')?.text).to.equal(message);
    }
    expect((await adminPost(browser, leadsPage(tenantId), { by: 'lms-user-id', value: 'fran' })).status).to.equal(303);
    expect((await adminPost(browser, leadsPage(tenantId), { by: 'lms-user-id', value: 'fran' })).status).to.equal(409);
    const forged = await browser.request(leadsPage(tenantId), { method: 'POST', form: { by: 'lms-user-id', value: 'someone-else' } });
    expect(forged.status).to.equal(403);
    const leadId = (await env.app.db.selectFrom('namedRoles').select('id').where('role', '=', 'programme-lead').executeTakeFirstOrThrow()).id;
    expect((await browser.request(`${leadsPage(tenantId)}/${leadId}/remove`, { method: 'POST', form: { confirmed: 'yes' } })).status).to.equal(403);
    expect((await env.app.db.selectFrom('namedRoles').select('lmsUserId').where('role', '=', 'programme-lead').execute()).map((l) => l.lmsUserId)).to.deep.equal(['fran']);
    expect((await new LtiHttpClient().request(leadsPage(tenantId))).status, 'not signed in as the tool admin').to.not.equal(200);
  });

  it('makes a named lead a lead of that tenant only', async () => {
    for (let i = 1; i <= 5; i++) await launch(learner(i));
    const ours = await launch(gil);
    const browser = await admin();
    expect((await adminPost(browser, leadsPage(await tenantOf(ours)), { by: 'lms-user-id', value: 'gil-42' })).status).to.equal(303);
    const sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
    try {
      const lms2 = await connectPlatform(env.app, sim2);
      for (let i = 1; i <= 5; i++) await launch(learner(i), { id: 'course-elsewhere', title: 'Another tenant’s cohort' }, lms2);
      const theirs = await launch(gil, { id: 'course-elsewhere', title: 'Another tenant’s cohort' }, lms2);
      expect(await status(theirs), 'the same LMS user id in another tenant').to.equal(403);
      const page = await get(ours, `${env.app.url}/programme`);
      expect(page.status).to.equal(200);
      expect(page.body).to.contain('Leads course');
      expect(page.body).not.to.contain('Another tenant’s cohort');
    } finally {
      await sim2.close();
    }
  });
});
