// Content editors named by the tool admin, over real HTTP: by email or LMS user id on the
// deployment's page in the admin console (CSRF, clear 400s, 409, a confirmation before removing); a
// named editor opens /editions of that tenant only, and loses it at once when removed.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { LtiHttpClient, LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';
import { erasePerson } from '../../server/privacy/erasure.service.ts';

const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', email: 'Fran@Example.org', roles: [ROLES.instructor] };
const gil: SimUser = { sub: 'gil-42', name: 'Gil Facilitator', roles: [ROLES.instructor] };
const hal: SimUser = { sub: 'hal', name: 'Hal Facilitator', email: 'hal@example.org', roles: [ROLES.instructor] };
const csrfOf = (html: string) => parse(html).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';

describe('content editors named by the tool admin', () => {
  const { env, launch, get } = cohortSuite({ context: { id: 'course-editors', title: 'Editors course' } });

  async function admin(): Promise<LtiHttpClient> {
    await seedAdmin(env.app.db, ADMIN);
    const browser = new LtiHttpClient();
    const page = await browser.request(`${env.app.url}/admin/login`);
    expect((await browser.request(`${env.app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, _csrf: csrfOf(page.body) } })).status).to.equal(303);
    return browser;
  }
  const tenantOf = async (m: Member) => (await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', m.cohortId).executeTakeFirstOrThrow()).tenantId;
  const editorsPage = (tenantId: string) => `${env.app.url}/admin/tenants/${tenantId}/content-editors`;
  async function adminPost(browser: LtiHttpClient, url: string, form: Record<string, string>) {
    const page = await browser.request(url.replace(/\/[0-9a-f-]+\/remove$/, ''));
    return browser.request(url, { method: 'POST', form: { ...form, _csrf: csrfOf(page.body) } });
  }
  const status = async (m: Member) => (await get(m, `${env.app.url}/editions`)).status;

  it('names editors by email and by LMS user id; they open the editor at once; removing asks first and counts at once', async () => {
    const f = await launch(fran);
    const g = await launch(gil);
    const h = await launch(hal);
    const tenantId = await tenantOf(f);
    expect(await status(f), 'not named yet').to.equal(403);
    const browser = await admin();
    expect((await browser.request(`${env.app.url}/admin/tenants/${tenantId}`)).body).to.contain(`/admin/tenants/${tenantId}/content-editors`);
    expect((await adminPost(browser, editorsPage(tenantId), { by: 'email', value: ' FRAN@example.ORG ' })).status).to.equal(303);
    expect((await adminPost(browser, editorsPage(tenantId), { by: 'lms-user-id', value: 'gil-42' })).status).to.equal(303);
    const listed = parse((await browser.request(editorsPage(tenantId))).body).querySelectorAll('[data-test=editor] code').map((c) => c.text);
    expect(listed).to.deep.equal(['fran@example.org', 'gil-42']);

    expect(await status(f), 'named by email, launched before').to.equal(200);
    expect(await status(g), 'named by LMS user id').to.equal(200);
    expect(await status(h), 'a facilitator who is not an editor').to.equal(403);
    const again = await launch(fran);
    expect((await get(again, `${again.base}/console`)).doc.querySelector('[data-test=editions-link] a')?.getAttribute('href'), 'the console links a named editor').to.equal('/editions');
    expect((await get(h, `${h.base}/console`)).doc.querySelector('[data-test=editions-link]')).to.equal(null);

    const editorId = (await env.app.db.selectFrom('namedRoles').select('id').where('role', '=', 'content-editor').where('email', '=', 'fran@example.org').executeTakeFirstOrThrow()).id;
    const ask = await adminPost(browser, `${editorsPage(tenantId)}/${editorId}/remove`, {});
    expect(ask.status).to.equal(200);
    expect(await status(f), 'still an editor until confirmed').to.equal(200);
    expect((await adminPost(browser, `${editorsPage(tenantId)}/${editorId}/remove`, { confirmed: 'yes' })).status).to.equal(303);
    expect(await status(f), 'removed: at the next request').to.equal(403);
    expect(await status(g)).to.equal(200);
  });

  it('answers bad input with a clear 400, a second naming with 409; a name counts in its own tenant only', async () => {
    const f = await launch(fran);
    const tenantId = await tenantOf(f);
    const browser = await admin();
    const empty = await adminPost(browser, editorsPage(tenantId), { by: 'email', value: '' });
    expect(empty.status).to.equal(400);
    expect(parse(empty.body).querySelector('[data-test=editor-error]')?.text).to.contain('Type the person’s email');
    expect((await adminPost(browser, editorsPage(tenantId), { by: 'email', value: 'not-an-email' })).status).to.equal(400);
    expect((await adminPost(browser, editorsPage(tenantId), { by: 'email', value: 'fran@example.org' })).status).to.equal(303);
    expect((await adminPost(browser, editorsPage(tenantId), { by: 'email', value: 'FRAN@example.org' })).status).to.equal(409);
    expect((await browser.request(editorsPage(tenantId), { method: 'POST', form: { by: 'email', value: 'x@example.org' } })).status).to.equal(403);
    const sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
    try {
      const lms2 = await connectPlatform(env.app, sim2);
      const elsewhere = await launch(fran, { id: 'course-other', title: 'Other tenant' }, lms2);
      expect(await status(elsewhere), 'the same person in another tenant is not named there').to.equal(403);
    } finally {
      await sim2.close();
    }
  });

  it('forgets an erased person’s naming as an editor: no email or LMS user id of theirs stays', async () => {
    const f = await launch(fran);
    await launch(gil);
    const tenantId = await tenantOf(f);
    const browser = await admin();
    expect((await adminPost(browser, editorsPage(tenantId), { by: 'email', value: 'fran@example.org' })).status).to.equal(303);
    expect((await adminPost(browser, editorsPage(tenantId), { by: 'lms-user-id', value: 'gil-42' })).status).to.equal(303);
    expect((await adminPost(browser, editorsPage(tenantId), { by: 'lms-user-id', value: 'someone-else' })).status).to.equal(303);
    const adminUserId = (await env.app.db.selectFrom('adminUsers').select('id').executeTakeFirstOrThrow()).id;
    const people = await env.app.db.selectFrom('persons').select('id').where('tenantId', '=', tenantId).where('sub', 'in', ['fran', 'gil-42']).execute();
    expect(people).to.have.length(2);
    for (const { id } of people) await erasePerson({ db: env.app.db, erasureKey: 'test-erasure-key-0123456789' }, { by: 'tool-admin', tenantId, adminUserId }, id);
    expect((await env.app.db.selectFrom('namedRoles').select(['lmsUserId', 'email']).where('role', '=', 'content-editor').execute())).to.deep.equal([{ lmsUserId: 'someone-else', email: null }]);
  });
});
