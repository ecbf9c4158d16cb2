/**
 * LtiPlatformSimulator: a Moodle-like or Canvas-like LMS for integration tests. Real RS256
 * signatures, real HTTP on 127.0.0.1 (random port). Services (token, AGS, NRPS, deep-link return)
 * live in lti-platform-services.ts, the browser in lti-http-client.ts.
 */
import { createHash, generateKeyPair, KeyObject, randomBytes, sign as rsaSign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import express, { type Request, type Response } from 'express';
import { parse as parseHtml } from 'node-html-parser';
import { LtiHttpClient, type ClientRequestInit, type ClientResponse } from './lti-http-client.ts';
import { PlatformServices, SERVICE_SCOPES, type SimMember, type ToolRecord } from './lti-platform-services.ts';

export { LtiHttpClient } from './lti-http-client.ts';
export type { ToolRecord } from './lti-platform-services.ts';

export type PlatformKind = 'moodle' | 'canvas';
export interface SimUser { sub: string; name?: string; given_name?: string; family_name?: string; email?: string; roles: string[] }
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
  tamperClaims?: (claims: Record<string, unknown>) => Record<string, unknown>;
  tamperHeader?: (header: Record<string, unknown>) => Record<string, unknown>;
  signWith?: CryptoKey | KeyObject;
  rawIdToken?: string;
}
export interface LaunchResult { status: number; location: string | null; body: string; finalUrl: string }

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const DL_SETTINGS = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';
const TOOL_CONF = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const generateRsa = promisify(generateKeyPair);
const trimSlash = (u: string): string => u.replace(/\/+$/, '');
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const first = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);
const toResult = (r: ClientResponse): LaunchResult => ({ status: r.status, location: r.headers.get('location'), body: r.body, finalUrl: r.url });
const redirectOf = (r: ClientResponse): string | null => {
  const loc = r.headers.get('location');
  return REDIRECTS.has(r.status) && loc !== null ? new URL(loc, r.url).href : null;
};

interface SigningKey { kid: string; privateKey: KeyObject; jwk: Record<string, unknown> }
interface PendingLaunch { opts: LaunchOptions; clientId: string; deploymentId: string; toolUrl: string }
type BrowsingContext = Pick<ClientRequestInit, 'initiator' | 'frameTop'>;

export class LtiPlatformSimulator {
  readonly kind: PlatformKind;
  readonly name: string;
  readonly baseUrl: string;
  readonly issuer: string;
  readonly authEndpoint: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  readonly openidConfigurationUrl: string;
  readonly registrationEndpoint: string;
  /** The `aud` tools put in client assertions (moodle: the token endpoint; canvas: its OAuth2 URL under the issuer). */
  readonly authorizationServer: string;
  jwksFetchCount = 0;
  readonly registrations: Array<{ clientId: string; deploymentId?: string; request: Record<string, unknown> }> = [];
  /** Every request the tools made to /auth (its parameters), accepted or not. */
  readonly authRequests: Array<Record<string, string>> = [];
  readonly services: PlatformServices;
  private readonly keys: SigningKey[] = [];
  private readonly tools = new Map<string, ToolRecord>();
  private readonly pending = new Map<string, PendingLaunch>();
  private readonly usedStates = new Set<string>();
  private readonly usedNonces = new Set<string>();
  private readonly registrationTokens = new Map<string, { toolUrl: string; used: boolean }>();
  private readonly contexts = new Map<string, { id: string; title?: string; label?: string }>();
  private toolCounter = 0;

  static async start(opts: { kind: PlatformKind; name?: string; issuer?: string }): Promise<LtiPlatformSimulator> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
    const sim = new LtiPlatformSimulator(opts, server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await sim.rotateKey();
    return sim;
  }

  private constructor(opts: { kind: PlatformKind; name?: string; issuer?: string }, private readonly server: http.Server, baseUrl: string) {
    this.kind = opts.kind;
    this.name = opts.name ?? (opts.kind === 'moodle' ? 'Moodle (simulated)' : 'Canvas LMS (simulated)');
    this.baseUrl = baseUrl;
    this.issuer = opts.issuer ?? (opts.kind === 'moodle' ? baseUrl : 'https://canvas.instructure.com');
    this.authEndpoint = `${baseUrl}/auth`;
    this.tokenEndpoint = `${baseUrl}/token`;
    this.jwksUri = `${baseUrl}/jwks`;
    this.openidConfigurationUrl = `${baseUrl}/.well-known/openid-configuration`;
    this.registrationEndpoint = `${baseUrl}/register`;
    this.authorizationServer = opts.kind === 'moodle' ? this.tokenEndpoint : `${trimSlash(this.issuer)}/login/oauth2/token`;
    this.services = new PlatformServices({
      baseUrl, issuer: this.issuer, tokenEndpoint: this.tokenEndpoint, authorizationServer: this.authorizationServer,
      findTool: (id) => this.tools.get(id), contextInfo: (id) => this.contexts.get(id) ?? { id },
    });
    const app = express();
    app.disable('x-powered-by');
    app.get('/.well-known/openid-configuration', (_req, res) => { res.json(this.openidConfiguration()); });
    app.get('/jwks', (_req, res) => { this.jwksFetchCount++; res.json({ keys: this.keys.map((k) => k.jwk) }); });
    app.get('/auth', (req, res) => this.auth(req.query, res));
    app.post('/auth', express.urlencoded({ extended: false }), (req, res) => this.auth(req.body, res));
    app.post('/register', express.json(), (req, res) => { this.register(req, res); });
    app.get('/course-page/:hint', (req, res) => { this.coursePage(req.params.hint, res); });
    app.get('/post_message_forwarding', (req, res) => { this.postMessageForwarding(String(req.query.tool ?? ''), res); });
    app.get('/return', (req, res) => { res.type('html').send(`<!doctype html><title>Back in the course</title><p>${esc(String(req.query.course ?? ''))}</p>`); });
    app.use(this.services.router());
    server.on('request', app);
  }

  // ---- keys -----------------------------------------------------------------------------------
  async rotateKey(): Promise<void> {
    const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
    const kid = `${this.kind}-${randomBytes(8).toString('hex')}`;
    this.keys.push({ kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } });
  }

  private get currentKey(): SigningKey {
    const key = this.keys.at(-1);
    if (!key) throw new Error('LtiPlatformSimulator: no signing key');
    return key;
  }

  /** RS256 (PKCS#1 v1.5 SHA-256) over whatever header is given: tests may put a lying alg/kid in it.
   *  `signWith`: an RSA KeyObject, or a CryptoKey made for RSASSA-PKCS1-v1_5 (jose's generateKeyPair('RS256')). */
  async signIdToken(claims: Record<string, unknown>, header?: Record<string, unknown>, signWith?: CryptoKey | KeyObject): Promise<string> {
    const h = header ?? { alg: 'RS256', typ: 'JWT', kid: this.currentKey.kid };
    const input = `${b64json(h)}.${b64json(claims)}`;
    const key = signWith ?? this.currentKey.privateKey;
    const signature = key instanceof KeyObject
      ? rsaSign('sha256', Buffer.from(input), key)
      : Buffer.from(await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, key, Buffer.from(input)));
    return `${input}.${signature.toString('base64url')}`;
  }

  // ---- tools ----------------------------------------------------------------------------------
  get toolRecords(): readonly ToolRecord[] { return [...this.tools.values()]; }

  addTool(tool: { toolUrl: string; clientId?: string; deploymentId?: string; redirectUris?: string[]; jwksUri?: string; scopes?: string[] }): { clientId: string; deploymentId: string } {
    const toolUrl = trimSlash(tool.toolUrl);
    return this.createTool(toolUrl, tool.redirectUris ?? [`${toolUrl}/lti/launch`], tool.jwksUri ?? `${toolUrl}/lti/keys`, tool.scopes ?? [...SERVICE_SCOPES], tool.clientId, tool.deploymentId);
  }

  private createTool(toolUrl: string, redirectUris: string[], jwksUri: string, scopes: string[], clientId?: string, deploymentId?: string): ToolRecord {
    const n = ++this.toolCounter;
    const id = clientId ?? (this.kind === 'canvas' ? String(10000000000000 + n) : randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 15));
    if (this.tools.has(id)) throw new Error(`LtiPlatformSimulator: client id ${id} already registered`);
    const dep = deploymentId ?? (this.kind === 'canvas' ? `${n}:${createHash('sha1').update(`${this.baseUrl}/${id}`).digest('hex')}` : String(n));
    const record: ToolRecord = { clientId: id, deploymentId: dep, toolUrl, redirectUris, jwksUri, scopes, deploymentIds: new Set([dep]) };
    this.tools.set(id, record);
    return record;
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
    const token = randomBytes(24).toString('base64url');
    this.registrationTokens.set(token, { toolUrl: trimSlash(toolUrl), used: false });
    const q = new URLSearchParams({ openid_configuration: this.openidConfigurationUrl, registration_token: token });
    const res = await client.request(`${trimSlash(toolUrl)}/lti/register?${q}`, { initiator: this.baseUrl, frameTop: this.baseUrl });
    return { status: res.status, body: res.body };
  }

  private register(req: Request, res: Response): void {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const grant = m ? this.registrationTokens.get(m[1]!) : undefined;
    if (!grant || grant.used) { res.status(401).json({ error: 'invalid_token', error_description: 'missing, unknown or used registration token' }); return; }
    grant.used = true;
    const b: unknown = req.body;
    const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
    const bad = (why: string): void => { res.status(400).json({ error: 'invalid_client_metadata', error_description: why }); };
    if (typeof b !== 'object' || b === null || Array.isArray(b)) return bad('body must be a JSON object');
    const r = b as Record<string, unknown>;
    const conf = r[TOOL_CONF] as Record<string, unknown> | undefined;
    if (r.application_type !== 'web') return bad('application_type must be web');
    if (!isStrArr(r.response_types) || !r.response_types.includes('id_token')) return bad('response_types must include id_token');
    if (!isStrArr(r.grant_types) || !r.grant_types.includes('implicit') || !r.grant_types.includes('client_credentials')) return bad('grant_types must include implicit and client_credentials');
    if (typeof r.initiate_login_uri !== 'string') return bad('initiate_login_uri is required');
    if (!isStrArr(r.redirect_uris)) return bad('redirect_uris is required');
    if (typeof r.client_name !== 'string' || r.client_name === '') return bad('client_name is required');
    if (typeof r.jwks_uri !== 'string') return bad('jwks_uri is required');
    if (r.token_endpoint_auth_method !== 'private_key_jwt') return bad('token_endpoint_auth_method must be private_key_jwt');
    if (typeof conf !== 'object' || conf === null || typeof conf.domain !== 'string' || typeof conf.target_link_uri !== 'string') return bad(`${TOOL_CONF} with domain and target_link_uri is required`);
    const domain = conf.domain.toLowerCase();
    for (const u of [r.initiate_login_uri, conf.target_link_uri, ...r.redirect_uris]) {
      let url: URL;
      try { url = new URL(u); } catch { return bad(`${u} is not a URL`); }
      const inDomain = [url.host, url.hostname].some((h) => h === domain || h.endsWith(`.${domain}`));
      if (!inDomain) return bad(`${u} is outside the tool domain ${domain}`);
    }
    const requested = typeof r.scope === 'string' ? r.scope.split(/\s+/).filter((s) => SERVICE_SCOPES.includes(s)) : [...SERVICE_SCOPES];
    const tool = this.createTool(grant.toolUrl, r.redirect_uris, r.jwks_uri, requested);
    this.registrations.push({ clientId: tool.clientId, deploymentId: tool.deploymentId, request: r });
    const { deployment_id: _ignored, ...confOut } = conf;
    res.json({
      ...r,
      client_id: tool.clientId,
      scope: requested.join(' '),
      // Moodle tells the deployment id at registration; Canvas only at the first launch.
      [TOOL_CONF]: this.kind === 'moodle' ? { ...confOut, deployment_id: tool.deploymentId } : confOut,
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
    const claims: Record<string, unknown> = {
      iss: this.issuer, aud: opts.clientId, azp: opts.clientId, sub: u.sub, exp: now + 300, iat: now, nonce: opts.nonce,
      ...(u.name !== undefined ? { name: u.name } : {}),
      ...(u.given_name !== undefined ? { given_name: u.given_name } : {}),
      ...(u.family_name !== undefined ? { family_name: u.family_name } : {}),
      ...(u.email !== undefined ? { email: u.email } : {}),
      [`${LTI}message_type`]: messageType,
      [`${LTI}version`]: '1.3.0',
      [`${LTI}deployment_id`]: opts.deploymentId,
      [`${LTI}target_link_uri`]: opts.targetLinkUri ?? `${toolUrl}/lti/launch`,
      [`${LTI}roles`]: u.roles,
      [`${LTI}tool_platform`]: {
        product_family_code: this.kind, guid: createHash('sha1').update(this.baseUrl).digest('hex'),
        name: this.name, version: this.kind === 'moodle' ? '2024100700' : 'cloud',
      },
      [`${LTI}launch_presentation`]: {
        document_target: opts.documentTarget ?? 'iframe', locale: 'en',
        return_url: `${this.baseUrl}/return?course=${encodeURIComponent(context?.id ?? '')}`,
      },
    };
    if (messageType === 'LtiResourceLinkRequest' && resourceLink) claims[`${LTI}resource_link`] = { ...resourceLink };
    if (opts.custom) claims[`${LTI}custom`] = { ...opts.custom };
    if (context) {
      this.contexts.set(context.id, { ...context });
      const ctx = encodeURIComponent(context.id);
      claims[`${LTI}context`] = { ...context, type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] };
      claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'] = {
        scope: SERVICE_SCOPES.filter((s) => /lineitem$|result\.readonly$|score$/.test(s)),
        lineitems: `${this.baseUrl}/ags/${ctx}/lineitems`,
      };
      claims['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'] = {
        context_memberships_url: `${this.baseUrl}/nrps/${ctx}/memberships`, service_versions: ['2.0'],
      };
    }
    if (this.kind === 'canvas') claims['https://www.instructure.com/placement'] = messageType === 'LtiDeepLinkingRequest' ? 'assignment_selection' : 'course_navigation';
    if (messageType === 'LtiDeepLinkingRequest') {
      claims[DL_SETTINGS] = {
        deep_link_return_url: `${this.baseUrl}/deep-link-return`, accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe', 'window'], accept_multiple: true, accept_lineitem: true, data: 'opaque-data',
      };
    }
    return claims;
  }

  private browsing(documentTarget: 'iframe' | 'window' | undefined): BrowsingContext {
    return documentTarget === 'window' ? { initiator: this.baseUrl } : { initiator: this.baseUrl, frameTop: this.baseUrl };
  }

  /** /auth (OIDC authorization endpoint): checks the tool's request, answers an auto-submitting form. */
  private async auth(query: unknown, res: Response): Promise<void> {
    const src = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
    const p: Record<string, string> = {};
    for (const [k, v] of Object.entries(src)) { const s = first(v); if (s !== undefined) p[k] = s; }
    this.authRequests.push(p);
    const fail = (why: string): void => { res.status(400).type('html').send(`<!doctype html><title>Error</title><h1>Invalid login request</h1><p>${esc(why)}</p>`); };
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
    if (p.login_hint !== pending.opts.user.sub) return fail('login_hint differs from the one sent at login');
    if (this.usedStates.has(p.state) || this.usedNonces.has(p.nonce)) return fail('this login (state/nonce) was already used');
    this.usedStates.add(p.state);
    this.usedNonces.add(p.nonce);
    tool.deploymentIds.add(pending.deploymentId);

    const o = pending.opts;
    let claims = this.buildClaims({ ...o, nonce: p.nonce, clientId: pending.clientId, deploymentId: pending.deploymentId, toolUrl: pending.toolUrl });
    if (o.tamperClaims) claims = o.tamperClaims(structuredClone(claims));
    let header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: this.currentKey.kid };
    if (o.tamperHeader) header = o.tamperHeader({ ...header });
    const idToken = o.rawIdToken ?? await this.signIdToken(claims, header, o.signWith);
    const fields: Record<string, string> = { id_token: idToken, state: p.state };
    if (this.kind === 'canvas') fields.lti_storage_target = 'post_message_forwarding';
    const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
    res.type('html').send(`<!doctype html><html><head><title>Launching…</title></head><body>`
      + `<form method="post" action="${esc(p.redirect_uri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form>`
      + `<script>document.forms[0].submit()</script></body></html>`);
  }

  /**
   * For a real browser: the URL of an LMS course page that embeds the tool in an iframe whose source
   * is the tool's login URL (what Moodle and Canvas render). The browser then does every hop itself.
   */
  coursePageUrl(toolUrlIn: string, opts: LaunchOptions): string {
    const toolUrl = trimSlash(toolUrlIn);
    const tool = this.resolveTool(toolUrl, opts.clientId);
    const clientId = opts.clientId ?? tool!.clientId;
    const deploymentId = opts.deploymentId ?? tool?.deploymentId ?? '1';
    const hint = randomBytes(16).toString('hex');
    this.pending.set(hint, { opts: { ...opts, documentTarget: 'iframe' }, clientId, deploymentId, toolUrl });
    return `${this.baseUrl}/course-page/${hint}`;
  }

  private coursePage(hint: string, res: Response): void {
    const pending = this.pending.get(hint);
    if (!pending) { res.status(404).type('text').send('unknown course page'); return; }
    const params = new URLSearchParams({
      iss: this.issuer, login_hint: pending.opts.user.sub, target_link_uri: `${pending.toolUrl}/lti/launch`,
      lti_message_hint: hint, client_id: pending.clientId, lti_deployment_id: pending.deploymentId,
    });
    const canvas = this.kind === 'canvas';
    if (canvas) params.set('lti_storage_target', 'post_message_forwarding');
    const toolOrigin = new URL(pending.toolUrl).origin;
    res.type('html').send(`<!doctype html><html lang="en"><head><title>${esc(this.name)} course</title></head><body>
<h1>${esc(this.name)}: course page</h1>
<iframe id="tool" name="tool" title="Circlework" src="${esc(`${pending.toolUrl}/lti/login?${params}`)}" style="width:100%;height:700px" allow="clipboard-write"></iframe>
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

  /** Steps 1–2. Either the parsed auto-submit form from /auth, or the response that stopped the launch. */
  private async loginAndAuth(toolUrlIn: string, client: LtiHttpClient, opts: LaunchOptions, loginMethod: 'GET' | 'POST' = 'GET')
    : Promise<{ stopped: ClientResponse } | { authUrl: URL; action: string; fields: Record<string, string> }> {
    const toolUrl = trimSlash(toolUrlIn);
    const tool = this.resolveTool(toolUrl, opts.clientId);
    const clientId = opts.clientId ?? tool!.clientId;
    const deploymentId = opts.deploymentId ?? tool?.deploymentId ?? '1';
    const hint = randomBytes(16).toString('hex');
    this.pending.set(hint, { opts, clientId, deploymentId, toolUrl });
    const params: Record<string, string> = {
      iss: this.issuer, login_hint: opts.user.sub, target_link_uri: opts.targetLinkUri ?? `${toolUrl}/lti/launch`,
      lti_message_hint: hint, client_id: clientId, lti_deployment_id: deploymentId,
    };
    if (this.kind === 'canvas') Object.assign(params, { lti_storage_target: 'post_message_forwarding', canvas_environment: 'prod', canvas_region: 'not_configured' });
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
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
