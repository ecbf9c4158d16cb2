// Our tool against the Canvas recordings (../shared/lms-recordings/canvas): one test per recorded
// surprise about launches, roles, the roster and tokens, driven through the simulator replaying that
// behaviour, and a launch of every recorded id_token payload and variant.
import { expect } from 'chai';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { TestApp } from '../support/test-app.ts';
import { resetDatabase } from '../support/test-database.ts';
import { LtiHttpClient, LtiPlatformSimulator, RECORDED_ROLES, type LaunchOptions, type SimUser } from '../support/lti-platform-simulator.ts';
import { connectPlatform, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { canvasIdTokens, recordingsSuite, replayOptions } from '../support/lms-recordings.ts';
import { registerPlatform } from '../../server/platforms/platforms.service.ts';
import { syncRoster } from '../../server/roster/roster.service.ts';
import { LtiServiceError } from '../../lti/nrps.ts';

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';
const C = 'https://purl.imsglobal.org/spec/lti/claim/';
// Canvas's role sets in the recordings: membership roles plus institution and system roles from the whole account.
const student: SimUser = {
  sub: '848b3a11-c7b6-4c05-9fb3-782a0c34ee43', name: 'StudentFirst StudentLast', email: 'canvasstudent@example.edu',
  roles: [...RECORDED_ROLES.canvas.student.launch],
};
const teacher: SimUser = {
  sub: 'e77934e7-4e98-4055-b4b4-3a8431e4f22a', name: 'TeacherFirst TeacherLast',
  roles: [...RECORDED_ROLES.canvas.teacher.launch],
};
const course = { id: 'd3a2504bba5184799a38f141e8df2335cfa8206d', title: 'LTI 1.3 Test Course', label: 'LTI13' };

describe('Canvas recordings', () => {
  let app: TestApp;
  let canvas: LtiPlatformSimulator;
  let lms: ConnectedPlatform;

  const { deps, path, cohortIdOf } = recordingsSuite('canvas', 'ALT+CS Lab', (env) => {
    ({ app, sim: canvas, lms } = env);
  });
  const HUB = /^\/cohorts\/[0-9a-f-]{36}$/;
  async function launch(user: SimUser, opts: Partial<LaunchOptions> & { loginMethod?: 'GET' | 'POST'; on?: ConnectedPlatform } = {}) {
    const { on = lms, ...rest } = opts;
    const browser = new LtiHttpClient();
    const res = await on.sim.launch(app.url, browser, { user, clientId: on.clientId, context: course, ...rest });
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

  it('Canvas surprise 1 (one issuer for every hosted institution): two schools on https://canvas.instructure.com stay apart, keyed by client id', async () => {
    const other = await LtiPlatformSimulator.start({ kind: 'canvas', name: 'Other School' });
    try {
      const school2 = await connectPlatform(app, other);
      expect(other.issuer).to.equal(canvas.issuer);
      const here = await launch(student);
      const there = await launch(student, { on: school2 });
      expect(here.tenantId).to.not.equal(there.tenantId);
      expect(here.cohortId).to.not.equal(there.cohortId);
      const platforms = await app.db.selectFrom('platforms').select(['issuer', 'clientId']).orderBy('clientId').execute();
      expect(platforms).to.deep.equal([lms.clientId, school2.clientId].sort().map((clientId) => ({ issuer: 'https://canvas.instructure.com', clientId })));
    } finally {
      await other.close();
    }
  });

  it('Canvas surprise 2 (auth and JWKS on another host than the issuer): the login goes there and the keys come from there', async () => {
    expect(new URL(canvas.authEndpoint).origin).to.equal(canvas.ssoBaseUrl);
    expect(new URL(canvas.jwksUri).origin).to.equal(canvas.ssoBaseUrl);
    expect(canvas.ssoBaseUrl).to.not.equal(canvas.baseUrl);
    const requests = canvas.authRequests.length;
    const { res } = await launch(student);
    expect(path(res.finalUrl)).to.match(HUB);
    expect(canvas.authRequests.length).to.equal(requests + 1);
    // The tool's JWKS cache may hold the keys already: they were fetched (from the sso origin) at least once.
    expect(canvas.jwksFetchCount).to.be.at.least(1);
    const platform = await app.db.selectFrom('platforms').select(['authEndpoint', 'jwksUri']).where('clientId', '=', lms.clientId).executeTakeFirstOrThrow();
    expect(platform).to.deep.equal({ authEndpoint: canvas.authEndpoint, jwksUri: canvas.jwksUri });
  });

  it('Canvas surprise 3 (the deployment id <tool id>:<40 hex> is known only at the first launch): a platform with no deployment listed records it', async () => {
    await resetDatabase(app.handle);
    const unlisted = await connectPlatform(app, canvas, { listDeployment: false, deploymentPolicy: 'record' });
    expect(unlisted.deploymentId).to.match(/^\d+:[0-9a-f]{40}$/);
    const { res, tenantId } = await launch(student, { on: unlisted });
    expect(path(res.finalUrl)).to.match(HUB);
    const tenant = await app.db.selectFrom('tenants').select(['deploymentId', 'status']).where('id', '=', tenantId).executeTakeFirstOrThrow();
    expect(tenant).to.deep.equal({ deploymentId: unlisted.deploymentId, status: 'active' });
    // Reinstalled in another course: a new deployment id, a new tenant.
    const reinstalled = `${Number(unlisted.deploymentId.split(':')[0]) + 100}:${'ab'.repeat(20)}`;
    const again = await launch(student, { on: unlisted, deploymentId: reinstalled });
    expect(again.tenantId).to.not.equal(tenantId);
  });

  it('Canvas surprise 4 (the client id is a long digit string, also aud and azp): launches with such ids land', async () => {
    expect(lms.clientId).to.match(/^\d{14,}$/);
    const { clientId, deploymentId } = canvas.addTool({ toolUrl: app.url, clientId: '170000000000123' });
    await registerPlatform(
      deps(),
      { issuer: canvas.issuer, clientId, name: 'hosted key', product: 'canvas', authEndpoint: canvas.authEndpoint, tokenEndpoint: canvas.tokenEndpoint, jwksUri: canvas.jwksUri, authorizationServer: canvas.authorizationServer, deploymentIds: [deploymentId], frameOrigins: [canvas.baseUrl] },
      { status: 'active', registeredVia: 'manual' },
    );
    const browser = new LtiHttpClient();
    const begun = await canvas.beginLaunch(app.url, browser, { user: student, clientId, context: course });
    expect(decodeJwt(begun.idToken)).to.include({ aud: '170000000000123', azp: '170000000000123' });
    const res = await canvas.postIdToken(browser, begun.redirectUri, begun.idToken, begun.state);
    expect(path(res.finalUrl)).to.match(HUB);
  });

  it('Canvas surprise 5 (login_hint is the 40-hex LTI 1.1 id, not the sub): the person is the sub', async () => {
    const { cohortId } = await launch(student);
    const auth = canvas.authRequests.at(-1)!;
    expect(auth.login_hint).to.match(/^[0-9a-f]{40}$/).and.not.equal(student.sub);
    expect(await membership(cohortId, student.sub)).to.deep.equal({ role: 'learner', status: 'active' });
    expect(await app.db.selectFrom('persons').select('sub').execute()).to.deep.equal([{ sub: student.sub }]);
  });

  it('Canvas surprise 6 (login by GET or POST, with both lti_deployment_id and deployment_id): both land', async () => {
    for (const loginMethod of ['GET', 'POST'] as const) {
      const { res } = await launch(student, { loginMethod });
      expect(path(res.finalUrl), loginMethod).to.match(HUB);
    }
  });

  it('Canvas surprise 7 (account-wide institution and system roles): a student who teaches elsewhere is a learner, an unenrolled admin and a TA are facilitators, Test Student a learner; the roster’s membership roles change none of them', async () => {
    const R = RECORDED_ROLES.canvas;
    const cases: Array<[string, SimUser, 'learner' | 'facilitator']> = [
      ['teaches elsewhere', { sub: 'u-1', roles: [...R.studentWhoTeachesElsewhere.launch] }, 'learner'],
      ['unenrolled admin', { sub: 'u-2', roles: [...R.admin.launch] }, 'facilitator'],
      ['TA', { sub: 'u-3', roles: [...R.ta.launch] }, 'facilitator'],
      ['Test Student', { sub: 'u-4', roles: [...R.testStudent.launch] }, 'learner'],
      ['designer', { sub: 'u-5', roles: [...R.designer.launch] }, 'facilitator'],
    ];
    let cohortId = '';
    let tenantId = '';
    for (const [what, user, role] of cases) {
      const l = await launch(user);
      ({ cohortId, tenantId } = l);
      expect(path(l.res.finalUrl), what).to.match(role === 'facilitator' ? /\/console$/ : HUB);
      expect(await membership(cohortId, user.sub), what).to.deep.equal({ role, status: 'active' });
    }
    // The admin is not listed; the others with their membership roles only.
    canvas.setMembers(course.id, [
      { user_id: 'u-1', roles: [...R.studentWhoTeachesElsewhere.nrps] },
      { user_id: 'u-3', roles: [...R.ta.nrps] },
      { user_id: 'u-4', roles: [...R.testStudent.nrps] },
      { user_id: 'u-5', roles: [...R.designer.nrps] },
    ]);
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ listed: 4, deactivated: 0 });
    for (const [what, user, role] of cases) expect(await membership(cohortId, user.sub), what).to.deep.equal({ role, status: 'active' });
  });

  it('Canvas surprise 8 (lis holds unexpanded $Person.sourcedId / $CourseSection.sourcedId): the launch lands', async () => {
    const browser = new LtiHttpClient();
    const begun = await canvas.beginLaunch(app.url, browser, { user: student, clientId: lms.clientId, context: course });
    expect(decodeJwt(begun.idToken)[`${C}lis`]).to.deep.equal({ person_sourcedid: '$Person.sourcedId', course_offering_sourcedid: '$CourseSection.sourcedId' });
    expect(path((await canvas.postIdToken(browser, begun.redirectUri, begun.idToken, begun.state)).finalUrl)).to.match(HUB);
  });

  it('Canvas surprise 9 (https://www.instructure.com/ extension claims, placement may be null): the launch lands', async () => {
    for (const placement of [null, 'course_navigation', 'link_selection']) {
      const { res } = await launch(teacher, { placement });
      expect(path(res.finalUrl), String(placement)).to.match(/\/console$/);
    }
  });

  it('Canvas surprise 11 (platformnotificationservice, eulaservice, lti1p1 with oauth_consumer_key_sign): ignored gracefully', async () => {
    const { res } = await launch(student, {
      tamperClaims: (c) => ({ ...c, [`${C}lti1p1`]: { ...(c[`${C}lti1p1`] as object), oauth_consumer_key: 'key', oauth_consumer_key_sign: 'byxEShzri7Vts17LMSxuG5tNrdr32iAFoBlx5HIStcA=' } }),
    });
    expect(path(res.finalUrl)).to.match(HUB);
  });

  it('Canvas surprise 12 (document_target always iframe, Canvas locale codes): new-window and localised launches land', async () => {
    for (const locale of ['en', 'en-GB', 'fr-CA', 'zh-Hant', 'en-AU-x-unimelb']) {
      const { res } = await launch(student, { locale });
      expect(path(res.finalUrl), locale).to.match(HUB);
    }
    const browser = new LtiHttpClient();
    const begun = await canvas.beginLaunch(app.url, browser, { user: student, clientId: lms.clientId, context: course, documentTarget: 'window' });
    expect(decodeJwt(begun.idToken)[`${C}launch_presentation`]).to.include({ document_target: 'iframe' });
    const res = await canvas.postIdToken(browser, begun.redirectUri, begun.idToken, begun.state, { documentTarget: 'window' });
    expect(path(res.finalUrl)).to.match(HUB);
  });

  it('Canvas surprise 13 (canvas_environment/canvas_region: prod/not_configured in code, production/unknown in the docs): both land', async () => {
    await launch(student);
    expect(canvas.authRequests.length).to.be.greaterThan(0);
    const { res } = await launch(student, { loginParams: { canvas_environment: 'production', canvas_region: 'unknown' } });
    expect(path(res.finalUrl)).to.match(HUB);
    const beta = await launch(student, { loginParams: { canvas_environment: 'beta', canvas_region: 'us-east-1' } });
    expect(path(beta.res.finalUrl)).to.match(HUB);
  });

  it('Canvas surprise 15 (token aud must be exactly the token URL; a missing scope is invalid_scope): the roster gets its token, and a wrong aud or scope is a clear failure', async () => {
    const { cohortId, tenantId } = await launch(teacher);
    canvas.setMembers(course.id, [{ user_id: teacher.sub, roles: [`${LIS}membership#Instructor`] }]);
    const setAud = (aud: string) => app.db.updateTable('platforms').set({ authorizationServer: aud }).where('clientId', '=', lms.clientId).execute();
    const failure = async () => {
      const err = await syncRoster(deps(), { tenantId, cohortId }).then(() => null, (e: unknown) => e);
      expect(err).to.be.an.instanceOf(LtiServiceError).and.include({ retryable: false, status: 400 });
      return (err as Error).message;
    };
    // A trailing slash on the assertion's aud: 400 invalid_request "the 'aud' is invalid".
    await setAud(`${canvas.tokenEndpoint}/`);
    expect(await failure()).to.contain("the 'aud' is invalid");
    await setAud(canvas.tokenEndpoint);
    // The developer key lacks the NRPS scope: 400 invalid_scope naming it.
    const tool = canvas.toolRecords.find((t) => t.clientId === lms.clientId)!;
    const scopes = [...tool.scopes];
    tool.scopes = scopes.filter((s) => !s.includes('contextmembership'));
    try {
      expect(await failure()).to.contain('invalid_scope').and.contain('contextmembership.readonly');
    } finally {
      tool.scopes = scopes;
    }
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ listed: 1 });
    expect(canvas.services.tokenRequests.map((t) => t.ok)).to.deep.equal([false, false, true]);
  });

  it('Canvas surprise 16 (NRPS paging only by a comma-joined Link header, 10 per page, status always Active): every member is read', async () => {
    const { cohortId, tenantId } = await launch(teacher);
    const learners = Array.from({ length: 24 }, (_, i) => ({ user_id: `learner-${i}`, roles: [`${LIS}membership#Learner`], name: `Learner ${i}` }));
    canvas.setMembers(course.id, [{ user_id: teacher.sub, roles: [`${LIS}membership#Instructor`] }, ...learners, { user_id: 'gone', roles: [`${LIS}membership#Learner`], suspended: true }]);
    const result = await syncRoster({ ...deps(), nrps: { pageSize: 10 } }, { tenantId, cohortId });
    expect(result).to.include({ added: 24, listed: 25, invalid: 0, deactivated: 0 });
    const pages = canvas.services.serviceCalls.map((c) => new URL(c.url).searchParams);
    expect(pages.map((q) => [q.get('page'), q.get('per_page') ?? q.get('limit')])).to.deep.equal([[null, '10'], ['2', '10'], ['3', '10']]);
    expect(await membership(cohortId, 'gone')).to.equal(undefined);
  });

  it('Canvas surprise 17 (service errors are {"errors":{type,message}} with 401/404): a forgotten token is replaced, an unknown roster is a clear failure', async () => {
    const { cohortId, tenantId } = await launch(teacher);
    canvas.setMembers(course.id, [{ user_id: teacher.sub, roles: [`${LIS}membership#Instructor`] }]);
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ listed: 1 });
    canvas.services.forgetTokens();
    expect(await syncRoster(deps(), { tenantId, cohortId })).to.include({ listed: 1 });
    expect(canvas.services.serviceCalls.map((c) => c.status)).to.deep.equal([200, 401, 200]);
    await app.db.updateTable('cohorts').set({ nrpsUrl: `${canvas.baseUrl}/nrps/no-such-course/elsewhere` }).where('id', '=', cohortId).execute();
    const err = await syncRoster(deps(), { tenantId, cohortId }).then(() => null, (e: unknown) => e);
    expect(err).to.be.an.instanceOf(LtiServiceError).and.include({ retryable: false, status: 404 });
    expect((err as Error).message).to.contain('{"errors":{"type":"not_found","message":"Context not found"}}');
  });

  it('Canvas surprise 22 (id_token kids are ISO-8601 timestamps): launches verify, also after a key rotation', async () => {
    const browser = new LtiHttpClient();
    const begun = await canvas.beginLaunch(app.url, browser, { user: student, clientId: lms.clientId, context: course });
    expect(decodeProtectedHeader(begun.idToken).kid).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(path((await canvas.postIdToken(browser, begun.redirectUri, begun.idToken, begun.state)).finalUrl)).to.match(HUB);
    await canvas.rotateKey();
    const rotated = await canvas.beginLaunch(app.url, browser, { user: student, clientId: lms.clientId, context: course });
    expect(decodeProtectedHeader(rotated.idToken).kid).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/).and.not.equal(decodeProtectedHeader(begun.idToken).kid);
    expect(path((await canvas.postIdToken(browser, rotated.redirectUri, rotated.idToken, rotated.state)).finalUrl)).to.match(HUB);
  });

  describe('a launch of every recorded id_token', () => {
    for (const rec of canvasIdTokens()) {
      const p = rec.payload;
      const roles = (p[`${C}roles`] as string[]).join(' ');
      const facilitator = /membership#Instructor|membership#ContentDeveloper|#TeachingAssistant|institution\/person#Administrator/.test(roles);
      const dl = p[`${C}message_type`] === 'LtiDeepLinkingRequest';
      const expected = dl ? /\/deep-linking$/ : facilitator ? /\/console$/ : HUB;
      it(`${rec.file} ${rec.variant}: lands on ${String(expected)} as a ${facilitator ? 'facilitator' : 'learner'}`, async () => {
        const browser = new LtiHttpClient();
        const res = await canvas.launch(app.url, browser, replayOptions(canvas, p, lms.clientId));
        expect(res.status, res.body.slice(0, 400)).to.equal(200);
        expect(path(res.finalUrl)).to.match(expected);
        const cohortId = cohortIdOf(res.finalUrl);
        expect(await membership(cohortId, String(p.sub))).to.deep.equal({ role: facilitator ? 'facilitator' : 'learner', status: 'active' });
      });
    }
  });
});
