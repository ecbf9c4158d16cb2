// The built-in demo platform: a small LTI 1.3 platform on our own origin (<PUBLIC_URL>/demo/platform)
// that launches into Circlework exactly as Moodle or Canvas do. Its own RSA key (made once, kept
// sealed in the database), JWKS, OIDC authorization endpoint answering our login initiation with a
// signed id_token, a client-credentials token endpoint, NRPS (the demo roster) and AGS (its gradebook).
import crypto, { type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Db } from '../../models/db.ts';
import * as demo from '../../models/demo.queries.ts';
import type { Platform, Tenant } from '../../models/schema.ts';
import * as platforms from '../../models/platforms.queries.ts';
import type { Config } from '../config.ts';
import { AppError, ConflictError } from '../errors.ts';
import { registerPlatform } from '../platforms/platforms.service.ts';
import { AGS_CLAIM, LIS_ROLE, LTI_CLAIM, NRPS_CLAIM, signRs256 } from '../../lti/platform-messages.ts';
import { DEMO_CLIENT_ID, DEMO_COURSE, DEMO_DEPLOYMENT_ID, DEMO_LINK, DEMO_PEOPLE, PAST_COHORTS, emailOf, fullName, type DemoPerson } from './demo-cohort.ts';
import { msg } from '../i18n/i18n.ts';

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface DemoPlatformDeps {
  db: Db;
  config: Config;
  ltiEncryptionKey: string;
}

export const DEMO_SERVICE_SCOPES = {
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  lineitemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
} as const;
const SERVICE_SCOPES: readonly string[] = Object.values(DEMO_SERVICE_SCOPES);

/** The demo platform's addresses: all under our own origin, so it runs wherever the tool runs. */
export function demoPlatformUrls(config: Config) {
  const issuer = new URL('/demo/platform', config.publicUrl).href;
  return {
    issuer,
    auth: `${issuer}/auth`,
    token: `${issuer}/token`,
    jwks: `${issuer}/jwks`,
    launchForm: `${issuer}/launch`,
    memberships: (contextId: string) => `${issuer}/nrps/${encodeURIComponent(contextId)}/memberships`,
    lineitems: (contextId: string) => `${issuer}/ags/${encodeURIComponent(contextId)}/lineitems`,
    lineitem: (contextId: string, linkId: string) => `${issuer}/ags/${encodeURIComponent(contextId)}/lineitems/${encodeURIComponent(linkId)}`,
    toolLogin: new URL('/lti/login', config.publicUrl).href,
    toolLaunch: new URL('/lti/launch', config.publicUrl).href,
    toolKeys: new URL('/lti/keys', config.publicUrl).href,
  };
}

// ---- the platform's key ---------------------------------------------------------------------------
interface SigningKey { kid: string; privateKey: KeyObject; publicKey: KeyObject; jwk: Record<string, unknown> }
const keys = new Map<string, Promise<SigningKey>>();

/** AES-256-GCM under a key derived from LTI_ENCRYPTION_KEY: the stored private key is not readable alone. */
function sealKey(secret: string, pem: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  const data = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
}

function unsealKey(secret: string, sealed: string): string {
  const [iv, tag, data] = sealed.split('.').map((s) => Buffer.from(s, 'base64url'));
  const decipher = crypto.createDecipheriv('aes-256-gcm', sealingKey(secret), iv!);
  decipher.setAuthTag(tag!);
  return Buffer.concat([decipher.update(data!), decipher.final()]).toString('utf8');
}

const sealingKey = (secret: string) => crypto.createHash('sha256').update(`circlework demo platform key\0${secret}`).digest();

/** The platform's signing key: read from the database, or made and stored the first time (once per issuer). */
export function demoSigningKey(deps: DemoPlatformDeps): Promise<SigningKey> {
  const { issuer } = demoPlatformUrls(deps.config);
  let key = keys.get(issuer);
  if (!key) {
    key = loadOrCreateKey(deps, issuer);
    keys.set(issuer, key);
    key.catch(() => keys.delete(issuer));
  }
  return key;
}

async function loadOrCreateKey(deps: DemoPlatformDeps, issuer: string): Promise<SigningKey> {
  let row = await demo.findDemoPlatformKey(deps.db, issuer);
  if (!row) {
    const { privateKey, publicKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
    const kid = `demo-${crypto.randomBytes(8).toString('hex')}`;
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
    await demo.insertDemoPlatformKey(deps.db, {
      issuer,
      kid,
      privateKey: sealKey(deps.ltiEncryptionKey, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
      publicJwk: JSON.stringify(jwk),
    });
    row = await demo.findDemoPlatformKey(deps.db, issuer);
    if (!row) throw new Error('demo platform key was not stored');
  }
  const privateKey = crypto.createPrivateKey(unsealKey(deps.ltiEncryptionKey, row.privateKey));
  return { kid: row.kid, privateKey, publicKey: crypto.createPublicKey(privateKey), jwk: JSON.parse(row.publicJwk) as Record<string, unknown> };
}

export async function demoJwks(deps: DemoPlatformDeps): Promise<{ keys: Array<Record<string, unknown>> }> {
  return { keys: [(await demoSigningKey(deps)).jwk] };
}

// ---- registration: the demo platform as a platform of ours ---------------------------------------

/**
 * The demo platform registered with the tool (active, marked demo, deployment "demo", strict policy)
 * and its tenant: made the first time, through the same registration as an admin's.
 */
export async function ensureDemoPlatform(deps: DemoPlatformDeps): Promise<{ platform: Platform; tenant: Tenant }> {
  const urls = demoPlatformUrls(deps.config);
  let platform = await demo.findPlatformOfIssuer(deps.db, urls.issuer, DEMO_CLIENT_ID);
  if (!platform) {
    try {
      platform = await registerPlatform(deps, {
        issuer: urls.issuer,
        clientId: DEMO_CLIENT_ID,
        name: 'Circlework demo platform',
        product: 'other',
        authEndpoint: urls.auth,
        tokenEndpoint: urls.token,
        jwksUri: urls.jwks,
        deploymentIds: [DEMO_DEPLOYMENT_ID],
        deploymentPolicy: 'strict',
      }, { status: 'active', registeredVia: 'manual' });
      await demo.markPlatformDemo(deps.db, platform.id);
      platform = { ...platform, demo: true };
    } catch (err) {
      // Another request registered it a moment ago.
      if (!(err instanceof ConflictError)) throw err;
      platform = await demo.findPlatformOfIssuer(deps.db, urls.issuer, DEMO_CLIENT_ID);
    }
  }
  if (!platform?.demo) {
    throw new AppError(409, 'demo-issuer-taken', 'A platform that is not the demo is registered at the demo platform’s address. The demo cannot run here.');
  }
  const tenant = await platforms.findTenantByDeployment(deps.db, platform.id, DEMO_DEPLOYMENT_ID);
  if (!tenant) throw new AppError(409, 'demo-tenant-missing', msg('demo.tenantMissing'));
  return { platform, tenant };
}

// ---- launches ------------------------------------------------------------------------------------

export function demoPerson(sub: string): DemoPerson | undefined {
  return DEMO_PEOPLE.find((p) => p.sub === sub);
}

/** Where a launch lands: the hub (or console), or one module (the link's custom `module`). */
export interface DemoLaunchRequest { sub: string; moduleId?: number | undefined }

/**
 * The login initiation the demo platform's course page posts to the tool (a third-party initiated
 * login, as Moodle sends it). The message hint is signed by the platform: its auth endpoint trusts
 * only hints it made, and each names the user it was made for.
 */
export async function loginInitiation(deps: DemoPlatformDeps, req: DemoLaunchRequest): Promise<{ action: string; fields: Record<string, string> }> {
  const urls = demoPlatformUrls(deps.config);
  const key = await demoSigningKey(deps);
  const hint = await new SignJWT({ moduleId: req.moduleId ?? null, purpose: 'demo-launch' })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(urls.issuer).setSubject(req.sub).setIssuedAt().setExpirationTime('5m')
    .sign(key.privateKey);
  return {
    action: urls.toolLogin,
    fields: { iss: urls.issuer, login_hint: req.sub, target_link_uri: urls.toolLaunch, lti_message_hint: hint, client_id: DEMO_CLIENT_ID, lti_deployment_id: DEMO_DEPLOYMENT_ID },
  };
}

const bad = (why: string) => new AppError(400, 'demo-auth', msg('demo.authRefused', { why }));

/**
 * The OIDC authorization endpoint: checks the tool's authentication request as a platform must
 * (client, redirect URI, response type and mode, the hint it issued for this very user) and answers
 * with the signed id_token to post back to the tool, with the tool's state.
 */
export async function answerAuthRequest(deps: DemoPlatformDeps, p: Record<string, string | undefined>): Promise<{ action: string; fields: Record<string, string> }> {
  const urls = demoPlatformUrls(deps.config);
  if (p.client_id !== DEMO_CLIENT_ID) throw bad('unknown client');
  if (p.redirect_uri !== urls.toolLaunch) throw bad('unregistered redirect URI');
  if (p.response_type !== 'id_token' || !(p.scope ?? '').split(' ').includes('openid')) throw bad('response type and scope');
  if (p.response_mode !== 'form_post') throw bad('response mode');
  if (!p.nonce || !p.state) throw bad('nonce and state');
  const key = await demoSigningKey(deps);
  let hint: JWTPayload;
  try {
    hint = (await jwtVerify(p.lti_message_hint ?? '', key.publicKey, { issuer: urls.issuer, algorithms: ['RS256'] })).payload;
  } catch {
    throw bad('the launch expired: open it again from the demo page');
  }
  if (hint.purpose !== 'demo-launch' || hint.sub !== p.login_hint) throw bad('login hint');
  const person = demoPerson(String(hint.sub));
  if (!person) throw bad('unknown user');
  const moduleId = typeof hint.moduleId === 'number' ? hint.moduleId : undefined;
  const claims = launchClaims(urls, person, { nonce: p.nonce, moduleId, publicUrl: deps.config.publicUrl });
  const idToken = await signRs256({ alg: 'RS256', typ: 'JWT', kid: key.kid }, claims, key.privateKey);
  return { action: urls.toolLaunch, fields: { id_token: idToken, state: p.state } };
}

/** A resource link launch's claims, as an LMS builds them: identity, roles, context, link, services. */
export function launchClaims(urls: ReturnType<typeof demoPlatformUrls>, person: DemoPerson, opts: { nonce: string; moduleId?: number | undefined; publicUrl: URL; course?: { id: string; title: string; label: string } }): Record<string, unknown> {
  // The seed's past cohorts are other courses of the demo platform (never launched from the demo page).
  const course = opts.course ?? DEMO_COURSE;
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: urls.issuer, aud: DEMO_CLIENT_ID, azp: DEMO_CLIENT_ID, sub: person.sub, iat: now, exp: now + 300, nonce: opts.nonce,
    name: fullName(person), given_name: person.givenName, family_name: person.familyName, email: emailOf(person),
    [`${LTI_CLAIM}message_type`]: 'LtiResourceLinkRequest',
    [`${LTI_CLAIM}version`]: '1.3.0',
    [`${LTI_CLAIM}deployment_id`]: DEMO_DEPLOYMENT_ID,
    [`${LTI_CLAIM}target_link_uri`]: urls.toolLaunch,
    [`${LTI_CLAIM}roles`]: [`${LIS_ROLE}membership#${person.role === 'facilitator' ? 'Instructor' : 'Learner'}`],
    [`${LTI_CLAIM}context`]: { ...course, type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
    [`${LTI_CLAIM}resource_link`]: { ...DEMO_LINK },
    [`${LTI_CLAIM}tool_platform`]: { guid: urls.issuer, name: 'Circlework demo platform', product_family_code: 'circlework-demo', version: '1' },
    [`${LTI_CLAIM}launch_presentation`]: { document_target: 'iframe', locale: 'en', return_url: new URL('/demo', opts.publicUrl).href },
    [`${LTI_CLAIM}custom`]: opts.moduleId ? { module: String(opts.moduleId) } : {},
    [NRPS_CLAIM]: { context_memberships_url: urls.memberships(course.id), service_versions: ['2.0'] },
    [AGS_CLAIM]: {
      scope: [DEMO_SERVICE_SCOPES.lineitemReadonly, DEMO_SERVICE_SCOPES.resultReadonly, DEMO_SERVICE_SCOPES.score],
      lineitems: urls.lineitems(course.id),
      lineitem: urls.lineitem(course.id, DEMO_LINK.id),
    },
  };
}

// ---- services: token, NRPS, AGS -----------------------------------------------------------------

const toolKeySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * The client-credentials grant: the tool proves itself with a JWT signed by its key for this
 * registration (checked against the tool's published JWKS); the access token is signed by ours.
 */
export async function issueAccessToken(deps: DemoPlatformDeps, form: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const urls = demoPlatformUrls(deps.config);
  if (form.grant_type !== 'client_credentials' || form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
    throw new AppError(400, 'demo-token', 'unsupported_grant_type');
  }
  let toolKeys = toolKeySets.get(urls.toolKeys);
  if (!toolKeys) {
    toolKeys = createRemoteJWKSet(new URL(urls.toolKeys));
    toolKeySets.set(urls.toolKeys, toolKeys);
  }
  try {
    const { payload } = await jwtVerify(form.client_assertion ?? '', toolKeys, { issuer: DEMO_CLIENT_ID, subject: DEMO_CLIENT_ID, audience: urls.token, algorithms: ['RS256'] });
    if (!payload.jti) throw new Error('no jti');
  } catch {
    throw new AppError(401, 'demo-token', 'invalid_client');
  }
  const scopes = (form.scope ?? '').split(' ').filter((s) => SERVICE_SCOPES.includes(s));
  if (scopes.length === 0) throw new AppError(400, 'demo-token', 'invalid_scope');
  const key = await demoSigningKey(deps);
  const token = await new SignJWT({ scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(urls.issuer).setAudience(urls.issuer).setSubject(DEMO_CLIENT_ID).setIssuedAt().setExpirationTime('1h')
    .sign(key.privateKey);
  return { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: scopes.join(' ') };
}

/** The bearer token of a service request, if ours, unexpired and granting `scope`. */
export async function checkAccessToken(deps: DemoPlatformDeps, authorization: string | undefined, scope: string): Promise<void> {
  const urls = demoPlatformUrls(deps.config);
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  try {
    const { payload } = await jwtVerify(m?.[1] ?? '', (await demoSigningKey(deps)).publicKey, { issuer: urls.issuer, audience: urls.issuer, algorithms: ['RS256'] });
    if (String(payload.scope ?? '').split(' ').includes(scope)) return;
  } catch {
    // fall through
  }
  throw new AppError(401, 'demo-service-token', 'invalid_token');
}

/** The demo platform's courses: the demo course and the past cohorts' courses, each with its people. */
function courseOf(contextId: string): { course: { id: string; label: string; title: string }; people: readonly DemoPerson[] } | undefined {
  if (contextId === DEMO_COURSE.id) return { course: DEMO_COURSE, people: DEMO_PEOPLE };
  const past = PAST_COHORTS.find((c) => c.course.id === contextId);
  return past && { course: past.course, people: [DEMO_PEOPLE[0]!, ...past.learners] };
}

/** NRPS: a demo course's members, as an LMS lists them. */
export function membershipContainer(config: Config, contextId: string): Record<string, unknown> {
  const known = courseOf(contextId);
  if (!known) throw new AppError(404, 'demo-context', 'unknown context');
  return {
    id: demoPlatformUrls(config).memberships(contextId),
    context: { id: known.course.id, label: known.course.label, title: known.course.title },
    members: known.people.map((p) => ({
      status: 'Active', user_id: p.sub, name: fullName(p), given_name: p.givenName, family_name: p.familyName, email: emailOf(p),
      roles: [`${LIS_ROLE}membership#${p.role === 'facilitator' ? 'Instructor' : 'Learner'}`],
    })),
  };
}

/** AGS: the demo link's one line item (the whole workshop, out of 100). */
export function lineItem(config: Config, contextId: string, linkId: string): Record<string, unknown> {
  if (!courseOf(contextId) || linkId !== DEMO_LINK.id) throw new AppError(404, 'demo-lineitem', 'unknown line item');
  return { id: demoPlatformUrls(config).lineitem(contextId, linkId), label: DEMO_LINK.title, scoreMaximum: 100, resourceLinkId: DEMO_LINK.id };
}

/** AGS: a score for the line item, kept in the demo gradebook (the newest per user wins, as in an LMS). */
export async function recordScore(deps: DemoPlatformDeps, contextId: string, linkId: string, body: unknown): Promise<void> {
  lineItem(deps.config, contextId, linkId);
  const s = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const userSub = typeof s.userId === 'string' ? s.userId : '';
  const timestamp = typeof s.timestamp === 'string' ? new Date(s.timestamp) : new Date(NaN);
  if (!demoPerson(userSub) || Number.isNaN(timestamp.getTime()) || typeof s.activityProgress !== 'string' || typeof s.gradingProgress !== 'string') {
    throw new AppError(400, 'demo-score', 'invalid score');
  }
  await demo.upsertDemoScore(deps.db, {
    issuer: demoPlatformUrls(deps.config).issuer,
    lineItem: linkId,
    userSub,
    scoreGiven: num(s.scoreGiven),
    scoreMaximum: num(s.scoreMaximum),
    activityProgress: s.activityProgress.slice(0, 50),
    gradingProgress: s.gradingProgress.slice(0, 50),
    comment: typeof s.comment === 'string' ? s.comment.slice(0, 1000) : null,
    scoredAt: timestamp,
  });
}

