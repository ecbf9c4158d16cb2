// Erasure of a person over real HTTP: by the person from their profile (explained, confirmed twice),
// by the tool admin per deployment (find, confirm, erase; the deployment's policy for posts); what
// others then see; a new launch of the same LMS user; who may erase whom; CSRF on every form.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';
import { erasePerson, subjectHash } from '../../server/privacy/erasure.service.ts';
import type { LaunchContext } from '../../server/launch-context.ts';

const COURSE = { id: 'course-erasure', title: 'Erasure course' };
const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };
const ada = { sub: 'ada', name: 'Ada Lovelace', email: 'ada@example.org', roles: [ROLES.learner] };
const bo = { sub: 'bo', name: 'Bo Brown', roles: [ROLES.learner] };
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const csrfOf = (html: string) => parse(html).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';
const CONFIRMED = { phrase: 'Erase my data', understood: 'yes' };

describe('erasure of a person', () => {
  const suite = cohortSuite({ context: COURSE });
  const { env } = suite;
  const db = () => env.app.db;

  async function admin(): Promise<LtiHttpClient> {
    await seedAdmin(db(), ADMIN);
    const browser = new LtiHttpClient();
    const page = await browser.request(`${env.app.url}/admin/login`);
    expect((await browser.request(`${env.app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, _csrf: csrfOf(page.body) } })).status).to.equal(303);
    return browser;
  }
  const adminPost = async (browser: LtiHttpClient, path: string, form: Record<string, string>) => {
    const page = await browser.request(`${env.app.url}/admin`);
    return browser.request(`${env.app.url}${path}`, { method: 'POST', form: { ...form, _csrf: csrfOf(page.body) } });
  };
  const personBySub = (sub: string) => db().selectFrom('persons').selectAll().where('sub', '=', sub).execute();
  const launchOf = async (m: Member, sub: string): Promise<LaunchContext> => {
    const row = await db()
      .selectFrom('memberships as m')
      .innerJoin('persons as p', 'p.id', 'm.personId')
      .select(['m.id', 'm.tenantId', 'p.id as personId', 'm.role'])
      .where('m.cohortId', '=', m.cohortId)
      .where('p.sub', '=', sub)
      .executeTakeFirstOrThrow();
    return { tenantId: row.tenantId, platformId: env.lms.platform.id, cohortId: m.cohortId, personId: row.personId, membershipId: row.id, role: row.role, displayName: sub, issuer: env.lms.sim.issuer, sub, launchedAt: new Date().toISOString() };
  };

  /** Ada starts a commons thread; Bo replies to it, mentioning her. */
  async function conversation(a: Member, b: Member) {
    const commons = new URL((await suite.get(a, `${a.base}/commons`)).location!, env.app.url).href;
    const started = await suite.post(a, `${commons}/threads`, { title: 'ADA-TITLE how do you share', body: 'ADA-OPENING I write a weekly note.' });
    expect(started.status, started.body.slice(0, 300)).to.equal(303);
    const thread = new URL(started.location!, env.app.url).href.replace(/[?#].*/, '');
    const threadId = thread.split('/').pop()!;
    const replied = await suite.post(b, `${b.base}/threads/${threadId}/posts`, { body: 'BO-REPLY thanks @adalovelace, I will try it.' });
    expect(replied.status, replied.body.slice(0, 300)).to.equal(303);
    return thread;
  }

  it('lets a learner erase themselves from their profile: explained, confirmed twice; their posts stay as a former participant’s; a new launch is a new person with nothing', async () => {
    await suite.launch(fran);
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    const thread = await conversation(a, b);
    expect((await suite.post(a, `${a.base}/profile`, { skills: 'ADA-SKILLS SQL', interests: '', canHelpWith: '' })).status).to.equal(303);
    const [before] = await personBySub('ada');

    const profile = await suite.get(a, `${a.base}/profile`);
    expect(profile.doc.querySelector('[data-test=erase-my-data-link]')!.getAttribute('href')).to.equal(`/cohorts/${a.cohortId}/profile/erase`);
    const page = await suite.get(a, `${a.base}/profile/erase`);
    expect(page.status).to.equal(200);
    expect(page.doc.querySelector('[data-test=posts-policy]')!.text).to.include('A former participant');

    // Each confirmation alone changes nothing: a 400 that says what is missing.
    for (const form of [{}, { phrase: 'erase my data' }, { understood: 'yes' }, { phrase: 'erase', understood: 'yes' }] as Array<Record<string, string>>) {
      const refused = await suite.post(a, `${a.base}/profile/erase`, form);
      expect(refused.status, JSON.stringify(form)).to.equal(400);
      expect(refused.doc.querySelector('[data-test=erase-error]')!.text).to.include('Nothing was erased');
      expect(await personBySub('ada')).to.have.length(1);
    }

    const done = await suite.post(a, `${a.base}/profile/erase`, CONFIRMED);
    expect(done.status, done.body.slice(0, 300)).to.equal(200);
    expect(done.doc.querySelector('[data-test=erase-done]')).to.not.equal(null);
    expect(await personBySub('ada')).to.deep.equal([]);
    expect((await suite.get(a, a.base)).status, 'the erased person’s browser is signed out').to.equal(401);

    // Bo still reads the conversation: Ada's words under "A former participant", his reply under them.
    const read = await suite.get(b, thread);
    expect(read.status).to.equal(200);
    expect(read.body).to.include('ADA-OPENING').and.to.include('BO-REPLY').and.to.include('ADA-TITLE');
    expect(read.body).to.include('A former participant');
    expect(read.body).to.not.include('Ada Lovelace');
    expect(read.body).to.not.include('adalovelace');
    expect(read.doc.querySelector('.mention')!.text).to.equal('@A former participant');

    const [log] = await db().selectFrom('erasures').selectAll().execute();
    expect(log).to.include({ requestedBy: 'person', adminUserId: null, postsPolicy: 'keep', memberships: 1, postsKept: 1, postsDeleted: 0, tenantId: before!.tenantId });
    expect(log!.subjectHash).to.equal(subjectHash(env.app.config.ltiEncryptionKey!, before!.tenantId, 'ada'));

    // The same LMS user launching again is a new person with nothing of before.
    const again = await suite.launch(ada);
    const [after] = await personBySub('ada');
    expect(after!.id).to.not.equal(before!.id);
    const profileAgain = await suite.get(again, `${again.base}/profile`);
    expect(profileAgain.body).to.not.include('ADA-SKILLS');
    expect(await db().selectFrom('memberships').select('id').where('personId', '=', after!.id).execute()).to.have.length(1);
    expect((await suite.get(again, thread)).body, 'her old post is not hers again').to.not.include('data-test="post-own-menu"');
  });

  it('lets the tool admin find a person and erase them under the deployment’s policy “delete”: the posts show as deleted by their author, others’ replies stay', async () => {
    await suite.launch(fran);
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    const thread = await conversation(a, b);
    const [person] = await personBySub('ada');
    const browser = await admin();

    const platform = await browser.request(`${env.app.url}/admin/platforms/${env.lms.platform.id}`);
    expect(parse(platform.body).querySelector('[data-test=tenant-people]')!.getAttribute('href')).to.equal(`/admin/tenants/${person!.tenantId}`);
    expect((await adminPost(browser, `/admin/tenants/${person!.tenantId}/erasure-policy`, { postsOnErasure: 'delete' })).status).to.equal(303);

    for (const q of ['lovelace', 'ADA@EXAMPLE', 'ada']) {
      const found = parse((await browser.request(`${env.app.url}/admin/tenants/${person!.tenantId}?q=${encodeURIComponent(q)}`)).body);
      expect(found.querySelectorAll('[data-test=person-found]').map((r) => r.text), q).to.have.length(1);
      expect(found.querySelector('[data-test=erase-person]')!.getAttribute('href')).to.equal(`/admin/tenants/${person!.tenantId}/people/${person!.id}/erase`);
    }
    const confirm = await browser.request(`${env.app.url}/admin/tenants/${person!.tenantId}/people/${person!.id}/erase`);
    expect(confirm.status).to.equal(200);
    expect(parse(confirm.body).querySelector('[data-test=posts-policy]')!.text).to.include('deleted by their author');
    const path = `/admin/tenants/${person!.tenantId}/people/${person!.id}/erase`;
    expect((await adminPost(browser, path, { phrase: 'erase this person' })).status).to.equal(400);
    expect((await adminPost(browser, path, { understood: 'yes' })).status).to.equal(400);
    expect(await personBySub('ada')).to.have.length(1);
    const erased = await adminPost(browser, path, { phrase: 'Erase this person', understood: 'yes' });
    expect(erased.status).to.equal(303);
    expect(erased.headers.get('location')).to.equal(`/admin/tenants/${person!.tenantId}?erased=1`);
    expect(await personBySub('ada')).to.deep.equal([]);
    const tenantPage = parse((await browser.request(`${env.app.url}/admin/tenants/${person!.tenantId}?erased=1`)).body);
    expect(tenantPage.querySelector('[data-test=person-erased]')).to.not.equal(null);
    expect(tenantPage.querySelectorAll('[data-test=erasure]')[0]!.text).to.include('a tool admin asked').and.to.include('1 post deleted');
    const [log] = await db().selectFrom('erasures').selectAll().execute();
    expect(log).to.include({ requestedBy: 'tool-admin', postsPolicy: 'delete', postsDeleted: 1, postsKept: 0 });
    expect(log!.adminUserId).to.be.a('string');

    const read = await suite.get(b, thread);
    expect(read.status).to.equal(200);
    expect(read.body).to.not.include('ADA-OPENING').and.to.not.include('ADA-TITLE');
    expect(read.body).to.include('This post was deleted by its author.').and.to.include('BO-REPLY');
    expect(read.body).to.not.include('Ada Lovelace');
  });

  it('lets a person erase only themselves, and the admin only a person of the deployment named in the address', async () => {
    const a = await suite.launch(ada);
    const b = await suite.launch(bo);
    const [adaRow] = await personBySub('ada');
    // A learner's launch names their own person; another's id is not found, and nothing changes.
    let refused: unknown;
    await erasePerson({ db: db(), erasureKey: 'k' }, { by: 'person', who: await launchOf(b, 'bo') }, adaRow!.id).catch((err: unknown) => (refused = err));
    expect(refused).to.have.property('status', 404);
    expect(await personBySub('ada')).to.have.length(1);

    // A learner's session is not the admin's: sent to sign in, or 401 for a POST.
    const asLearner = await a.browser.request(`${env.app.url}/admin/tenants/${adaRow!.tenantId}/people/${adaRow!.id}/erase`);
    expect(asLearner.status).to.equal(303);
    expect(asLearner.headers.get('location')).to.match(/^\/admin\/login/);
    const posted = await a.browser.request(`${env.app.url}/admin/tenants/${adaRow!.tenantId}/people/${adaRow!.id}/erase`, { method: 'POST', form: { ...CONFIRMED, phrase: 'erase this person', _csrf: await suite.csrfOf(a) } });
    expect(posted.status).to.equal(401);
    expect(await personBySub('ada')).to.have.length(1);

    // Another organisation's deployment in the address: its page never reaches this person.
    const otherSim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Another organisation' });
    try {
      const other = await connectPlatform(env.app, otherSim);
      const x = await suite.launch(ada, { id: 'other-course' }, other);
      const otherTenant = (await db().selectFrom('cohorts').select('tenantId').where('id', '=', x.cohortId).executeTakeFirstOrThrow()).tenantId;
      const browser = await admin();
      const cross = `/admin/tenants/${otherTenant}/people/${adaRow!.id}/erase`;
      expect((await browser.request(`${env.app.url}${cross}`)).status).to.equal(404);
      expect((await adminPost(browser, cross, { phrase: 'erase this person', understood: 'yes' })).status).to.equal(404);
      const found = parse((await browser.request(`${env.app.url}/admin/tenants/${otherTenant}?q=ada`)).body).querySelectorAll('[data-test=person-found]');
      expect(found, 'the other deployment’s search finds its own Ada only').to.have.length(1);
      expect(found[0]!.querySelector('[data-test=erase-person]')!.getAttribute('href')).to.not.include(adaRow!.id);
      expect(await personBySub('ada')).to.have.length(2);
    } finally {
      await otherSim.close();
    }
  });

  it('refuses every erasure form without its CSRF token (403), and changes nothing', async () => {
    const a = await suite.launch(ada);
    const [adaRow] = await personBySub('ada');
    const own = await a.browser.request(`${a.base}/profile/erase`, { method: 'POST', form: CONFIRMED });
    expect(own.status).to.equal(403);
    const browser = await admin();
    const byAdmin = await browser.request(`${env.app.url}/admin/tenants/${adaRow!.tenantId}/people/${adaRow!.id}/erase`, { method: 'POST', form: { phrase: 'erase this person', understood: 'yes' } });
    expect(byAdmin.status).to.equal(403);
    const policy = await browser.request(`${env.app.url}/admin/tenants/${adaRow!.tenantId}/erasure-policy`, { method: 'POST', form: { postsOnErasure: 'delete' } });
    expect(policy.status).to.equal(403);
    expect(await personBySub('ada')).to.have.length(1);
    expect(await db().selectFrom('tenantPrivacySettings').selectAll().execute()).to.deep.equal([]);
  });
});
