// The tool admin's console and the privacy pages through the catalogs: signing in, platforms,
// deployments, disabling, named roles, people and data (retention, erasure), the privacy notice
// editor and the notice learners read, in the pseudo-locale en-XA (the console follows the
// browser's language) show no string outside the catalogs. A French browser gets French.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { LtiHttpClient } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { untranslatedText } from '../support/untranslated.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';

const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };
const ada = { sub: 'ada', name: 'Ada Learner', email: 'ada@example.org', roles: [ROLES.learner] };

describe('the admin console and privacy pages in every language', () => {
  const s = cohortSuite({ context: { id: 'c-i18n-admin', title: 'Course' } });
  const { env } = s;
  const csrfOf = (body: string) => parse(body).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';

  /** The admin's browser, signed in, asking for `locale`. */
  async function admin(locale: string) {
    await seedAdmin(env.app.db, ADMIN);
    const browser = new LtiHttpClient();
    const headers = { 'accept-language': locale };
    const page = await browser.request(`${env.app.url}/admin/login`, { headers });
    const get = async (path: string, status = 200) => {
      const r = await browser.request(`${env.app.url}${path}`, { headers });
      expect(r.status, `${path}: ${r.body.slice(0, 300)}`).to.equal(status);
      return r.body;
    };
    const post = async (path: string, form: Record<string, string>, from = '/admin') => browser.request(`${env.app.url}${path}`, { method: 'POST', headers, form: { ...form, _csrf: csrfOf(await get(from)) } });
    return { browser, loginPage: page.body, login: () => browser.request(`${env.app.url}/admin/login`, { method: 'POST', headers, form: { ...ADMIN, _csrf: csrfOf(page.body) } }), get, post };
  }

  it('en-XA: every admin page, empty and full, and its refusals', async () => {
    const learner = await s.launchIn(ada, 'en-XA');
    const a = await admin('en-XA');
    const found: string[] = [];
    const check = (name: string, html: string) => found.push(...untranslatedText(html).map((t) => `${name}: ${t}`));
    check('sign in', a.loginPage);
    const wrong = await a.browser.request(`${env.app.url}/admin/login`, { method: 'POST', headers: { 'accept-language': 'en-XA' }, form: { email: ADMIN.email, password: 'nope', _csrf: csrfOf(a.loginPage) } });
    expect(wrong.status).to.equal(401);
    check('sign in refused', wrong.body);
    expect((await a.login()).status).to.equal(303);
    const list = await a.get('/admin');
    check('platforms', list);
    const platformId = parse(list).querySelector('[data-test=platform]')!.getAttribute('data-platform-id')!;
    const platformPage = await a.get(`/admin/platforms/${platformId}`);
    check('platform', platformPage);
    const tenantId = parse(platformPage).querySelector('[data-test=tenant-people]')!.getAttribute('href')!.split('/')[3]!;
    check('new platform', await a.get('/admin/platforms/new'));
    const badPlatform = await a.post('/admin/platforms', { name: '', issuer: 'nope', clientId: '' });
    expect(badPlatform.status).to.equal(400);
    check('new platform refused', badPlatform.body);
    const confirmPlatform = await a.post(`/admin/platforms/${platformId}/status`, { status: 'disabled' });
    check('disable platform?', confirmPlatform.body);
    const confirmDeployment = await a.post(`/admin/platforms/${platformId}/deployments/${tenantId}/status`, { status: 'disabled' });
    check('disable deployment?', confirmDeployment.body);
    const badOrigins = await a.post(`/admin/platforms/${platformId}/frame-origins`, { frameOrigins: 'not an origin' });
    check('origins refused', badOrigins.body);

    check('people and data', await a.get(`/admin/tenants/${tenantId}`));
    check('nobody found', await a.get(`/admin/tenants/${tenantId}?q=nobody-at-all`));
    const people = await a.get(`/admin/tenants/${tenantId}?q=Ada`);
    check('found', people);
    const eraseHref = parse(people).querySelector('[data-test=erase-person]')!.getAttribute('href')!;
    check('erase a person', await a.get(eraseHref));
    const refusedErase = await a.post(eraseHref, { phrase: 'no' }, eraseHref);
    expect(refusedErase.status).to.equal(400);
    check('erase refused', refusedErase.body);
    const badRetention = await a.post(`/admin/tenants/${tenantId}/retention`, { retentionMonths: '999' });
    expect(badRetention.status).to.equal(400);
    check('retention refused', badRetention.body);
    expect((await a.post(`/admin/tenants/${tenantId}/retention`, { retentionMonths: '12' })).status).to.equal(303);
    check('retention set', await a.get(`/admin/tenants/${tenantId}?saved=1`));

    for (const role of ['programme-leads', 'content-editors']) {
      const base = `/admin/tenants/${tenantId}/${role}`;
      check(`${role}, nobody`, await a.get(base));
      const bad = await a.post(base, { by: 'email', value: 'not-an-email' }, base);
      expect(bad.status).to.equal(400);
      check(`${role} refused`, bad.body);
      expect((await a.post(base, { by: 'email', value: 'lead@example.org' }, base)).status).to.equal(303);
      const named = await a.get(`${base}?added=1`);
      check(role, named);
      const id = parse(named).querySelector('form[action$="/remove"]')!.getAttribute('action')!;
      check(`${role} remove?`, (await a.post(id, {}, base)).body);
    }
    check('privacy notice editor', await a.get(`/admin/tenants/${tenantId}/privacy`));
    const longNotice = await a.post(`/admin/tenants/${tenantId}/privacy`, { body: 'x'.repeat(60_000) }, `/admin/tenants/${tenantId}/privacy`);
    expect(longNotice.status).to.equal(400);
    check('privacy notice refused', longNotice.body);

    const notice = await s.get(learner, `${env.app.url}/privacy`);
    expect(notice.status).to.equal(200);
    check('privacy notice', notice.body);
    expect(found.join('\n')).to.equal('');
  });

  it('fr: the console in French', async () => {
    const a = await admin('fr-FR');
    expect(a.loginPage).to.match(/<html lang="fr"/);
    expect(parse(a.loginPage).querySelector('h1')?.text).to.equal('Connexion administrateur');
    expect((await a.login()).status).to.equal(303);
    expect(parse(await a.get('/admin')).querySelector('h1')?.text).to.equal('Plateformes d’apprentissage');
  });
});
