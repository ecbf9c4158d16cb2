import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose';
import { generate as selfSigned } from 'selfsigned';
import { LtiHttpClient, LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
const LINEITEM_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem';
const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const learner: SimUser = { sub: 'u-learner', name: 'Lea Learner', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] };

type Server = http.Server | https.Server;
async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
async function stop(server: Server | undefined): Promise<void> {
  if (!server) return;
  const done = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await done;
}
function cookieOf(req: express.Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** A tiny LTI tool: login → /auth redirect, id_token check (JWKS, nonce, state cookie), session page, JWKS, dynamic registration. */
interface FakeTool {
  url: string; kid: string; privateKey: CryptoKey; server: Server;
  clientId?: string;
  /** Options the tests flip. */
  cfg: { cookieAttrs: string; redirectUri?: string; fixedLogin?: { state: string; nonce: string }; registrationPatch?: Record<string, unknown> };
  lastClaims?: JWTPayload; lastLoginParams?: Record<string, string>; lastLaunchForm?: Record<string, string>; lastRegistration?: { status: number; body: Record<string, unknown>; token: string };
}
async function startFakeTool(getSim: () => LtiPlatformSimulator, opts: { host?: string; tls?: { key: string; cert: string } } = {}): Promise<FakeTool> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = 'tool-kid-1';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const logins = new Map<string, string>();
  const client = new LtiHttpClient();
  const app = express();
  const tool: FakeTool = { url: '', kid, privateKey, server: opts.tls ? https.createServer(opts.tls, app) : http.createServer(app), cfg: { cookieAttrs: '' } };
  app.use(express.urlencoded({ extended: false }));
  app.get('/lti/keys', (_req, res) => { res.json({ keys: [jwk] }); });
  app.all('/lti/login', (req, res) => {
    const p = (req.method === 'GET' ? req.query : req.body) as Record<string, string>;
    tool.lastLoginParams = p;
    if (p.iss !== getSim().issuer || !p.client_id) { res.status(400).send('unknown platform'); return; }
    const state = tool.cfg.fixedLogin?.state ?? randomBytes(16).toString('hex');
    const nonce = tool.cfg.fixedLogin?.nonce ?? randomBytes(16).toString('hex');
    logins.set(state, nonce);
    res.setHeader('Set-Cookie', `lti_state=${state}; Path=/; HttpOnly${tool.cfg.cookieAttrs}`);
    const q = new URLSearchParams({
      scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: p.client_id,
      redirect_uri: tool.cfg.redirectUri ?? `${tool.url}/lti/launch`, login_hint: p.login_hint ?? '', lti_message_hint: p.lti_message_hint ?? '', state, nonce,
    });
    res.redirect(302, `${getSim().authEndpoint}?${q}`);
  });
  app.post('/lti/launch', async (req, res) => {
    tool.lastLaunchForm = { ...(req.body as Record<string, string>) };
    const { id_token: idToken, state } = req.body as Record<string, string>;
    const nonce = state !== undefined ? logins.get(state) : undefined;
    if (!state || cookieOf(req, 'lti_state') !== state || nonce === undefined) { res.status(401).send('bad state'); return; }
    logins.delete(state);
    try {
      const jwks = JSON.parse((await client.request(getSim().jwksUri)).body) as JSONWebKeySet;
      const { payload } = await jwtVerify(idToken ?? '', createLocalJWKSet(jwks), { issuer: getSim().issuer, audience: tool.clientId ?? '', algorithms: ['RS256'] });
      if (payload.nonce !== nonce) throw new Error('nonce mismatch');
      tool.lastClaims = payload;
      res.setHeader('Set-Cookie', `sess=${payload.sub ?? ''}; Path=/; HttpOnly${tool.cfg.cookieAttrs}`);
      res.redirect(302, '/app');
    } catch (err) {
      res.status(401).send(`bad id_token: ${(err as Error).message}`);
    }
  });
  app.get('/app', (req, res) => {
    const sub = cookieOf(req, 'sess');
    if (sub) res.send(`hello ${sub}`); else res.status(401).send('no session');
  });
  app.get('/lti/register', async (req, res) => {
    const token = String(req.query.registration_token);
    const conf = JSON.parse((await client.request(String(req.query.openid_configuration))).body) as Record<string, string>;
    const body = {
      application_type: 'web', response_types: ['id_token'], grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: `${tool.url}/lti/login`, redirect_uris: [`${tool.url}/lti/launch`], client_name: 'Fake tool',
      jwks_uri: `${tool.url}/lti/keys`, token_endpoint_auth_method: 'private_key_jwt', scope: `${SCORE_SCOPE} ${NRPS_SCOPE}`,
      'https://purl.imsglobal.org/spec/lti-tool-configuration': { domain: new URL(tool.url).host, target_link_uri: `${tool.url}/lti/launch` },
      ...tool.cfg.registrationPatch,
    };
    const r = await client.request(conf.registration_endpoint ?? '', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
    // Moodle's registration errors are plain text (surprise 17).
    const parsed = (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(r.body) as Record<string, unknown> : { text: r.body };
    tool.lastRegistration = { status: r.status, body: parsed, token };
    if (r.status === 200) tool.clientId = String(parsed.client_id);
    res.status(r.status === 200 ? 200 : 502).send('<script>(window.opener || window.parent).postMessage({subject:"org.imsglobal.lti.close"}, "*");</script>');
  });
  const port = await listen(tool.server);
  tool.url = `${opts.tls ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}`;
  return tool;
}

async function clientAssertion(tool: FakeTool, aud: string, opts: { key?: CryptoKey; kid?: string; jti?: string } = {}): Promise<string> {
  return new SignJWT({ jti: opts.jti ?? randomBytes(8).toString('hex') })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? tool.kid })
    .setIssuer(tool.clientId ?? '').setSubject(tool.clientId ?? '').setAudience(aud)
    .setIssuedAt().setExpirationTime('60s').sign(opts.key ?? tool.privateKey);
}
async function getToken(sim: LtiPlatformSimulator, tool: FakeTool, scope: string, assertion?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await new LtiHttpClient().request(sim.tokenEndpoint, {
    form: {
      grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion ?? await clientAssertion(tool, sim.tokenEndpoint), scope,
    },
  });
  return { status: r.status, json: JSON.parse(r.body) as Record<string, unknown> };
}

describe('LtiPlatformSimulator (moodle-like)', () => {
  let sim: LtiPlatformSimulator;
  let tool: FakeTool;
  before(async () => {
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    tool = await startFakeTool(() => sim);
    tool.clientId = sim.addTool({ toolUrl: tool.url }).clientId;
  });
  after(async () => { await sim?.close(); await stop(tool?.server); });
  afterEach(() => { tool.cfg = { cookieAttrs: '' }; });

  it('publishes an openid configuration like Moodle', async () => {
    const conf = JSON.parse((await new LtiHttpClient().request(sim.openidConfigurationUrl)).body) as Record<string, unknown>;
    expect(sim.issuer).to.equal(sim.baseUrl);
    expect(conf).to.include({ issuer: sim.issuer, authorization_endpoint: sim.authEndpoint, token_endpoint: sim.tokenEndpoint, jwks_uri: sim.jwksUri, authorization_server: sim.tokenEndpoint });
    expect(conf.token_endpoint_auth_methods_supported).to.deep.equal(['private_key_jwt']);
    expect(conf['https://purl.imsglobal.org/spec/lti-platform-configuration']).to.deep.include({ product_family_code: 'moodle', version: '4.5' });
  });

  it('serves its kid in the JWKS, counts fetches, and keeps old kids after rotateKey', async () => {
    const before = sim.jwksFetchCount;
    const jwks1 = JSON.parse((await new LtiHttpClient().request(sim.jwksUri)).body) as JSONWebKeySet;
    expect(jwks1.keys).to.have.length(1);
    expect(jwks1.keys[0]).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    const oldToken = await sim.signIdToken({ sub: 'x' });
    await sim.rotateKey();
    const newToken = await sim.signIdToken({ sub: 'y' });
    const jwks2 = JSON.parse((await new LtiHttpClient().request(sim.jwksUri)).body) as JSONWebKeySet;
    expect(jwks2.keys.map((k) => k.kid)).to.deep.equal([jwks1.keys[0]!.kid, JSON.parse(Buffer.from(newToken.split('.')[0]!, 'base64url').toString()).kid]);
    expect(sim.jwksFetchCount).to.equal(before + 2);
    const set = createLocalJWKSet(jwks2);
    expect((await jwtVerify(oldToken, set)).payload.sub).to.equal('x');
    expect((await jwtVerify(newToken, set)).payload.sub).to.equal('y');
  });

  it('signs id_tokens that verify with jose against its JWKS, with the standard claims', async () => {
    const claims = sim.buildClaims({ user: { ...learner, email: 'lea@example.test' }, nonce: 'n-1', clientId: tool.clientId!, deploymentId: '1', toolUrl: tool.url });
    const token = await sim.signIdToken(claims);
    const jwks = JSON.parse((await new LtiHttpClient().request(sim.jwksUri)).body) as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: sim.issuer, audience: tool.clientId!, algorithms: ['RS256'] });
    expect(protectedHeader.kid).to.be.a('string');
    expect(payload).to.include({ azp: tool.clientId, nonce: 'n-1', sub: 'u-learner', email: 'lea@example.test', [`${LTI}version`]: '1.3.0', [`${LTI}deployment_id`]: '1' });
    expect(payload.exp! - payload.iat!).to.equal(60);
    expect(payload).to.not.have.property('given_name');
    expect(payload[`${LTI}context`]).to.deep.include({ id: 'course-1', title: 'Course 1', label: 'C1' });
    expect(payload[`${LTI}tool_platform`]).to.include({ product_family_code: 'moodle' });
    expect(payload['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint']).to.deep.include({ lineitems: `${sim.baseUrl}/ags/course-1/lineitems` });
    expect(payload['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice']).to.deep.equal({ context_memberships_url: `${sim.baseUrl}/nrps/course-1/memberships`, service_versions: ['1.0', '2.0'] });
    const dl = sim.buildClaims({ user: learner, nonce: 'n', clientId: 'c', deploymentId: '1', toolUrl: tool.url, messageType: 'LtiDeepLinkingRequest' });
    expect(dl).to.not.have.property(`${LTI}resource_link`);
    // Recorded (Moodle 4.5.6 surprise 3): no accept_lineitem, no data; one type, many items.
    const settings = dl['https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings'] as Record<string, unknown>;
    expect(settings.deep_link_return_url).to.match(new RegExp(`^${sim.baseUrl}/deep-link-return\\?course=course-1&id=3&sesskey=`));
    expect(settings).to.include({ accept_multiple: true }).and.to.not.have.any.keys('accept_lineitem', 'data');
    expect(settings.accept_types).to.deep.equal(['ltiResourceLink']);
  });

  it('runs a full launch (GET and POST login) through the cookie-keeping client', async () => {
    for (const loginMethod of ['GET', 'POST'] as const) {
      const r = await sim.launch(tool.url, new LtiHttpClient(), { user: learner, loginMethod, custom: { week: '3' } });
      expect(r.status, r.body).to.equal(200);
      expect(r.body).to.equal('hello u-learner');
      expect(r.finalUrl).to.equal(`${tool.url}/app`);
      expect(tool.lastLoginParams).to.include({ iss: sim.issuer, login_hint: 'u-learner', client_id: tool.clientId, lti_deployment_id: '1', target_link_uri: `${tool.url}/lti/launch` });
      expect(tool.lastClaims?.[`${LTI}custom`]).to.include({ week: '3', link_setting_url: `${sim.baseUrl}/mod/lti/services.php/links/{link_id}/custom` });
    }
  });

  it('/auth rejects an unknown client_id and a redirect_uri not registered for the client', async () => {
    // Moodle answers both with its 404 "Invalid request" page.
    const unknown = await sim.launch(tool.url, new LtiHttpClient(), { user: learner, clientId: 'not-registered' });
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.contain('unknown client_id');
    tool.cfg.redirectUri = 'http://127.0.0.1:9/evil';
    const evil = await sim.launch(tool.url, new LtiHttpClient(), { user: learner });
    expect(evil.status).to.equal(404);
    expect(evil.body).to.contain('is not registered');
    expect(evil.finalUrl.startsWith(sim.authEndpoint)).to.equal(true);
  });

  it('/auth takes each lti_message_hint once, as Moodle does (a replayed auth request is a 404), but not a nonce', async () => {
    tool.cfg.fixedLogin = { state: 'fixed-state', nonce: 'fixed-nonce' };
    expect((await sim.launch(tool.url, new LtiHttpClient(), { user: learner })).status).to.equal(200);
    const replay = await new LtiHttpClient().request(`${sim.authEndpoint}?${new URLSearchParams(sim.authRequests.at(-1))}`);
    expect(replay.status).to.equal(404);
    expect(replay.body).to.contain('Invalid request');
    // A new launch with the same state and nonce: Moodle does not remember nonces.
    expect((await sim.launch(tool.url, new LtiHttpClient(), { user: learner })).status).to.equal(200);
  });

  it('tamperClaims, tamperHeader, signWith and rawIdToken reach the tool', async () => {
    const other = (await generateKeyPair('RS256')).privateKey;
    const cases = [
      { tamperClaims: (c: Record<string, unknown>) => { delete c.nonce; return c; } },
      { tamperHeader: (h: Record<string, unknown>) => ({ ...h, kid: 'no-such-kid' }) },
      { signWith: other },
      { rawIdToken: 'not.a.jwt' },
    ];
    for (const c of cases) {
      const r = await sim.launch(tool.url, new LtiHttpClient(), { user: learner, ...c });
      expect(r.status, Object.keys(c)[0]).to.equal(401);
      expect(r.body).to.contain('bad id_token');
    }
  });

  it('beginLaunch + postIdToken allow a replay test', async () => {
    const browser = new LtiHttpClient();
    const begun = await sim.beginLaunch(tool.url, browser, { user: learner });
    expect(begun.redirectUri).to.equal(`${tool.url}/lti/launch`);
    expect(JSON.parse(Buffer.from(begun.idToken.split('.')[1]!, 'base64url').toString()).nonce).to.equal(begun.nonce);
    const first = await sim.postIdToken(browser, begun.redirectUri, begun.idToken, begun.state);
    expect(first.status).to.equal(200);
    const replay = await sim.postIdToken(browser, begun.redirectUri, begun.idToken, begun.state);
    expect(replay.status).to.equal(401);
  });

  it('token endpoint accepts a client assertion signed with the key at the tool JWKS, rejects others', async () => {
    const ok = await getToken(sim, tool, `${SCORE_SCOPE} https://example.test/not-a-scope`);
    expect(ok.status, JSON.stringify(ok.json)).to.equal(200);
    expect(ok.json).to.include({ token_type: 'Bearer', scope: SCORE_SCOPE });
    const wrongKey = (await generateKeyPair('RS256')).privateKey;
    const bad = [
      await clientAssertion(tool, sim.tokenEndpoint, { key: wrongKey }),
      await clientAssertion(tool, sim.tokenEndpoint, { kid: 'unknown-kid' }),
      await clientAssertion(tool, 'https://elsewhere.test/token'),
    ];
    // Moodle (recorded): every error is a 400 with a free-text `error`; aud and jti are not checked.
    const answers = [];
    for (const a of bad) answers.push(await getToken(sim, tool, SCORE_SCOPE, a));
    expect(answers.map((r) => [r.status, r.json.error])).to.deep.equal([
      [400, 'Signature verification failed'], [400, 'Signature verification failed'], [200, undefined],
    ]);
    const once = await clientAssertion(tool, sim.tokenEndpoint, { jti: 'same-jti' });
    expect((await getToken(sim, tool, SCORE_SCOPE, once)).status).to.equal(200);
    expect((await getToken(sim, tool, SCORE_SCOPE, once)).status).to.equal(200);
    expect(sim.services.tokenRequests.slice(-6).map((t) => t.error ?? 'ok')).to.deep.equal([
      'ok', 'Signature verification failed: signature verification failed', 'Signature verification failed: kid unknown-kid is not in the tool JWKS',
      'ok', 'ok', 'ok',
    ]);
  });

  it('AGS: line items and scores with a token; strict media types, scopes and timestamps', async () => {
    const { json } = await getToken(sim, tool, `${LINEITEM_SCOPE} ${SCORE_SCOPE}`);
    const auth = { authorization: `Bearer ${String(json.access_token)}` };
    const c = new LtiHttpClient();
    const lineitems = `${sim.baseUrl}/ags/course-1/lineitems`;
    expect((await c.request(lineitems, { method: 'POST', headers: { 'content-type': 'application/vnd.ims.lis.v2.lineitem+json' }, body: '{}' })).status).to.equal(401);
    const created = await c.request(lineitems, { method: 'POST', headers: { ...auth, 'content-type': 'application/vnd.ims.lis.v2.lineitem+json' }, body: JSON.stringify({ label: 'Module 1', scoreMaximum: 1, resourceId: 'm1' }) });
    expect(created.status, created.body).to.equal(201);
    const item = JSON.parse(created.body) as { id: string };
    expect(sim.lineItems.map((li) => li.id)).to.deep.equal([item.id]);
    const score = (timestamp: string, type = 'application/vnd.ims.lis.v1.score+json') => c.request(`${item.id}/scores`, {
      method: 'POST', headers: { ...auth, 'content-type': type },
      body: JSON.stringify({ userId: 'u-learner', scoreGiven: 1, scoreMaximum: 1, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp }),
    });
    expect((await score('2030-01-01T00:00:02.000Z')).status).to.equal(200);
    expect((await score('2030-01-01T00:00:01.000Z')).status).to.equal(409);
    expect((await score('2030-01-01T00:00:03.000Z', 'application/json')).status).to.equal(400);
    expect(sim.scores).to.have.length(1);
    expect(sim.scores[0]).to.deep.include({ lineItemUrl: item.id });
    const list = await c.request(lineitems, { headers: auth });
    expect(list.headers.get('content-type')).to.contain('application/vnd.ims.lis.v2.lineitemcontainer+json');
    const readOnly = await getToken(sim, tool, NRPS_SCOPE);
    expect((await c.request(lineitems, { headers: { authorization: `Bearer ${String(readOnly.json.access_token)}` } })).status).to.equal(401);
  });

  it('failNextServiceCalls makes the next n AGS/NRPS calls fail, then serves again', async () => {
    const { json } = await getToken(sim, tool, NRPS_SCOPE);
    const auth = { authorization: `Bearer ${String(json.access_token)}` };
    const c = new LtiHttpClient();
    const url = `${sim.baseUrl}/nrps/course-1/memberships`;
    sim.failNextServiceCalls(2, 403);
    for (let i = 0; i < 2; i++) {
      const r = await c.request(url, { headers: auth });
      expect(r.status).to.equal(403);
      expect(r.body).to.equal('403 Forbidden (Rate Limit Exceeded)');
    }
    sim.failNextServiceCalls(1, 429, { headers: { 'Retry-After': '2' } });
    const throttled = await c.request(url, { headers: auth });
    expect([throttled.status, throttled.headers.get('retry-after')]).to.deep.equal([429, '2']);
    expect((await c.request(url, { headers: auth })).status).to.equal(200);
  });

  it('NRPS answers v2 membership containers with paging', async () => {
    sim.setMembers('course-1', [
      { user_id: 'u-learner', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], name: 'Lea' },
      { user_id: 'u-teacher', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'], status: 'Inactive' },
    ]);
    const { json } = await getToken(sim, tool, NRPS_SCOPE);
    const c = new LtiHttpClient();
    const r = await c.request(`${sim.baseUrl}/nrps/course-1/memberships?limit=1`, { headers: { authorization: `Bearer ${String(json.access_token)}`, accept: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' } });
    expect(r.headers.get('content-type')).to.contain('application/vnd.ims.lti-nrps.v2.membershipcontainer+json');
    const body = JSON.parse(r.body) as { context: { id: string }; members: Array<Record<string, unknown>> };
    expect(body.context.id).to.equal('course-1');
    expect(body.members).to.deep.equal([{ status: 'Active', user_id: 'u-learner', roles: ['Learner'], name: 'Lea' }]);
    expect(r.headers.get('link')).to.match(/from=1.*rel="next"/);
  });

  it('deep linking: a DL launch carries the settings; the response JWT is verified with the tool JWKS', async () => {
    const r = await sim.launch(tool.url, new LtiHttpClient(), { user: learner, messageType: 'LtiDeepLinkingRequest' });
    expect(r.status).to.equal(200);
    expect(tool.lastClaims?.[`${LTI}message_type`]).to.equal('LtiDeepLinkingRequest');
    const response = (key: CryptoKey) => new SignJWT({
      nonce: 'dl-nonce', [`${LTI}message_type`]: 'LtiDeepLinkingResponse', [`${LTI}version`]: '1.3.0', [`${LTI}deployment_id`]: '1',
      'https://purl.imsglobal.org/spec/lti-dl/claim/content_items': [{ type: 'ltiResourceLink', title: 'Module 1', url: `${tool.url}/lti/launch` }],
      'https://purl.imsglobal.org/spec/lti-dl/claim/data': 'opaque-data',
    }).setProtectedHeader({ alg: 'RS256', kid: tool.kid }).setIssuer(tool.clientId!).setAudience(sim.issuer).setIssuedAt().setExpirationTime('60s').sign(key);
    const c = new LtiHttpClient();
    const wrong = await c.request(`${sim.baseUrl}/deep-link-return`, { form: { JWT: await response((await generateKeyPair('RS256')).privateKey) } });
    // Moodle's rejections are 404 HTML pages.
    expect(wrong.status).to.equal(404);
    const ok = await c.request(`${sim.baseUrl}/deep-link-return`, { form: { JWT: await response(tool.privateKey) } });
    expect(ok.status, ok.body).to.equal(200);
    expect(sim.deepLinkResponses).to.have.length(1);
    expect(sim.deepLinkResponses[0]).to.include({ iss: tool.clientId, nonce: 'dl-nonce' });
  });

  it('answers as the Moodle recordings: token JSON as text/html, auth errors posted back, NRPS 400 for Accept application/json and 401 {status,reason,request}', async () => {
    const tokenRes = await new LtiHttpClient().request(sim.tokenEndpoint, { form: { grant_type: 'authorization_code' } });
    expect([tokenRes.status, tokenRes.headers.get('content-type'), JSON.parse(tokenRes.body)]).to.deep.equal([400, 'text/html; charset=utf-8', { error: 'unsupported_grant_type' }]);
    const { json } = await getToken(sim, tool, NRPS_SCOPE);
    const url = `${sim.baseUrl}/nrps/course-1/memberships`;
    const auth = { authorization: `Bearer ${String(json.access_token)}` };
    sim.setMembers('course-1', [{ user_id: 'a', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'] }, { user_id: 'b', roles: ['Learner'], suspended: true }]);
    const c = new LtiHttpClient();
    const plain = await c.request(`${url}?rlid=rl-1`, { headers: auth });
    expect(plain.headers.get('link')).to.equal(null);
    expect(JSON.parse(plain.body).members).to.deep.equal([{ status: 'Active', user_id: 'a', roles: ['Instructor'], message: [{ [`${LTI}message_type`]: 'LtiResourceLinkRequest' }] }]);
    const asJson = await c.request(url, { headers: { ...auth, accept: 'application/json' } });
    expect(asJson.status).to.equal(400);
    expect(JSON.parse(asJson.body)).to.include({ status: 400 }).and.to.have.property('reason').that.contains('No handler found');
    const noToken = await c.request(url, { headers: { accept: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' } });
    expect([noToken.status, JSON.parse(noToken.body)]).to.deep.equal([401, {
      status: 401, reason: 'Unauthorized', request: { method: 'GET', url: '/nrps/course-1/memberships', accept: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json', contentType: '' },
    }]);
    // The login_hint differs from the user: posted back to the tool as error=access_denied, state kept.
    tool.cfg.fixedLogin = { state: 'st-1', nonce: 'n-1' };
    const refused = await sim.launch(tool.url, new LtiHttpClient(), { user: learner, loginParams: { login_hint: 'someone-else' } });
    expect(tool.lastLaunchForm).to.deep.equal({ error: 'access_denied', state: 'st-1' });
    expect(refused.status).to.be.at.least(400);
  });

  it('dynamic registration: one-time bearer token, deployment_id returned, then launches work', async () => {
    const dyn = await startFakeTool(() => sim);
    try {
      const res = await sim.startDynamicRegistration(dyn.url);
      expect(res.status, JSON.stringify(dyn.lastRegistration)).to.equal(200);
      const reg = sim.registrations.at(-1)!;
      expect(reg.clientId).to.equal(dyn.clientId);
      expect(reg.request).to.include({ client_name: 'Fake tool' });
      expect(dyn.lastRegistration?.body['https://purl.imsglobal.org/spec/lti-tool-configuration']).to.include({ deployment_id: reg.deploymentId });
      const replay = await new LtiHttpClient().request(sim.baseUrl + '/register', { method: 'POST', body: JSON.stringify(reg.request), headers: { 'content-type': 'application/json', authorization: `Bearer ${dyn.lastRegistration!.token}` } });
      expect(replay.status).to.equal(401);
      expect(replay.body).to.equal('token_already_used');
      sim.activateTool(reg.clientId);
      const launched = await sim.launch(dyn.url, new LtiHttpClient(), { user: learner });
      expect(launched.status, launched.body).to.equal(200);
      expect(dyn.lastClaims?.[`${LTI}deployment_id`]).to.equal(reg.deploymentId);
      // the registration asked for score + NRPS only
      expect((await getToken(sim, dyn, LINEITEM_SCOPE)).status).to.equal(400);
      dyn.cfg.registrationPatch = { jwks_uri: undefined };
      expect((await sim.startDynamicRegistration(dyn.url)).status).to.equal(502);
      expect(dyn.lastRegistration?.body.text).to.equal('missing required attribute jwks_uri');
    } finally {
      await stop(dyn.server);
    }
  });
});

describe('LtiPlatformSimulator (canvas-like)', () => {
  let sim: LtiPlatformSimulator;
  let tool: FakeTool;
  before(async () => {
    sim = await LtiPlatformSimulator.start({ kind: 'canvas' });
    tool = await startFakeTool(() => sim);
  });
  after(async () => { await sim?.close(); await stop(tool?.server); });

  it('registers dynamically without deployment_id; numeric client ids; launch tells the deployment', async () => {
    expect(sim.issuer).to.equal('https://canvas.instructure.com');
    const res = await sim.startDynamicRegistration(tool.url);
    expect(res.status).to.equal(200);
    expect(tool.clientId).to.match(/^\d{14}$/);
    expect(tool.lastRegistration?.body['https://purl.imsglobal.org/spec/lti-tool-configuration']).to.not.have.property('deployment_id');
    const r = await sim.launch(tool.url, new LtiHttpClient(), { user: learner });
    expect(r.status, r.body).to.equal(200);
    expect(tool.lastLoginParams).to.include({ lti_storage_target: 'post_message_forwarding' });
    expect(String(tool.lastClaims?.[`${LTI}deployment_id`])).to.match(/^\d+:[0-9a-f]{40}$/);
    expect(tool.lastClaims?.[`${LTI}tool_platform`]).to.include({ product_family_code: 'canvas' });
    const second = sim.addTool({ toolUrl: 'http://127.0.0.1:9' });
    expect(second.clientId).to.not.equal(tool.clientId);
  });

  it('answers as Canvas: auth/JWKS/token on the sso origin, ISO kids, exact token aud, invalid_scope, NRPS Link paging, {errors} bodies', async () => {
    for (const u of [sim.authEndpoint, sim.jwksUri, sim.tokenEndpoint]) expect(new URL(u).origin).to.equal(sim.ssoBaseUrl).and.not.equal(sim.baseUrl);
    const jwks = JSON.parse((await new LtiHttpClient().request(sim.jwksUri)).body) as JSONWebKeySet;
    expect(jwks.keys[0]!.kid).to.match(/^2018-06-18T22:\d\d:\d\dZ$/);
    // Another Canvas in the same process names its key differently: the app caches keys per JWKS URL
    // for the process, and that Canvas may get this one's port once it is closed.
    const other = await LtiPlatformSimulator.start({ kind: 'canvas' });
    try {
      const otherJwks = JSON.parse((await new LtiHttpClient().request(other.jwksUri)).body) as JSONWebKeySet;
      expect(otherJwks.keys[0]!.kid).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/).and.not.equal(jwks.keys[0]!.kid);
    } finally {
      await other.close();
    }
    const slash = await getToken(sim, tool, NRPS_SCOPE, await clientAssertion(tool, `${sim.tokenEndpoint}/`));
    expect([slash.status, slash.json]).to.deep.equal([400, { error: 'invalid_request', error_description: "the 'aud' is invalid" }]);
    const unknownScope = await getToken(sim, tool, `${NRPS_SCOPE} https://example.test/not-a-scope`, await clientAssertion(tool, sim.tokenEndpoint));
    expect([unknownScope.status, unknownScope.json.error]).to.deep.equal([400, 'invalid_scope']);
    const { json } = await getToken(sim, tool, NRPS_SCOPE, await clientAssertion(tool, sim.tokenEndpoint));
    sim.setMembers('course-1', Array.from({ length: 12 }, (_, i) => ({ user_id: `u-${i}`, roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], ...(i === 0 ? { status: 'Inactive' as const } : {}) })));
    const c = new LtiHttpClient();
    const url = `${sim.baseUrl}/nrps/course-1/memberships`;
    const page1 = await c.request(url, { headers: { authorization: `Bearer ${String(json.access_token)}` } });
    const body = JSON.parse(page1.body) as { members: Array<{ status: string }> };
    expect(body.members).to.have.length(10);
    expect(body.members.every((m) => m.status === 'Active')).to.equal(true);
    expect(page1.headers.get('link')).to.equal([
      `<${url}?page=1&per_page=10>; rel="current"`, `<${url}?page=2&per_page=10>; rel="next"`, `<${url}?page=1&per_page=10>; rel="first"`, `<${url}?page=2&per_page=10>; rel="last"`,
    ].join(','));
    const page2 = await c.request(`${url}?page=2&per_page=10`, { headers: { authorization: `Bearer ${String(json.access_token)}` } });
    expect(JSON.parse(page2.body).members).to.have.length(1);
    const missing = await c.request(url);
    expect([missing.status, JSON.parse(missing.body)]).to.deep.equal([401, { errors: { type: 'unauthorized', message: 'Missing access token' } }]);
    const r = await sim.launch(tool.url, new LtiHttpClient(), { user: learner, loginMethod: 'GET' });
    expect(r.status, r.body).to.equal(200);
    expect(tool.lastLoginParams).to.include({ deployment_id: tool.lastLoginParams?.lti_deployment_id, canvas_environment: 'prod', canvas_region: 'not_configured' });
    expect(tool.lastLoginParams?.login_hint).to.match(/^[0-9a-f]{40}$/);
    expect(tool.lastClaims).to.include({ [`${LTI}lti11_legacy_user_id`]: tool.lastLoginParams?.login_hint });
    expect(tool.lastClaims!.exp! - tool.lastClaims!.iat!).to.equal(3600);
  });

  it('accepts client assertions whose aud is the Canvas OAuth2 URL', async () => {
    const conf = JSON.parse((await new LtiHttpClient().request(sim.openidConfigurationUrl)).body) as Record<string, string>;
    expect(conf.authorization_server).to.equal('https://canvas.instructure.com/login/oauth2/token');
    const r = await getToken(sim, tool, SCORE_SCOPE, await clientAssertion(tool, conf.authorization_server!));
    expect(r.status, JSON.stringify(r.json)).to.equal(200);
  });
});

describe('LtiHttpClient', () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    const app = express();
    app.get('/set', (_req, res) => {
      res.append('Set-Cookie', 'plain=1; Path=/');
      res.append('Set-Cookie', 'none=2; Path=/; SameSite=None; Secure; Partitioned');
      res.append('Set-Cookie', 'strict=3; Path=/; SameSite=Strict; HttpOnly');
      res.append('Set-Cookie', 'insecure=4; Path=/; SameSite=None');
      res.send('ok');
    });
    app.get('/hop', (_req, res) => { res.append('Set-Cookie', 'hop=5; Path=/'); res.redirect(302, '/echo'); });
    app.all('/echo', (req, res) => { res.send(req.headers.cookie ?? ''); });
    app.get('/set-lax', (_req, res) => { res.append('Set-Cookie', 'lax=6; Path=/; SameSite=Lax'); res.send('ok'); });
    server = http.createServer(app);
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  after(async () => { await stop(server); });

  it('keeps cookies across requests and redirects, refusing SameSite=None without Secure', async () => {
    const c = new LtiHttpClient();
    await c.request(`${base}/set`);
    expect((await c.request(`${base}/echo`)).body).to.equal('plain=1; none=2; strict=3');
    const followed = await c.follow(`${base}/hop`);
    expect(followed.url).to.equal(`${base}/echo`);
    expect(followed.body).to.equal('plain=1; none=2; strict=3; hop=5');
    expect(c.rejectedCookies.map((r) => r.setCookie)).to.deep.equal(['insecure=4; Path=/; SameSite=None']);
    const listed = await c.cookies(base);
    expect(listed.find((k) => k.key === 'none')).to.include({ sameSite: 'none', secure: true, partitioned: true });
    expect(listed.find((k) => k.key === 'plain')).to.include({ sameSite: 'unspecified', httpOnly: false });
    expect(listed.find((k) => k.key === 'strict')).to.include({ sameSite: 'strict', httpOnly: true });
  });

  it('applies SameSite in cross-site contexts (localhost vs 127.0.0.1 are two sites)', async () => {
    const c = new LtiHttpClient();
    await c.request(`${base}/set`);
    const otherSite = base.replace('127.0.0.1', 'localhost');
    expect((await c.request(`${base}/echo`, { initiator: otherSite })).body, 'top-level cross-site GET').to.equal('plain=1; none=2');
    expect((await c.request(`${base}/echo`, { initiator: otherSite, form: { a: 'b' } })).body, 'cross-site POST').to.equal('none=2');
    expect((await c.request(`${base}/echo`, { initiator: otherSite, frameTop: otherSite })).body, 'in a cross-site iframe').to.equal('none=2');
    expect((await c.request(`${base}/echo`, { initiator: base.replace(/:\d+$/, ':1') })).body, 'another port is the same site').to.equal('plain=1; none=2; strict=3');
    await c.request(`${base}/set-lax`, { initiator: otherSite, frameTop: otherSite });
    expect(c.rejectedCookies.at(-1)?.setCookie).to.contain('lax=6');
  });

  it('speaks https with a self-signed certificate on 127.0.0.1', async () => {
    const pems = await selfSigned([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048 });
    const app = express();
    app.get('/', (req, res) => { res.append('Set-Cookie', 's=1; Path=/; Secure; SameSite=None'); res.send(req.headers.cookie ?? 'none'); });
    const tls = https.createServer({ key: pems.private, cert: pems.cert }, app);
    try {
      const url = `https://127.0.0.1:${await listen(tls)}/`;
      const c = new LtiHttpClient();
      expect((await c.request(url)).body).to.equal('none');
      expect((await c.request(url)).body).to.equal('s=1');
    } finally {
      await stop(tls);
    }
  });
});

describe('LtiPlatformSimulator cross-site launch (tool on https://localhost, platform on http://127.0.0.1)', () => {
  let sim: LtiPlatformSimulator;
  let tool: FakeTool;
  before(async () => {
    sim = await LtiPlatformSimulator.start({ kind: 'moodle' });
    const pems = await selfSigned([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
    tool = await startFakeTool(() => sim, { host: 'localhost', tls: { key: pems.private, cert: pems.cert } });
    tool.clientId = sim.addTool({ toolUrl: tool.url }).clientId;
  });
  after(async () => { await sim?.close(); await stop(tool?.server); });

  it('loses a state cookie without SameSite (lax by default) in the iframe', async () => {
    tool.cfg.cookieAttrs = '';
    const r = await sim.launch(tool.url, new LtiHttpClient(), { user: learner });
    expect(r.status).to.equal(401);
    expect(r.body).to.equal('bad state');
  });

  it('succeeds with SameSite=None; Secure; Partitioned cookies', async () => {
    tool.cfg.cookieAttrs = '; SameSite=None; Secure; Partitioned';
    const r = await sim.launch(tool.url, new LtiHttpClient(), { user: learner });
    expect(r.status, r.body).to.equal(200);
    expect(r.body).to.equal('hello u-learner');
  });
});
