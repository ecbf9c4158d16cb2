// Our tool against the Moodle 4.5.6 recordings (../shared/lms-recordings/moodle-4.5.6): one test per
// recorded surprise that is about launches, roles, the roster and tokens, driven through the simulator
// replaying that behaviour, and a launch of every recorded id_token payload.
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { parse } from 'node-html-parser';
import type { TestApp } from '../support/test-app.ts';
import { LtiHttpClient, LtiPlatformSimulator, RECORDED_ROLES, type SimUser } from '../support/lti-platform-simulator.ts';
import type { ConnectedPlatform } from '../support/lti-fixtures.ts';
import { moodleIdTokens, recordingsSuite, replayOptions } from '../support/lms-recordings.ts';
import { syncRoster } from '../../server/roster/roster.service.ts';
import { LtiServiceError } from '../../lti/nrps.ts';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';
const C = 'https://purl.imsglobal.org/spec/lti/claim/';
// Moodle's users in the recordings: ids as subs, the roles each kind of user gets at launch.
const R = RECORDED_ROLES.moodle;
const student: SimUser = { sub: '4', name: 'Sam Student', email: 'student1@example.com', username: 'student1', roles: [...R.student.launch] };
const teacher: SimUser = { sub: '3', name: 'Tina Teacher', username: 'teacher1', roles: [...R.teacher.launch] };
const nonEditingTeacher: SimUser = { sub: '8', name: 'Terry Assistant', username: 'ta1', roles: [...R.nonEditingTeacher.launch] };
const admin: SimUser = { sub: '2', name: 'Admin User', username: 'admin', roles: [...R.admin.launch] };
const course = { id: '2', title: 'Circlework Lab Course', label: 'CW101' };

describe('Moodle 4.5.6 recordings', () => {
  let app: TestApp;
  let moodle: LtiPlatformSimulator;
  let lms: ConnectedPlatform;

  const { deps, path, cohortIdOf } = recordingsSuite('moodle', 'lab', (env) => {
    ({ app, sim: moodle, lms } = env);
  });
  async function launch(user: SimUser, opts: { custom?: Record<string, string>; browser?: LtiHttpClient } = {}) {
    const browser = opts.browser ?? new LtiHttpClient();
    const res = await moodle.launch(app.url, browser, { user, clientId: lms.clientId, context: course, ...(opts.custom ? { custom: opts.custom } : {}) });
    expect(res.status, res.body.slice(0, 300)).to.equal(200);
    const cohortId = cohortIdOf(res.finalUrl);
    const { tenantId } = await app.db.selectFrom('cohorts').select('tenantId').where('id', '=', cohortId).executeTakeFirstOrThrow();
    return { browser, res, cohortId, tenantId };
  }
  const membership = (cohortId: string, sub: string) =>
    app.db
      .selectFrom('memberships as m')
      .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
      .select(['m.role', 'm.status'])
      .where('m.cohortId', '=', cohortId)
      .where('p.sub', '=', sub)
      .executeTakeFirst();
  const nrpsPages = () => moodle.services.serviceCalls.filter((c) => path(c.url).startsWith('/nrps/')).map((c) => new URL(c.url).search);

  it('Moodle surprise 5 (login initiation is a form POST, JSON lti_message_hint usable once): our login takes it and the launch lands', async () => {
    const { res } = await launch(student);
    expect(path(res.finalUrl)).to.match(/^\/cohorts\/[0-9a-f-]{36}$/);
    const auth = moodle.authRequests.at(-1)!;
    // The tool echoed Moodle's user-id login_hint and its JSON message hint untouched.
    expect(auth.login_hint).to.equal('4');
    expect(JSON.parse(auth.lti_message_hint!)).to.have.keys('cmid', 'launchid');
    expect(JSON.parse(auth.lti_message_hint!).launchid).to.match(/^ltilaunch\d+_\d+$/);
    // Moodle's answer to a replayed auth request (same launchid) is a 404; a new launch works.
    const replay = await new LtiHttpClient().request(`${moodle.authEndpoint}?${new URLSearchParams(auth)}`);
    expect(replay.status).to.equal(404);
    expect((await launch(student)).res.status).to.equal(200);
    // The deep linking launch's hint has only a launchid.
    const dl = await moodle.launch(app.url, new LtiHttpClient(), { user: teacher, clientId: lms.clientId, context: course, messageType: 'LtiDeepLinkingRequest' });
    expect(path(dl.finalUrl)).to.match(/\/deep-linking$/);
    expect(JSON.parse(moodle.authRequests.at(-1)!.lti_message_hint!)).to.have.keys('launchid');
  });

  it('Moodle surprise 6 (auth errors are 404 pages or posted back): our auth request meets every Moodle requirement, and an error posted back gets a clear page', async () => {
    await launch(student);
    const auth = moodle.authRequests.at(-1)!;
    expect(auth).to.include({ scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: lms.clientId, redirect_uri: `${app.url}/lti/launch` });
    expect(auth.nonce).to.be.a('string').and.not.equal('');
    expect(auth.state).to.be.a('string').and.not.equal('');
    // Moodle posts some errors back to the redirect URI (error, state; no id_token).
    const browser = new LtiHttpClient();
    const begun = await moodle.beginLaunch(app.url, browser, { user: student, clientId: lms.clientId, context: course });
    const refused = await browser.request(begun.redirectUri, { form: { error: 'access_denied', state: begun.state }, initiator: moodle.baseUrl, frameTop: moodle.baseUrl });
    expect(refused.status).to.be.within(400, 499);
    expect(parse(refused.body).querySelector('[data-test=error-message]')?.text).to.contain('refused');
  });

  it('Moodle surprise 7 (the id_token is valid for 60 seconds, the nonce echoed): we take it', async () => {
    const browser = new LtiHttpClient();
    const begun = await moodle.beginLaunch(app.url, browser, { user: student, clientId: lms.clientId, context: course });
    const claims = decodeJwt(begun.idToken);
    expect(claims.exp! - claims.iat!).to.equal(60);
    expect(claims.nonce).to.equal(begun.nonce);
    const res = await moodle.postIdToken(browser, begun.redirectUri, begun.idToken, begun.state);
    expect(res.status).to.equal(200);
    expect(path(res.finalUrl)).to.match(/^\/cohorts\/[0-9a-f-]{36}$/);
  });

  it('Moodle surprise 8 (roles): the admin’s three roles and the non-editing teacher are facilitators, and the roster (short names, TA as Learner, admin absent) changes neither', async () => {
    const ta = await launch(nonEditingTeacher);
    const adm = await launch(admin);
    expect(path(ta.res.finalUrl)).to.match(/\/console$/);
    expect(path(adm.res.finalUrl)).to.match(/\/console$/);
    // The admin is not listed.
    moodle.setMembers(course.id, [
      { user_id: nonEditingTeacher.sub, roles: [...R.nonEditingTeacher.nrps], name: 'Terry Assistant' },
      { user_id: teacher.sub, roles: [...R.teacher.nrps], name: 'Tina Teacher' },
      { user_id: student.sub, roles: [...R.student.nrps], name: 'Sam Student' },
    ]);
    expect(await syncRoster(deps(), { tenantId: ta.tenantId, cohortId: ta.cohortId })).to.include({ added: 2, listed: 3, invalid: 0 });
    expect(await membership(ta.cohortId, nonEditingTeacher.sub)).to.deep.equal({ role: 'facilitator', status: 'active' });
    expect(await membership(ta.cohortId, admin.sub)).to.deep.equal({ role: 'facilitator', status: 'active' });
    // Roles from a roster with short names: "Instructor" is a facilitator, "Learner" a learner.
    expect(await membership(ta.cohortId, teacher.sub)).to.deep.equal({ role: 'facilitator', status: 'active' });
    expect(await membership(ta.cohortId, student.sub)).to.deep.equal({ role: 'learner', status: 'active' });
    expect((await ta.browser.request(`${app.url}/cohorts/${ta.cohortId}/console`)).status).to.equal(200);
    expect((await adm.browser.request(`${app.url}/cohorts/${adm.cohortId}/console`)).status).to.equal(200);
  });

  it('Moodle surprise 9 (NRPS leaves out suspended users; Link only with limit): every listed member is read over the pages, and the suspended one is left as they are', async () => {
    const suspended = await launch({ ...student, sub: '5', name: 'Sara Scholar' });
    const { cohortId, tenantId } = await launch(teacher);
    const learners = ['4', '6', '7', '9', '10', '11', '12'].map((id) => ({ user_id: id, roles: [`${LIS}membership#Learner`], name: `Student ${id}` }));
    moodle.setMembers(course.id, [{ user_id: teacher.sub, roles: [`${LIS}membership#Instructor`] }, ...learners, { user_id: '5', roles: [`${LIS}membership#Learner`], suspended: true }]);
    const result = await syncRoster({ ...deps(), nrps: { pageSize: 3 } }, { tenantId, cohortId });
    expect(result).to.include({ added: 7, listed: 8, deactivated: 0, invalid: 0 });
    expect(nrpsPages()).to.deep.equal(['?limit=3', '?limit=3&from=3', '?limit=3&from=6']);
    // Moodle says nothing about the suspended enrolment: our roster leaves that membership as it is.
    expect(await membership(cohortId, '5')).to.deep.equal({ role: 'learner', status: 'active' });
    expect((await suspended.browser.request(suspended.res.finalUrl)).status).to.equal(200);
  });

  it('Moodle surprise 10 (custom parameters: Mixed-Key also as mixed_key, service URLs, literal $Vars): the module a link names still opens', async () => {
    const { res } = await launch(student, { custom: { Module: '1', 'Mixed-Key': 'Some Value', unknownvar: '$Foo.bar', empty: '' } });
    // Moodle sent Module and module; the lower-case one names the module.
    expect(path(res.finalUrl)).to.match(/\/modules\/1$/);
    const { res: plain } = await launch(student, { custom: { module: '2', unknownvar: '$Foo.bar' } });
    expect(path(plain.finalUrl)).to.match(/\/modules\/2$/);
  });

  it('Moodle surprise 11 (deployment_id is the type id, empty lis strings, basicoutcome and ext claims): the launch lands and records the deployment', async () => {
    const browser = new LtiHttpClient();
    const begun = await moodle.beginLaunch(app.url, browser, { user: student, clientId: lms.clientId, context: course });
    const claims = decodeJwt(begun.idToken);
    expect(claims[`${C}deployment_id`]).to.match(/^\d+$/);
    expect(claims[`${C}lis`]).to.deep.equal({ person_sourcedid: '', course_section_sourcedid: '' });
    expect(claims[`${C}ext`]).to.deep.equal({ user_username: 'student1', lms: 'moodle-2' });
    expect(JSON.parse((claims['https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome'] as { lis_result_sourcedid: string }).lis_result_sourcedid)).to.have.keys('data', 'hash');
    expect(claims[`${C}tool_platform`]).to.include({ version: '2024100706' });
    const res = await moodle.postIdToken(browser, begun.redirectUri, begun.idToken, begun.state);
    expect(res.status).to.equal(200);
    const tenant = await app.db.selectFrom('tenants').select('deploymentId').executeTakeFirstOrThrow();
    expect(tenant.deploymentId).to.equal(lms.deploymentId);
  });

  it('Moodle surprise 12 (token endpoint: text/html, every error 400 with free text, unknown scopes dropped): a roster works, and a refused token is a clear failure', async () => {
    const { cohortId, tenantId } = await launch(teacher);
    moodle.setMembers(course.id, [{ user_id: teacher.sub, roles: ['Instructor'] }]);
    // The tool's keys are not the ones Moodle has: "Signature verification failed", 400, as text/html.
    const tool = moodle.toolRecords.find((t) => t.clientId === lms.clientId)!;
    const jwks = tool.jwksUri;
    tool.jwksUri = `${moodle.baseUrl}/no-such-keys`;
    try {
      const err = await syncRoster(deps(), { tenantId, cohortId }).then(() => null, (e: unknown) => e);
      expect(err).to.be.an.instanceOf(LtiServiceError);
      expect(err).to.include({ retryable: false, status: 400 });
      expect((err as LtiServiceError).message).to.contain('Signature verification failed');
    } finally {
      tool.jwksUri = jwks;
    }
    // The success is JSON served as text/html: read all the same.
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ listed: 1 });
    expect(moodle.services.tokenRequests.map((t) => t.ok)).to.deep.equal([false, true]);
  });

  it('Moodle surprise 13 (services: 400 for Accept application/json, 401 {status,reason,request}): we send the NRPS media type, and a token Moodle forgot is replaced', async () => {
    const { cohortId, tenantId } = await launch(teacher);
    moodle.setMembers(course.id, [{ user_id: teacher.sub, roles: ['Instructor'] }, { user_id: '4', roles: ['Learner'] }]);
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ listed: 2 });
    moodle.services.forgetTokens();
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ listed: 2 });
    expect(moodle.services.serviceCalls.map((c) => c.status)).to.deep.equal([200, 401, 200]);
    expect(moodle.services.tokenRequests.map((t) => t.ok)).to.deep.equal([true, true]);
  });

  describe('a launch of every recorded id_token', () => {
    for (const rec of moodleIdTokens()) {
      const p = rec.payload;
      const roles = (p[`${C}roles`] as string[]).join(' ');
      const facilitator = /membership#Instructor|#Administrator/.test(roles);
      const dl = p[`${C}message_type`] === 'LtiDeepLinkingRequest';
      const module = (p[`${C}custom`] as Record<string, string> | undefined)?.module;
      const expected = dl ? /\/deep-linking$/ : module ? new RegExp(`/modules/${module}$`) : facilitator ? /\/console$/ : /^\/cohorts\/[0-9a-f-]{36}$/;
      it(`${rec.file} ${rec.variant} (sub ${String(p.sub)}): lands on ${String(expected)} as a ${facilitator ? 'facilitator' : 'learner'}`, async () => {
        const browser = new LtiHttpClient();
        const res = await moodle.launch(app.url, browser, replayOptions(moodle, p, lms.clientId));
        expect(res.status, res.body.slice(0, 400)).to.equal(200);
        expect(path(res.finalUrl)).to.match(expected);
        const cohortId = cohortIdOf(res.finalUrl);
        expect(await membership(cohortId, String(p.sub))).to.deep.equal({ role: facilitator ? 'facilitator' : 'learner', status: 'active' });
        if (facilitator && !dl) expect((await browser.request(`${app.url}/cohorts/${cohortId}/console`)).status).to.equal(200);
      });
    }
  });
});
