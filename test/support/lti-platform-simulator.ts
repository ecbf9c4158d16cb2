/**
 * LtiPlatformSimulator: a Moodle-like or Canvas-like LMS for integration tests. Real RS256
 * signatures, real HTTP on 127.0.0.1 (random port). Services (token, AGS, NRPS, deep-link return)
 * live in lti-platform-services.ts, the browser in lti-http-client.ts.
 *
 * Each mode behaves by default as the recordings in ../shared/lms-recordings show (Moodle 4.5.6
 * recorded; Canvas from its source and public captures): login parameters and hints, claim shapes,
 * token and service answers and their errors. Canvas serves auth, JWKS and token from a second
 * origin (`ssoBaseUrl`), as sso.canvaslms.com does.
 */
import { createHash, createHmac, generateKeyPair, KeyObject, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import express, { type Request, type Response } from 'express';
import { parse as parseHtml } from 'node-html-parser';
import { LtiHttpClient, type ClientRequestInit, type ClientResponse } from './lti-http-client.ts';
import { PlatformServices, SERVICE_SCOPES, type SimMember, type ToolRecord } from './lti-platform-services.ts';
import { autoPostForm, signRs256 } from '../../lti/platform-messages.ts';
import { platformJwksCache } from '../../lti/platform-jwks-cache.ts';

export { LtiHttpClient } from './lti-http-client.ts';
export type { ToolRecord } from './lti-platform-services.ts';

export type PlatformKind = 'moodle' | 'canvas';
export interface SimUser {
  sub: string; name?: string; given_name?: string; family_name?: string; email?: string; roles: string[];
  /** Moodle's `ext.user_username` (default: the sub). */
  username?: string;
}
export interface LaunchOptions {
  user: SimUser;
  clientId?: string;
  deploymentId?: string;
  context?: { id: string; title?: string; label?: string } | null;
  resourceLink?: { id: string; title?: string } | null;
  messageType?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  custom?: Record<string, string>;
  targetLinkUri?: string;
  /** 'iframe' (default): the tool runs in an iframe of the platform page (third-party cookie context). */
  documentTarget?: 'iframe' | 'window';
  /** launch_presentation.return_url (default: the simulated course page); null leaves it out, as some platforms do. */
  returnUrl?: string | null;
  /** Extra or changed OIDC login initiation parameters (e.g. Canvas's documented canvas_environment=production). */
  loginParams?: Record<string, string>;
  /** Canvas: `https://www.instructure.com/placement` (null for assignment launches, as recorded). */
  placement?: string | null;
  /** `launch_presentation.locale` (Moodle: 'en'; Canvas locale codes like 'en-GB', 'zh-Hant', 'en-AU-x-unimelb'). */
  locale?: string;
  tamperClaims?: (claims: Record<string, unknown>) => Record<string, unknown>;
  tamperHeader?: (header: Record<string, unknown>) => Record<string, unknown>;
  signWith?: CryptoKey | KeyObject;
  rawIdToken?: string;
}
export interface LaunchResult { status: number; location: string | null; body: string; finalUrl: string }

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

/**
 * The roles each kind of user has in the recordings: in the launch, and in NRPS (null: not listed).
 * Moodle: a non-editing teacher is an Instructor at launch but a Learner in NRPS; an unenrolled site
 * admin has three roles and is not listed. Canvas adds institution and system roles from the whole
 * account at launch (a student who teaches elsewhere is an institution Instructor); NRPS holds
 * membership roles only.
 */
export const RECORDED_ROLES = {
  moodle: {
    student: { launch: [`${LIS}membership#Learner`], nrps: ['Learner'] },
    teacher: { launch: [`${LIS}membership#Instructor`], nrps: ['Instructor'] },
    nonEditingTeacher: { launch: [`${LIS}membership#Instructor`], nrps: ['Learner'] },
    admin: { launch: [`${LIS}institution/person#Administrator`, `${LIS}membership#Instructor`, `${LIS}system/person#Administrator`], nrps: null },
  },
  canvas: {
    student: { launch: [`${LIS}institution/person#Student`, `${LIS}membership#Learner`, `${LIS}system/person#User`], nrps: [`${LIS}membership#Learner`] },
    studentWhoTeachesElsewhere: {
      launch: [`${LIS}institution/person#Instructor`, `${LIS}institution/person#Student`, `${LIS}membership#Learner`, `${LIS}system/person#User`],
      nrps: [`${LIS}membership#Learner`],
    },
    testStudent: { launch: [`${LIS}membership#Learner`, 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser'], nrps: [`${LIS}membership#Learner`] },
    teacher: { launch: [`${LIS}institution/person#Instructor`, `${LIS}membership#Instructor`, `${LIS}system/person#User`], nrps: [`${LIS}membership#Instructor`] },
    ta: {
      launch: [`${LIS}institution/person#Instructor`, `${LIS}institution/person#Student`, `${LIS}membership#Instructor`, `${LIS}membership/Instructor#TeachingAssistant`, `${LIS}system/person#User`],
      nrps: [`${LIS}membership/Instructor#TeachingAssistant`],
    },
    designer: { launch: [`${LIS}institution/person#Instructor`, `${LIS}membership#ContentDeveloper`, `${LIS}system/person#User`], nrps: [`${LIS}membership#ContentDeveloper`] },
    admin: { launch: [`${LIS}institution/person#Administrator`, `${LIS}system/person#SysAdmin`, `${LIS}system/person#User`], nrps: null },
  },
} as const satisfies Record<PlatformKind, Record<string, { launch: readonly string[]; nrps: readonly string[] | null }>>;
const DL_SETTINGS = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';
const TOOL_CONF = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const generateRsa = promisify(generateKeyPair);
let canvasKeyCount = 0;
const trimSlash = (u: string): string => u.replace(/\/+$/, '');
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const first = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);
const autoPost = (action: string, fields: Record<string, string>): string => autoPostForm(action, fields);
const toResult = (r: ClientResponse): LaunchResult => ({ status: r.status, location: r.headers.get('location'), body: r.body, finalUrl: r.url });
const redirectOf = (r: ClientResponse): string | null => {
  const loc = r.headers.get('location');
  return REDIRECTS.has(r.status) && loc !== null ? new URL(loc, r.url).href : null;
};

interface SigningKey { kid: string; privateKey: KeyObject; jwk: Record<string, unknown> }

let simulatorCount = 0;

async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

interface PendingLaunch { opts: LaunchOptions; clientId: string; deploymentId: string; toolUrl: string; hint: string }
type BrowsingContext = Pick<ClientRequestInit, 'initiator' | 'frameTop'>;

export class LtiPlatformSimulator {
  readonly kind: PlatformKind;
  readonly name: string;
  readonly baseUrl: string;
  /** Canvas: the second origin (like sso.canvaslms.com) serving auth, JWKS and token; Moodle: the baseUrl. */
  readonly ssoBaseUrl: string;
  readonly issuer: string;
  readonly authEndpoint: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  readonly openidConfigurationUrl: string;
  readonly registrationEndpoint: string;
  /** The `aud` tools put in client assertions (moodle: the token endpoint; canvas: its OAuth2 URL under the issuer). */
  readonly authorizationServer: string;
  jwksFetchCount = 0;
  /** Faults of the LMS's endpoints (test/integration/faults-recovery.test.ts): the JWKS never answers; the token endpoint answers 503. */
  readonly outage = { jwksHangs: false, tokenDown: false };
  readonly registrations: Array<{ clientId: string; deploymentId?: string; request: Record<string, unknown> }> = [];
  /** Every request the tools made to /auth (its parameters), accepted or not. */
  readonly authRequests: Array<Record<string, string>> = [];
  readonly services: PlatformServices;
  private readonly keys: SigningKey[] = [];
  /** Which simulator of this process it is (its Canvas kids differ from every other's). */
  private readonly serial = ++simulatorCount;
  private readonly tools = new Map<string, ToolRecord>();
  private readonly pending = new Map<string, PendingLaunch>();
  private readonly usedStates = new Set<string>();
  private readonly usedNonces = new Set<string>();
  private readonly registrationTokens = new Map<string, { toolUrl: string; used: boolean }>();
  /** Moodle: dynamically registered tools wait for the admin's Activate (surprise 17). */
  private readonly pendingTools = new Set<string>();
  private readonly contexts = new Map<string, { id: string; title?: string; label?: string }>();
  private readonly coursePages = new Map<string, string>();
  private readonly hintSecret = randomBytes(32);
  private toolCounter = 0;
  private launchCounter = 0;

  /** `port`: where its course pages, auth and JWKS listen (default: a free port), as a later platform may take a closed one's. */
  static async start(opts: { kind: PlatformKind; name?: string; issuer?: string; port?: number }): Promise<LtiPlatformSimulator> {
    let port = opts.port ?? 0;
    const listen = async (server: http.Server): Promise<string> => {
      await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
      port = 0;
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    const server = http.createServer();
    const baseUrl = await listen(server);
    // Canvas serves auth, JWKS and token from another host than the issuer and the course pages.
    const sso = opts.kind === 'canvas' ? http.createServer() : undefined;
    const sim = new LtiPlatformSimulator(opts, server, baseUrl, sso, sso ? await listen(sso) : baseUrl);
    await sim.rotateKey();
    return sim;
  }

  private readonly server: http.Server;
  private readonly ssoServer: http.Server | undefined;
  private constructor(
    opts: { kind: PlatformKind; name?: string; issuer?: string }, server: http.Server, baseUrl: string,
    ssoServer: http.Server | undefined, ssoBaseUrl: string,
  ) {
    this.server = server;
    this.ssoServer = ssoServer;
    this.kind = opts.kind;
    this.name = opts.name ?? (opts.kind === 'moodle' ? 'Moodle (simulated)' : 'Canvas LMS (simulated)');
    this.baseUrl = baseUrl;
    this.ssoBaseUrl = ssoBaseUrl;
    this.issuer = opts.issuer ?? (opts.kind === 'moodle' ? baseUrl : 'https://canvas.instructure.com');
    const canvas = opts.kind === 'canvas';
    this.authEndpoint = canvas ? `${ssoBaseUrl}/api/lti/authorize_redirect` : `${baseUrl}/auth`;
    this.tokenEndpoint = canvas ? `${ssoBaseUrl}/login/oauth2/token` : `${baseUrl}/token`;
    this.jwksUri = canvas ? `${ssoBaseUrl}/api/lti/security/jwks` : `${baseUrl}/jwks`;
    this.openidConfigurationUrl = `${baseUrl}/.well-known/openid-configuration`;
    this.registrationEndpoint = `${baseUrl}/register`;
    this.authorizationServer = opts.kind === 'moodle' ? this.tokenEndpoint : `${trimSlash(this.issuer)}/login/oauth2/token`;
    this.services = new PlatformServices({
      kind: opts.kind, baseUrl, issuer: this.issuer, tokenEndpoint: this.tokenEndpoint, authorizationServer: this.authorizationServer,
      findTool: (id) => this.tools.get(id), contextInfo: (id) => this.contexts.get(id) ?? { id },
    });
    const app = express();
    app.disable('x-powered-by');
    app.get('/.well-known/openid-configuration', (_req, res) => { res.json(this.openidConfiguration()); });
    app.get(['/jwks', '/api/lti/security/jwks'], (_req, res) => { this.jwksFetchCount++; if (this.outage.jwksHangs) return; res.json({ keys: this.keys.map((k) => k.jwk) }); });
    app.get(['/auth', '/api/lti/authorize_redirect'], (req, res) => this.auth(req.query, res));
    app.post(['/auth', '/api/lti/authorize_redirect'], express.urlencoded({ extended: false }), (req, res) => this.auth(req.body, res));
    app.post('/register', express.json(), (req, res) => { this.register(req, res); });
    app.get('/registration-dialog/:token', (req, res) => { this.registrationDialog(req.params.token, res); });
    app.get('/course-page/:hint', (req, res) => { this.coursePage(req.params.hint, res); });
    app.get('/launch-form/:page', (req, res) => { this.launchForm(req.params.page, res); });
    app.get('/post_message_forwarding', (req, res) => { this.postMessageForwarding(String(req.query.tool ?? ''), res); });
    app.get('/return', (req, res) => { res.type('html').send(`<!doctype html><title>Back in the course</title><p>${esc(String(req.query.course ?? ''))}</p>`); });
    app.post(['/token', '/login/oauth2/token'], (_req, res, next) => { if (this.outage.tokenDown) res.status(503).type('text/plain').send('Service Unavailable'); else next(); });
    app.use(this.services.router());
    server.on('request', app);
    ssoServer?.on('request', app);
  }

  // ---- keys -----------------------------------------------------------------------------------
  async rotateKey(): Promise<void> {
    // Canvas names its keys by ISO-8601 timestamps ("2018-06-18T22:33:20Z"). Each simulator's are its
    // own second apart: the app caches keys per JWKS URL for the whole process, and a later simulator
    // may get an earlier one's port (a shared kid would then name a key it does not hold).
    const kid = this.kind === 'canvas'
      ? new Date(Date.UTC(2018, 5, 18, 22, 33, 20) + this.keys.length * 86_400_000 + this.serial * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
      : `${this.kind}-${randomBytes(8).toString('hex')}`;
    this.keys.push(await newSigningKey(kid));
  }

  /** A new key under the current kid, as a platform that replaces its key without renaming it. */
  async replaceKeyKeepingKid(): Promise<void> {
    this.keys.push(await newSigningKey(this.keys.pop()!.kid));
  }

  private get currentKey(): SigningKey {
    const key = this.keys.at(-1);
    if (!key) throw new Error('LtiPlatformSimulator: no signing key');
    return key;
  }

  /** RS256 (PKCS#1 v1.5 SHA-256) over whatever header is given: tests may put a lying alg/kid in it.
   *  `signWith`: an RSA KeyObject, or a CryptoKey made for RSASSA-PKCS1-v1_5 (jose's generateKeyPair('RS256')). */
  async signIdToken(claims: Record<string, unknown>, header?: Record<string, unknown>, signWith?: CryptoKey | KeyObject): Promise<string> {
    return signRs256(header ?? { alg: 'RS256', typ: 'JWT', kid: this.currentKey.kid }, claims, signWith ?? this.currentKey.privateKey);
  }

  // ---- tools ----------------------------------------------------------------------------------
  get toolRecords(): readonly ToolRecord[] { return [...this.tools.values()]; }

  addTool(tool: { toolUrl: string; clientId?: string; deploymentId?: string; redirectUris?: string[]; jwksUri?: string; scopes?: string[] }): { clientId: string; deploymentId: string } {
    const toolUrl = trimSlash(tool.toolUrl);
    return this.createTool(toolUrl, tool.redirectUris ?? [`${toolUrl}/lti/launch`], tool.jwksUri ?? `${toolUrl}/lti/keys`, tool.scopes ?? [...SERVICE_SCOPES], tool.clientId, tool.deploymentId);
  }

  private createTool(toolUrl: string, redirectUris: string[], jwksUri: string, scopes: string[], clientId?: string, deploymentId?: string): ToolRecord {
    const n = ++this.toolCounter;
    // Canvas client ids are global developer-key ids: unique across simulated schools too.
    const id = clientId ?? (this.kind === 'canvas' ? String(10000000000000 + ++canvasKeyCount) : randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 15));
    if (this.tools.has(id)) throw new Error(`LtiPlatformSimulator: client id ${id} already registered`);
    const dep = deploymentId ?? (this.kind === 'canvas' ? `${n}:${createHash('sha1').update(`${this.baseUrl}/${id}`).digest('hex')}` : String(n));
    const record: ToolRecord = { clientId: id, deploymentId: dep, toolUrl, redirectUris, jwksUri, scopes, deploymentIds: new Set([dep]) };
    this.tools.set(id, record);
    return record;
  }

  /** Moodle offers no launch of a pending tool: a test that tries has forgotten activateTool. */
  private assertActive(tool: ToolRecord | undefined): void {
    if (tool && this.pendingTools.has(tool.clientId)) throw new Error(`LtiPlatformSimulator: tool ${tool.clientId} is pending in Moodle; call activateTool first`);
  }

  private resolveTool(toolUrl: string, clientId?: string): ToolRecord | undefined {
    if (clientId !== undefined) return this.tools.get(clientId);
    const all = [...this.tools.values()];
    const tool = all.find((t) => t.toolUrl === toolUrl) ?? all[0];
    if (!tool) throw new Error('LtiPlatformSimulator: no tool registered (addTool or startDynamicRegistration first)');
    return tool;
  }

  // ---- dynamic registration -------------------------------------------------------------------
  private openidConfiguration(): Record<string, unknown> {
    const moodle = this.kind === 'moodle';
    return {
      issuer: this.issuer,
      authorization_endpoint: this.authEndpoint,
      token_endpoint: this.tokenEndpoint,
      jwks_uri: this.jwksUri,
      registration_endpoint: this.registrationEndpoint,
      authorization_server: this.authorizationServer,
      scopes_supported: ['openid', ...SERVICE_SCOPES],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public', 'pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: ['sub', 'iss', 'name', 'given_name', 'family_name', 'email'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      'https://purl.imsglobal.org/spec/lti-platform-configuration': {
        product_family_code: this.kind,
        version: moodle ? '4.5' : 'cloud',
        messages_supported: moodle
          ? [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest' }]
          : [{ type: 'LtiResourceLinkRequest', placements: ['course_navigation'] }, { type: 'LtiDeepLinkingRequest', placements: ['assignment_selection', 'link_selection'] }],
        variables: [],
      },
    };
  }

  async startDynamicRegistration(toolUrl: string, client: LtiHttpClient = new LtiHttpClient()): Promise<{ status: number; body: string }> {
    const q = new URLSearchParams({ openid_configuration: this.openidConfigurationUrl, registration_token: this.issueRegistrationToken(toolUrl) });
    const res = await client.request(`${trimSlash(toolUrl)}/lti/register?${q}`, { initiator: this.baseUrl, frameTop: this.baseUrl });
    return { status: res.status, body: res.body };
  }

  /**
   * The admin's page with the registration dialog, for a real browser: it frames the tool's
   * registration URL as Moodle's "Add LTI Advantage" modal and Canvas's "LTI Registration" do, and
   * closes the dialog on the tool's org.imsglobal.lti.close message (#dialog-status says "closed").
   */
  registrationDialogUrl(toolUrl: string): string {
    return `${this.baseUrl}/registration-dialog/${this.issueRegistrationToken(toolUrl)}`;
  }

  /** Moodle shows a dynamically registered tool as Pending until the admin presses Activate. */
  activateTool(clientId: string): void {
    if (!this.tools.has(clientId)) throw new Error(`LtiPlatformSimulator: no tool ${clientId}`);
    this.pendingTools.delete(clientId);
  }

  isToolPending(clientId: string): boolean { return this.pendingTools.has(clientId); }

  private issueRegistrationToken(toolUrl: string): string {
    const token = randomBytes(24).toString('base64url');
    this.registrationTokens.set(token, { toolUrl: trimSlash(toolUrl), used: false });
    return token;
  }

  private registrationDialog(token: string, res: Response): void {
    const grant = this.registrationTokens.get(token);
    if (!grant) { res.status(404).type('text').send('unknown registration'); return; }
    const q = new URLSearchParams({ openid_configuration: this.openidConfigurationUrl, registration_token: token });
    res.type('html').send(`<!doctype html><html lang="en"><head><title>${esc(this.name)}: register a tool</title></head><body>
<h1>Register a tool</h1>
<p id="dialog-status">open</p>
<div id="dialog"><iframe id="registration" title="Tool registration" src="${esc(`${grant.toolUrl}/lti/register?${q}`)}" style="width:100%;height:500px"></iframe></div>
<script>
window.addEventListener('message', (e) => {
  if (e.data && e.data.subject === 'org.imsglobal.lti.close') {
    document.getElementById('dialog').remove();
    document.getElementById('dialog-status').textContent = 'closed';
  }
});
</script>
</body></html>`);
  }

  /** Plain-text errors as text/html (Moodle, surprise 17) or Canvas's {errorMessage} JSON. */
  private registrationError(res: Response, status: number, moodleText: string, canvasMessage: string): void {
    if (this.kind === 'moodle') res.status(status).type('text/html; charset=utf-8').send(moodleText);
    else res.status(status).json({ errorMessage: canvasMessage });
  }

  private register(req: Request, res: Response): void {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) { this.registrationError(res, 401, 'missing_registration_token', 'JWT did not include expected contents'); return; }
    const grant = this.registrationTokens.get(m[1]!);
    if (!grant || grant.used) {
      this.registrationError(res, 401, grant ? 'token_already_used' : 'Signature verification failed', 'JWT did not include expected contents');
      return;
    }
    grant.used = true;
    const b: unknown = req.body;
    const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
    const bad = (why: string): void => { this.registrationError(res, 400, why, why); };
    if (typeof b !== 'object' || b === null || Array.isArray(b)) return bad('missing required attribute response_types');
    const r = b as Record<string, unknown>;
    const conf = r[TOOL_CONF] as Record<string, unknown> | undefined;
    // Moodle's registration_to_config: required attributes first, in its order, then its codes.
    for (const key of ['response_types', 'initiate_login_uri', 'redirect_uris', 'client_name', 'jwks_uri', 'token_endpoint_auth_method', TOOL_CONF]) {
      if (r[key] === undefined || r[key] === '' || (Array.isArray(r[key]) && r[key].length === 0)) return bad(`missing required attribute ${key}`);
    }
    if (typeof conf !== 'object' || conf === null || typeof conf.domain !== 'string' || conf.domain === '') return bad('missing_domain');
    if (typeof conf.target_link_uri !== 'string') return bad('domain_targetlinkuri_mismatch');
    if (!isStrArr(r.response_types) || !r.response_types.includes('id_token')) return bad('invalid_response_types');
    if (!isStrArr(r.redirect_uris)) return bad('invalid_redirect_uris');
    if (r.token_endpoint_auth_method !== 'private_key_jwt') return bad('invalid_token_endpoint_auth_method');
    if (r.application_type !== undefined && r.application_type !== 'web') return bad('invalid_application_type');
    if (!isStrArr(r.grant_types) || !r.grant_types.includes('implicit') || !r.grant_types.includes('client_credentials')) return bad('grant_types must include implicit and client_credentials');
    if (typeof r.initiate_login_uri !== 'string' || typeof r.client_name !== 'string' || typeof r.jwks_uri !== 'string') return bad('invalid_client_metadata');
    const domain = conf.domain.toLowerCase();
    for (const u of [r.initiate_login_uri, conf.target_link_uri, ...r.redirect_uris]) {
      let url: URL;
      try { url = new URL(u); } catch { return bad('domain_targetlinkuri_mismatch'); }
      const inDomain = [url.host, url.hostname].some((h) => h === domain || h.endsWith(`.${domain}`));
      if (!inDomain) return bad('domain_targetlinkuri_mismatch');
    }
    const asked = typeof r.scope === 'string' ? r.scope.split(/\s+/) : [];
    const requested = typeof r.scope === 'string' ? asked.filter((s) => SERVICE_SCOPES.includes(s)) : [...SERVICE_SCOPES];
    const tool = this.createTool(grant.toolUrl, r.redirect_uris, r.jwks_uri, requested);
    this.registrations.push({ clientId: tool.clientId, deploymentId: tool.deploymentId, request: r });
    if (this.kind === 'moodle') {
      // Moodle answers 200 (not 201) with its config_to_registration() view of the new tool, which is
      // pending; deployment_id is the tool type id (surprise 17).
      this.pendingTools.add(tool.clientId);
      const claims = Array.isArray(conf.claims) ? conf.claims : [];
      const deepLinking = Array.isArray(conf.messages) ? (conf.messages as Array<Record<string, unknown>>).find((x) => x.type === 'LtiDeepLinkingRequest') : undefined;
      res.status(200).json({
        client_id: tool.clientId, response_types: ['id_token'], jwks_uri: r.jwks_uri, initiate_login_uri: r.initiate_login_uri,
        grant_types: ['client_credentials', 'implicit'], redirect_uris: r.redirect_uris, application_type: 'web',
        token_endpoint_auth_method: 'private_key_jwt', client_name: r.client_name, logo_uri: r.logo_uri ?? '', scope: requested.join(' '),
        [TOOL_CONF]: {
          version: '1.3.0', deployment_id: tool.deploymentId, target_link_uri: conf.target_link_uri, domain: conf.domain,
          description: conf.description ?? '',
          ...(deepLinking ? { messages: [{ type: 'LtiDeepLinkingRequest', target_link_uri: deepLinking.target_link_uri }] } : {}),
          claims: ['sub', 'iss', ...(['name', 'given_name', 'family_name'].some((c) => claims.includes(c)) ? ['name', 'family_name', 'given_name'] : []), ...(claims.includes('email') ? ['email'] : [])],
        },
      });
      return;
    }
    // Canvas echoes the registration with its client id and the registration's config URL; no
    // deployment id until the first launch.
    const { deployment_id: _ignored, ...confOut } = conf;
    res.status(200).json({
      ...r,
      client_id: tool.clientId,
      scope: requested.join(' '),
      [TOOL_CONF]: { ...confOut, 'https://canvas.instructure.com/lti/registration_config_url': `${this.baseUrl}/api/lti/registrations/${tool.clientId}/view` },
    });
  }

  // ---- launch -------------------------------------------------------------------------------------
  buildClaims(opts: LaunchOptions & { nonce: string; clientId: string; deploymentId: string; toolUrl: string }): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const toolUrl = trimSlash(opts.toolUrl);
    const messageType = opts.messageType ?? 'LtiResourceLinkRequest';
    const context = opts.context === undefined ? { id: 'course-1', title: 'Course 1', label: 'C1' } : opts.context;
    const resourceLink = opts.resourceLink === undefined ? { id: 'rl-1', title: 'Circlework' } : opts.resourceLink;
    const u = opts.user;
    const moodle = this.kind === 'moodle';
    // Moodle's id_token lives 60 s, Canvas's an hour.
    const claims: Record<string, unknown> = {
      iss: this.issuer, aud: opts.clientId, azp: opts.clientId, sub: u.sub, exp: now + (moodle ? 60 : 3600), iat: now, nonce: opts.nonce,
      ...(u.name !== undefined ? { name: u.name } : {}),
      ...(u.given_name !== undefined ? { given_name: u.given_name } : {}),
      ...(u.family_name !== undefined ? { family_name: u.family_name } : {}),
      ...(u.email !== undefined ? { email: u.email } : {}),
      [`${LTI}message_type`]: messageType,
      [`${LTI}version`]: '1.3.0',
      [`${LTI}deployment_id`]: opts.deploymentId,
      [`${LTI}target_link_uri`]: opts.targetLinkUri ?? `${toolUrl}/lti/launch`,
      [`${LTI}roles`]: u.roles,
      [`${LTI}tool_platform`]: moodle
        ? { product_family_code: 'moodle', version: '2024100706', guid: createHash('md5').update(this.baseUrl).digest('hex'), name: this.name, description: this.name }
        : { guid: `${createHash('sha1').update(this.baseUrl).digest('base64url').slice(0, 40)}:canvas-lms`, name: this.name, version: 'cloud', product_family_code: 'canvas' },
      [`${LTI}launch_presentation`]: {
        // Canvas says iframe even for new-window launches.
        document_target: moodle ? opts.documentTarget ?? 'iframe' : 'iframe', locale: opts.locale ?? 'en',
        ...(opts.returnUrl === null ? {} : { return_url: opts.returnUrl ?? `${this.baseUrl}/return?course=${encodeURIComponent(context?.id ?? '')}` }),
      },
    };
    Object.assign(claims, moodle ? this.moodleClaims(opts, context) : this.canvasClaims(opts));
    if (messageType === 'LtiResourceLinkRequest' && resourceLink) claims[`${LTI}resource_link`] = moodle ? { description: '', ...resourceLink } : { ...resourceLink };
    if (opts.custom || !moodle) claims[`${LTI}custom`] = moodle ? this.moodleCustom(opts.custom ?? {}, context?.id) : { ...opts.custom };
    else if (context) claims[`${LTI}custom`] = this.moodleCustom({}, context.id);
    if (context) {
      this.contexts.set(context.id, { ...context });
      const ctx = encodeURIComponent(context.id);
      claims[`${LTI}context`] = { ...context, type: moodle ? ['CourseSection'] : ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] };
      claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'] = this.services.agsClaim(context.id, messageType === 'LtiResourceLinkRequest' ? resourceLink?.id : undefined);
      claims['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'] = {
        context_memberships_url: `${this.baseUrl}/nrps/${ctx}/memberships`, service_versions: moodle ? ['1.0', '2.0'] : ['2.0'],
      };
    }
    if (this.kind === 'canvas') {
      // Deep linking from the module menu (link_selection), as the settings below describe.
      claims['https://www.instructure.com/placement'] = opts.placement !== undefined ? opts.placement
        : messageType === 'LtiDeepLinkingRequest' ? 'link_selection' : 'course_navigation';
    }
    if (messageType === 'LtiDeepLinkingRequest') claims[DL_SETTINGS] = this.services.deepLinkingSettings(context?.id);
    return claims;
  }

  /** What Moodle 4.5 adds to every launch (recorded): lis with empty strings, ext, the LTI 1.1 outcome claim. */
  private moodleClaims(opts: LaunchOptions & { clientId: string }, context: { id: string } | null): Record<string, unknown> {
    const claims: Record<string, unknown> = {
      [`${LTI}lis`]: { person_sourcedid: '', course_section_sourcedid: '' },
      [`${LTI}ext`]: { user_username: opts.user.username ?? opts.user.sub, lms: 'moodle-2' },
    };
    const link = opts.resourceLink === undefined ? { id: 'rl-1' } : opts.resourceLink;
    if ((opts.messageType ?? 'LtiResourceLinkRequest') === 'LtiResourceLinkRequest' && link && context) {
      const data = { instanceid: link.id, userid: opts.user.sub, typeid: this.tools.get(opts.clientId)?.deploymentId ?? '1', launchid: 100000000 + this.launchCounter };
      claims['https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome'] = {
        lis_result_sourcedid: JSON.stringify({ data, hash: createHash('sha256').update(JSON.stringify(data)).digest('hex') }),
        lis_outcome_service_url: `${this.baseUrl}/mod/lti/service.php`,
      };
    }
    return claims;
  }

  /** Moodle's custom claim: a key like Mixed-Key also as mixed_key, plus its service URLs ({link_id} literal). */
  private moodleCustom(custom: Record<string, string>, contextId: string | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(custom)) {
      const lower = k.toLowerCase().replace(/[^a-z0-9_]/g, '_');
      if (lower !== k && !(lower in custom)) out[lower] = v;
      out[k] = v;
    }
    const typeId = '3';
    if (contextId !== undefined) out.context_memberships_url = `${this.baseUrl}/nrps/${encodeURIComponent(contextId)}/memberships`;
    out.system_setting_url = `${this.baseUrl}/mod/lti/services.php/tool/${typeId}/custom`;
    if (contextId !== undefined) out.context_setting_url = `${this.baseUrl}/mod/lti/services.php/CourseSection/${encodeURIComponent(contextId)}/bindings/tool/${typeId}/custom`;
    out.link_setting_url = `${this.baseUrl}/mod/lti/services.php/links/{link_id}/custom`;
    return out;
  }

  /** Canvas's extra claims (recorded): unexpanded lis variables, the LTI 1.1 ids, the newer services. */
  private canvasClaims(opts: LaunchOptions): Record<string, unknown> {
    const legacy = this.canvasLoginHint(opts.user.sub);
    return {
      locale: opts.locale ?? 'en',
      [`${LTI}lis`]: { person_sourcedid: '$Person.sourcedId', course_offering_sourcedid: '$CourseSection.sourcedId' },
      [`${LTI}lti11_legacy_user_id`]: legacy,
      [`${LTI}lti1p1`]: { user_id: legacy },
      [`${LTI}platformnotificationservice`]: {
        service_versions: ['1.0'], platform_notification_service_url: `${this.baseUrl}/api/lti/notice-handlers/1`,
        scope: ['https://purl.imsglobal.org/spec/lti/scope/noticehandlers'], notice_types_supported: ['LtiHelloWorldNotice', 'LtiAssetProcessorSubmissionNotice', 'LtiContextCopyNotice'],
      },
      [`${LTI}eulaservice`]: { url: `${this.baseUrl}/api/lti/asset_processor_eulas/1`, scope: ['https://purl.imsglobal.org/spec/lti/scope/eula/user', 'https://purl.imsglobal.org/spec/lti/scope/eula/deployment'] },
    };
  }

  /** Canvas's login_hint: the user's 40-hex LTI 1.1 id, not the sub. */
  canvasLoginHint(sub: string): string {
    return createHash('sha1').update(`${this.baseUrl}/user/${sub}`).digest('hex');
  }

  private browsing(documentTarget: 'iframe' | 'window' | undefined): BrowsingContext {
    return documentTarget === 'window' ? { initiator: this.baseUrl } : { initiator: this.baseUrl, frameTop: this.baseUrl };
  }

  /**
   * /auth (OIDC authorization endpoint): checks the tool's request, answers an auto-submitting form.
   * Moodle (recorded): most errors are a 404 HTML page; client_id, login_hint, response_mode and prompt
   * errors are posted back to the tool; the lti_message_hint (launchid) works once; nonces are not
   * remembered; `state` is always posted back ("" when the tool sent none).
   */
  private async auth(query: unknown, res: Response): Promise<void> {
    const src = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
    const p: Record<string, string> = {};
    for (const [k, v] of Object.entries(src)) { const s = first(v); if (s !== undefined) p[k] = s; }
    this.authRequests.push(p);
    const moodle = this.kind === 'moodle';
    const fail = (why: string): void => {
      if (moodle) { res.status(404).type('html').send(`<!doctype html><title>Error</title><h1>Invalid request</h1><p>invalidrequest: ${esc(why)}</p>`); return; }
      res.status(400).type('html').send(`<!doctype html><title>Error</title><h1>Invalid login request</h1><p>${esc(why)}</p>`);
    };
    const postBack = (redirectUri: string, fields: Record<string, string>): void => { res.type('html').send(autoPost(redirectUri, { ...fields, state: p.state ?? '' })); };
    if (moodle) {
      if (p.scope !== 'openid' || p.response_type !== 'id_token' || !p.nonce) return fail('scope, response_type or nonce');
      const pending = p.lti_message_hint !== undefined ? this.pending.get(p.lti_message_hint) : undefined;
      if (!pending) return fail('unknown or used lti_message_hint');
      const launchTool = this.tools.get(pending.clientId);
      if (!launchTool) return fail(`unknown client_id ${pending.clientId}`);
      if (!p.redirect_uri || !launchTool.redirectUris.includes(p.redirect_uri)) return fail(`redirect_uri ${p.redirect_uri ?? '(none)'} is not registered for client ${launchTool.clientId}`);
      this.pending.delete(pending.hint);
      if (p.client_id !== pending.clientId) return postBack(p.redirect_uri, { error: 'unauthorized_client' });
      if (p.login_hint !== pending.opts.user.sub) return postBack(p.redirect_uri, { error: 'access_denied' });
      if (p.response_mode !== 'form_post') return postBack(p.redirect_uri, { error: 'invalid_request', error_description: 'Invalid response_mode' });
      if (p.prompt !== undefined && p.prompt !== 'none') return postBack(p.redirect_uri, { error: 'invalid_request', error_description: 'Invalid prompt' });
      return this.answerAuth(p, launchTool, pending, res);
    }
    const tool = p.client_id !== undefined ? this.tools.get(p.client_id) : undefined;
    if (!tool) return fail(`unknown client_id ${p.client_id ?? '(none)'}`);
    if (!p.redirect_uri || !tool.redirectUris.includes(p.redirect_uri)) return fail(`redirect_uri ${p.redirect_uri ?? '(none)'} is not registered for client ${tool.clientId}`);
    if (p.response_type !== 'id_token') return fail('response_type must be id_token');
    if (!(p.scope ?? '').split(' ').includes('openid')) return fail('scope must be openid');
    if (p.response_mode !== 'form_post') return fail('response_mode must be form_post');
    if (p.prompt !== 'none') return fail('prompt must be none');
    if (!p.nonce) return fail('nonce missing');
    if (!p.state) return fail('state missing');
    const pending = p.lti_message_hint !== undefined ? this.pending.get(p.lti_message_hint) : undefined;
    if (!pending) return fail('unknown lti_message_hint');
    if (pending.clientId !== tool.clientId) return fail('client_id differs from the one sent at login');
    // Canvas posts launch errors back to the tool (recorded: a replayed or expired login hint).
    if (p.login_hint !== this.loginHintFor(pending.opts.user.sub)) return postBack(p.redirect_uri, { error: 'login_required', error_description: 'The login_hint differs from the one sent at login' });
    if (this.usedStates.has(p.state) || this.usedNonces.has(p.nonce)) return fail('this login (state/nonce) was already used');
    this.usedStates.add(p.state);
    this.usedNonces.add(p.nonce);
    return this.answerAuth(p, tool, pending, res);
  }

  private async answerAuth(p: Record<string, string>, tool: ToolRecord, pending: PendingLaunch, res: Response): Promise<void> {
    tool.deploymentIds.add(pending.deploymentId);
    const o = pending.opts;
    let claims = this.buildClaims({ ...o, nonce: p.nonce!, clientId: pending.clientId, deploymentId: pending.deploymentId, toolUrl: pending.toolUrl });
    if (o.tamperClaims) claims = o.tamperClaims(structuredClone(claims));
    let header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: this.currentKey.kid };
    if (o.tamperHeader) header = o.tamperHeader({ ...header });
    const idToken = o.rawIdToken ?? await this.signIdToken(claims, header, o.signWith);
    const fields: Record<string, string> = { id_token: idToken, state: p.state ?? '' };
    if (this.kind === 'canvas') fields.lti_storage_target = 'post_message_forwarding';
    res.type('html').send(autoPost(p.redirect_uri!, fields));
  }

  /** The login_hint of a user: Moodle's user id (the sub), Canvas's 40-hex LTI 1.1 id. */
  loginHintFor(sub: string): string {
    return this.kind === 'canvas' ? this.canvasLoginHint(sub) : sub;
  }

  /**
   * A launch waiting for the tool's auth request, under its lti_message_hint: Moodle's JSON
   * ({"cmid":N,"launchid":"ltilaunch…"}), Canvas's HS256 JWT.
   */
  private addPending(toolUrl: string, opts: LaunchOptions, clientId: string, deploymentId: string): PendingLaunch {
    const n = ++this.launchCounter;
    const rand = String(1_000_000_000 + randomBytes(4).readUInt32BE() % 1_000_000_000);
    let hint: string;
    if (this.kind === 'moodle') {
      hint = opts.messageType === 'LtiDeepLinkingRequest'
        ? JSON.stringify({ launchid: `ltilaunch_ContentItemSelectionRequest${rand}` })
        : JSON.stringify({ cmid: n, launchid: `ltilaunch${n}_${rand}` });
    } else {
      const body = `${b64json({ typ: 'JWT', alg: 'HS256' })}.${b64json({
        verifier: randomBytes(64).toString('hex'), canvas_domain: new URL(this.baseUrl).host, context_type: 'Course',
        context_id: 10000000000000 + n, canvas_locale: opts.locale ?? 'en', include_storage_target: true, exp: Math.floor(Date.now() / 1000) + 300,
      })}`;
      hint = `${body}.${createHmac('sha256', this.hintSecret).update(body).digest('base64url')}`;
    }
    const pending = { opts, clientId, deploymentId, toolUrl, hint };
    this.pending.set(hint, pending);
    return pending;
  }

  /** The OIDC login initiation parameters, as each platform sends them (recorded). */
  private loginParams(pending: PendingLaunch): Record<string, string> {
    const { opts, toolUrl } = pending;
    const target = opts.targetLinkUri ?? `${toolUrl}/lti/launch`;
    if (this.kind === 'moodle') {
      return { iss: this.issuer, target_link_uri: target, login_hint: opts.user.sub, lti_message_hint: pending.hint, client_id: pending.clientId, lti_deployment_id: pending.deploymentId };
    }
    return {
      iss: this.issuer, login_hint: this.canvasLoginHint(opts.user.sub), client_id: pending.clientId, lti_deployment_id: pending.deploymentId,
      target_link_uri: target, lti_message_hint: pending.hint, canvas_environment: 'prod', canvas_region: 'not_configured',
      deployment_id: pending.deploymentId, lti_storage_target: 'post_message_forwarding',
    };
  }

  /**
   * For a real browser: the URL of an LMS course page that embeds the tool in an iframe whose source
   * is the tool's login URL (what Moodle and Canvas render). The browser then does every hop itself.
   */
  coursePageUrl(toolUrlIn: string, opts: LaunchOptions): string {
    const toolUrl = trimSlash(toolUrlIn);
    const tool = this.resolveTool(toolUrl, opts.clientId);
    this.assertActive(tool);
    const clientId = opts.clientId ?? tool!.clientId;
    const deploymentId = opts.deploymentId ?? tool?.deploymentId ?? '1';
    const page = randomBytes(16).toString('hex');
    this.coursePages.set(page, this.addPending(toolUrl, { ...opts, documentTarget: 'iframe' }, clientId, deploymentId).hint);
    return `${this.baseUrl}/course-page/${page}`;
  }

  private coursePage(page: string, res: Response): void {
    const pending = this.pending.get(this.coursePages.get(page) ?? '');
    if (!pending) { res.status(404).type('text').send('unknown course page'); return; }
    const canvas = this.kind === 'canvas';
    const toolOrigin = new URL(pending.toolUrl).origin;
    res.type('html').send(`<!doctype html><html lang="en"><head><title>${esc(this.name)} course</title></head><body>
<h1>${esc(this.name)}: course page</h1>
<iframe id="tool" name="tool" title="Circlework" src="${esc(`${this.baseUrl}/launch-form/${page}`)}" style="width:100%;height:700px" allow="clipboard-write"></iframe>
${canvas ? this.platformStorageMarkup(toolOrigin) : ''}</body></html>`);
  }

  /**
   * Canvas's platform storage (recording platform-storage.json, surprise 20): the course page answers
   * lti.capabilities from the tool's frame; a hidden sibling frame named post_message_forwarding, on
   * the OIDC authorization origin, keeps put_data/get_data values per tool origin. Both check the
   * sender's origin and answer to it only. `window.ltiMessages` lists what each received, for tests.
   */
  private platformStorageMarkup(toolOrigin: string): string {
    const capabilities = {
      subject: 'lti.capabilities.response',
      supported_messages: [
        { subject: 'lti.capabilities' },
        { subject: 'lti.put_data', frame: 'post_message_forwarding' },
        { subject: 'lti.get_data', frame: 'post_message_forwarding' },
        { subject: 'lti.frameResize' },
      ],
    };
    const src = `${new URL(this.authEndpoint).origin}/post_message_forwarding?tool=${encodeURIComponent(toolOrigin)}`;
    return `<iframe src="${esc(src)}" name="post_message_forwarding" title="post_message_forwarding" id="post_message_forwarding" sandbox="allow-scripts allow-same-origin" style="display:none;"></iframe>
<script>
window.ltiMessages = [];
window.addEventListener('message', function (e) {
  var d = e.data;
  if (!d || typeof d !== 'object' || typeof d.subject !== 'string') return;
  window.ltiMessages.push({ subject: d.subject, origin: e.origin });
  if (e.origin !== ${JSON.stringify(toolOrigin)} || e.source !== document.getElementById('tool').contentWindow) return;
  if (d.subject === 'lti.capabilities') e.source.postMessage(Object.assign({ message_id: d.message_id }, ${JSON.stringify(capabilities)}), e.origin);
});
</script>
`;
  }

  private postMessageForwarding(toolOrigin: string, res: Response): void {
    res.type('html').send(`<!doctype html><html><head><title>post_message_forwarding</title></head><body><script>
window.ltiMessages = [];
var stored = new Map();
window.addEventListener('message', function (e) {
  var d = e.data;
  if (!d || typeof d !== 'object' || typeof d.subject !== 'string') return;
  window.ltiMessages.push({ subject: d.subject, key: d.key, origin: e.origin });
  if (e.origin !== ${JSON.stringify(toolOrigin)}) return;
  var answer = { subject: d.subject + '.response', message_id: d.message_id, key: d.key };
  if (typeof d.key !== 'string' || d.key === '') answer.error = { code: 'bad_request', message: 'key is required' };
  else if (d.subject === 'lti.put_data') {
    if (d.value === null) stored.delete(e.origin + ' ' + d.key); else stored.set(e.origin + ' ' + d.key, String(d.value));
    answer.value = d.value;
  } else if (d.subject === 'lti.get_data') answer.value = stored.has(e.origin + ' ' + d.key) ? stored.get(e.origin + ' ' + d.key) : null;
  else answer.error = { code: 'unsupported_subject', message: 'not supported here' };
  e.source.postMessage(answer, e.origin);
});
</script></body></html>`);
  }

  /** The framed page that starts the login: a form auto-POSTed to the tool's login URL (Moodle's launch.php; Canvas's usual way). */
  private launchForm(page: string, res: Response): void {
    const pending = this.pending.get(this.coursePages.get(page) ?? '');
    if (!pending) { res.status(404).type('text').send('unknown launch'); return; }
    res.type('html').send(autoPost(`${pending.toolUrl}/lti/login`, this.loginParams(pending)));
  }

  /** Steps 1–2. Either the parsed auto-submit form from /auth, or the response that stopped the launch. */
  private async loginAndAuth(toolUrlIn: string, client: LtiHttpClient, opts: LaunchOptions, loginMethod: 'GET' | 'POST' = 'POST')
    : Promise<{ stopped: ClientResponse } | { authUrl: URL; action: string; fields: Record<string, string> }> {
    const toolUrl = trimSlash(toolUrlIn);
    const tool = this.resolveTool(toolUrl, opts.clientId);
    this.assertActive(tool);
    const clientId = opts.clientId ?? tool!.clientId;
    const deploymentId = opts.deploymentId ?? tool?.deploymentId ?? '1';
    // Default POST: Moodle initiates login by a form POST only, Canvas usually (GET also captured).
    const params = { ...this.loginParams(this.addPending(toolUrl, opts, clientId, deploymentId)), ...opts.loginParams };
    const ctx = this.browsing(opts.documentTarget);
    const loginUrl = `${toolUrl}/lti/login`;
    const login = loginMethod === 'POST'
      ? await client.request(loginUrl, { ...ctx, form: params })
      : await client.request(`${loginUrl}?${new URLSearchParams(params)}`, ctx);
    // A tool using platform storage answers the login with a page that stores the state, then goes on
    // to our authorization endpoint; this client runs no script, so it follows that page's link.
    const storageStep = login.status === 200 ? parseHtml(login.body).querySelector(`a[href^="${this.authEndpoint}?"]`)?.getAttribute('href') : undefined;
    const authUrl = redirectOf(login) ?? (storageStep ? new URL(storageStep, login.url).href : null);
    if (!authUrl) return { stopped: login };
    const auth = await client.request(authUrl, ctx);
    const form = auth.status === 200 ? parseHtml(auth.body).querySelector('form') : null;
    if (!form || (form.getAttribute('method') ?? 'get').toLowerCase() !== 'post') return { stopped: auth };
    const fields: Record<string, string> = {};
    for (const input of form.querySelectorAll('input')) {
      const name = input.getAttribute('name');
      if (name) fields[name] = input.getAttribute('value') ?? '';
    }
    return { authUrl: new URL(authUrl), action: new URL(form.getAttribute('action') ?? '', auth.url).href, fields };
  }

  async launch(toolUrl: string, client: LtiHttpClient, opts: LaunchOptions & { loginMethod?: 'GET' | 'POST' }): Promise<LaunchResult> {
    const step = await this.loginAndAuth(toolUrl, client, opts, opts.loginMethod);
    if ('stopped' in step) return toResult(step.stopped);
    return this.submit(client, step.action, step.fields, opts.documentTarget);
  }

  async beginLaunch(toolUrl: string, client: LtiHttpClient, opts: LaunchOptions & { loginMethod?: 'GET' | 'POST' }): Promise<{ state: string; nonce: string; redirectUri: string; idToken: string }> {
    const step = await this.loginAndAuth(toolUrl, client, opts, opts.loginMethod);
    if ('stopped' in step) throw new Error(`beginLaunch: stopped at ${step.stopped.url} with ${step.stopped.status}: ${step.stopped.body.slice(0, 300)}`);
    const q = step.authUrl.searchParams;
    return { state: q.get('state') ?? '', nonce: q.get('nonce') ?? '', redirectUri: q.get('redirect_uri') ?? '', idToken: step.fields.id_token ?? '' };
  }

  postIdToken(client: LtiHttpClient, redirectUri: string, idToken: string, state: string, opts: { documentTarget?: 'iframe' | 'window' } = {}): Promise<LaunchResult> {
    return this.submit(client, redirectUri, { id_token: idToken, state }, opts.documentTarget);
  }

  /** Steps 3–4: the form POST from the platform page, then one GET hop if the tool redirects. */
  private async submit(client: LtiHttpClient, action: string, fields: Record<string, string>, documentTarget?: 'iframe' | 'window'): Promise<LaunchResult> {
    const ctx = this.browsing(documentTarget);
    const posted = await client.request(action, { ...ctx, form: fields });
    const next = redirectOf(posted);
    return toResult(next ? await client.request(next, ctx) : posted);
  }

  // ---- services (delegated) ---------------------------------------------------------------------
  get scores(): PlatformServices['scores'] { return this.services.scores; }
  get lineItems(): PlatformServices['lineItems'] { return this.services.lineItems; }
  get deepLinkResponses(): PlatformServices['deepLinkResponses'] { return this.services.deepLinkResponses; }
  failNextServiceCalls(n: number, status: 500 | 429 | 403, opts?: { body?: string; headers?: Record<string, string> }): void {
    this.services.failNextServiceCalls(n, status, opts);
  }
  setMembers(contextId: string, members: SimMember[]): void { this.services.setMembers(contextId, members); }

  async close(): Promise<void> {
    // The app keeps platform keys per JWKS URL for the whole process, with refetches bounded per URL;
    // the next simulator given this port is another platform, whose keys the app must fetch afresh
    // (without this, a run's launches failed for 30 s whenever the OS handed a port out again).
    platformJwksCache.forget(this.jwksUri);
    await Promise.all([this.server, ...(this.ssoServer ? [this.ssoServer] : [])].map(async (server) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }));
  }
}
