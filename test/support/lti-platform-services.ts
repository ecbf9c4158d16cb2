/**
 * The platform services of the LTI platform simulator: OAuth2 token endpoint (client_credentials
 * with a private_key_jwt client assertion verified against the tool's JWKS fetched over HTTP),
 * AGS (line items, scores, results), NRPS v2 and the deep-linking return endpoint.
 */
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { LtiHttpClient } from './lti-http-client.ts';

export const AGS_SCOPES = {
  lineitem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineitemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
export const SERVICE_SCOPES: readonly string[] = [...Object.values(AGS_SCOPES), NRPS_SCOPE];

const MT = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItems: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
  results: 'application/vnd.ims.lis.v2.resultcontainer+json',
  members: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
} as const;
const ACTIVITY = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
const GRADING = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];

/** A tool as the platform knows it (manual or dynamic registration). */
export interface ToolRecord {
  clientId: string;
  deploymentId: string;
  toolUrl: string;
  redirectUris: string[];
  jwksUri: string;
  /** Scopes the tool may get tokens for (all service scopes unless its registration asked fewer). */
  scopes: string[];
  /** Deployment ids used in launches to this tool (the registered one included). */
  deploymentIds: Set<string>;
}

export interface ServiceHost {
  readonly kind: 'moodle' | 'canvas';
  readonly baseUrl: string;
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly authorizationServer: string;
  findTool(clientId: string): ToolRecord | undefined;
  contextInfo(contextId: string): { id: string; title?: string; label?: string };
}

/**
 * A context member. `status` is sent as given (what a spec platform would say); `suspended` is how
 * Moodle and Canvas really show a suspended or inactive enrolment: the member is left out.
 */
export interface SimMember { user_id: string; roles: string[]; name?: string; email?: string; status?: 'Active' | 'Inactive' | 'Deleted'; suspended?: boolean }
interface AccessToken { clientId: string; scopes: string[]; expiresAt: number }

/** Moodle's NRPS names context roles by their short name: membership#Learner → "Learner". */
const shortMoodleRole = (r: string): string => r.replace(/^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership#/, '');
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const mediaType = (req: Request): string => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/** Fetch the tool's JWKS over HTTP, pick the key named by the JWT's kid, verify RS256 + claims. */
export async function verifyToolJwt(
  jwt: string, tool: ToolRecord, http: LtiHttpClient,
  expect: { audience?: string | string[]; subject?: string; requiredClaims: string[] },
): Promise<JWTPayload> {
  const header = decodeProtectedHeader(jwt);
  if (header.alg !== 'RS256') throw new Error(`alg ${String(header.alg)} is not RS256`);
  if (typeof header.kid !== 'string' || header.kid === '') throw new Error('the JWT header has no kid');
  const res = await http.request(tool.jwksUri, { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`the tool JWKS ${tool.jwksUri} answered ${res.status}`);
  const jwks: unknown = JSON.parse(res.body);
  const keys = isObj(jwks) && Array.isArray(jwks.keys) ? (jwks.keys as unknown[]) : [];
  const jwk = keys.find((k): k is JWK => isObj(k) && k.kid === header.kid);
  if (!jwk) throw new Error(`kid ${header.kid} is not in the tool JWKS`);
  const key = await importJWK(jwk, 'RS256');
  const { payload } = await jwtVerify(jwt, key, {
    algorithms: ['RS256'], issuer: tool.clientId, ...(expect.audience !== undefined ? { audience: expect.audience } : {}),
    ...(expect.subject !== undefined ? { subject: expect.subject } : {}), requiredClaims: expect.requiredClaims,
  });
  return payload;
}

export class PlatformServices {
  readonly scores: Array<{ lineItemUrl: string; body: Record<string, unknown> }> = [];
  /** Canvas: the submission attempts score POSTs created (each one does unless it says new_submission:false). */
  readonly submissionAttempts: Array<{ lineItemUrl: string; userId: string }> = [];
  /** Canvas: an assignment's allowed attempts; past it a score that would add one gets 422. */
  attemptLimit: number | undefined;
  /**
   * origin: 'platform' for a grade item the LMS made for an activity (mod/lti item, Canvas assignment,
   * deep-linked item with a lineItem; the default), 'tool' for one a tool POSTed. toolClientId: the
   * tool it belongs to (another tool's item: Canvas 412).
   */
  readonly lineItems: Array<{ id: string; contextId: string; body: Record<string, unknown>; origin?: 'platform' | 'tool'; toolClientId?: string }> = [];
  readonly deepLinkResponses: Array<Record<string, unknown>> = [];
  /** Activities the LMS made from deep-linking responses; launch one with its resourceLinkId and custom. */
  readonly deepLinkedActivities: Array<{ contextId: string; resourceLinkId: string; title: string; custom?: Record<string, string>; lineItemUrl?: string }> = [];
  /** Moodle's tool setting "Accept grades from the tool": 'always' grades every deep-linked item; 'delegate' only those with a lineItem. */
  acceptGrades: 'always' | 'delegate' = 'delegate';
  /** Resource link ids the LMS has launched, per context (Moodle: a line item POST naming another gives 403). */
  private readonly launchedLinks = new Map<string, Set<string>>();
  /** Every token request with its outcome (why a tool got 401 is here). */
  readonly tokenRequests: Array<{ clientId: string | undefined; scopes: string[]; ok: boolean; error?: string }> = [];
  /** Every AGS/NRPS call with the status answered. */
  readonly serviceCalls: Array<{ method: string; url: string; status: number }> = [];
  maxConcurrentServiceCalls = 0;
  /** Delay each AGS/NRPS answer by this many ms (makes concurrent calls observable). */
  serviceDelayMs = 0;
  private held: Promise<void> | undefined;
  private inFlight = 0;
  private failure: { remaining: number; status: number; body: string; headers: Record<string, string> } = { remaining: 0, status: 500, body: '', headers: {} };
  private readonly members = new Map<string, SimMember[]>();
  private readonly tokens = new Map<string, AccessToken>();
  private readonly http = new LtiHttpClient({ userAgent: 'LtiPlatformSimulator/1' });
  private nextLineItem = 1;

  private readonly host: ServiceHost;
  constructor(host: ServiceHost) {
    this.host = host;
  }

  /** Holds every AGS/NRPS answer until the returned function is called: a state to look at, without timing. */
  holdServiceCalls(): () => void {
    let release!: () => void;
    this.held = new Promise<void>((r) => (release = r));
    return () => {
      this.held = undefined;
      release();
    };
  }

  failNextServiceCalls(n: number, status: 500 | 429 | 403, opts: { body?: string; headers?: Record<string, string> } = {}): void {
    // 403: Canvas's throttle as documented (doc/api/throttling.md): a plain-text body and its headers.
    const defaults = { 500: 'Internal Server Error', 429: 'Too Many Requests', 403: '403 Forbidden (Rate Limit Exceeded)' };
    const headers: Record<string, string> = status === 403 && opts.body === undefined ? { 'X-Request-Cost': '0.5', 'X-Rate-Limit-Remaining': '0.0' } : {};
    this.failure = { remaining: n, status, body: opts.body ?? defaults[status], headers: opts.headers ?? headers };
  }

  // ---- the AGS and deep-linking parts of launches ------------------------------------------------
  /**
   * The AGS claim of a launch, as recorded. Moodle: `lineitem` is the activity's grade item URL if it
   * has one, `""` once a tool POSTed a line item with this resourceLinkId, absent before. Canvas:
   * `lineitem` only on an assignment launch; its own progress scope in `scope`.
   */
  agsClaim(contextId: string, resourceLinkId: string | undefined): Record<string, unknown> {
    const scope = SERVICE_SCOPES.filter((s) => /lineitem$|lineitem\.readonly$|result\.readonly$|score$/.test(s));
    const claim: Record<string, unknown> = { scope, lineitems: `${this.host.baseUrl}/ags/${encodeURIComponent(contextId)}/lineitems` };
    if (this.host.kind === 'canvas') claim.scope = [...scope, 'https://canvas.instructure.com/lti-ags/progress/scope/show'];
    if (resourceLinkId === undefined) return claim;
    let links = this.launchedLinks.get(contextId);
    if (!links) this.launchedLinks.set(contextId, (links = new Set()));
    links.add(resourceLinkId);
    const ofLink = this.lineItems.filter((li) => li.contextId === contextId && li.body.resourceLinkId === resourceLinkId);
    const own = ofLink.find((li) => (li.origin ?? 'platform') === 'platform');
    if (own) claim.lineitem = own.id;
    else if (this.host.kind === 'moodle' && ofLink.length > 0) claim.lineitem = '';
    return claim;
  }

  /** The activity of this link was deleted in the LMS: Moodle then refuses line items naming it (403). */
  deleteActivity(contextId: string, resourceLinkId: string): void {
    this.launchedLinks.get(contextId)?.delete(resourceLinkId);
  }

  /** The deep_linking_settings claim as each LMS sends it: neither sends accept_lineitem nor data. */
  deepLinkingSettings(contextId: string | undefined): Record<string, unknown> {
    const course = encodeURIComponent(contextId ?? '');
    if (this.host.kind === 'moodle') {
      return {
        accept_types: ['ltiResourceLink'], accept_presentation_document_targets: ['frame', 'iframe', 'window'], accept_copy_advice: false,
        accept_multiple: true, accept_unsigned: false, auto_create: false, can_confirm: false,
        deep_link_return_url: `${this.host.baseUrl}/deep-link-return?course=${course}&id=3&sesskey=${randomBytes(5).toString('hex')}`, title: 'placeholder', text: '',
      };
    }
    return {
      deep_link_return_url: `${this.host.baseUrl}/deep-link-return?course=${course}&modal=true&placement=assignment_selection`, accept_types: ['ltiResourceLink'],
      accept_presentation_document_targets: ['iframe', 'window'], accept_media_types: 'application/vnd.ims.lti.v1.ltilink', auto_create: false, accept_multiple: true,
    };
  }

  /** The platform forgets every access token it gave (a restart, a purge): the next service call gets 401. */
  forgetTokens(): void {
    this.tokens.clear();
  }

  setMembers(contextId: string, members: SimMember[]): void {
    this.members.set(contextId, members.map((m) => ({ ...m })));
  }

  router(): Router {
    const r = express.Router();
    const form = express.urlencoded({ extended: false });
    const json = express.json({ type: ['application/json', 'application/*+json'] });
    r.post(['/token', '/login/oauth2/token'], form, (req, res) => this.token(req, res));
    r.post('/deep-link-return', form, (req, res) => this.deepLinkReturn(req, res));
    r.use(['/ags', '/nrps'], (req, res, next) => this.gate(req, res, next));
    const item = '/ags/:contextId/lineitems/:itemId/lineitem';
    r.get('/ags/:contextId/lineitems', (req, res) => this.listLineItems(req, res));
    r.post('/ags/:contextId/lineitems', json, (req, res) => this.createLineItem(req, res));
    r.get(item, (req, res) => this.withItem(req, res, [AGS_SCOPES.lineitem, AGS_SCOPES.lineitemReadonly], (li) => res.type(MT.lineItem).send(JSON.stringify(li.body))));
    r.put(item, json, (req, res) => this.updateLineItem(req, res));
    r.delete(item, (req, res) => this.withItem(req, res, [AGS_SCOPES.lineitem], (li) => { this.lineItems.splice(this.lineItems.indexOf(li), 1); res.status(204).end(); }));
    r.post(`${item}/scores`, json, (req, res) => this.postScore(req, res));
    r.get(`${item}/results`, (req, res) => this.results(req, res));
    r.get('/nrps/:contextId/memberships', (req, res) => this.memberships(req, res));
    // Canvas words a service URL it does not know like its other service errors.
    r.use(['/ags', '/nrps'], (req, res, next) => { if (this.host.kind === 'canvas') this.serviceError(req, res, 404, 'Context not found', 'not_found'); else next(); });
    return r;
  }

  // ---- token endpoint -------------------------------------------------------------------------
  /**
   * client_credentials with a private_key_jwt assertion. Moodle (recorded): JSON served as text/html,
   * every error 400 (the `error` sometimes free text), `aud` and `jti` not checked, unknown scopes
   * dropped. Canvas (documented): `aud` must be exactly the token URL, `jti` not checked, every scope
   * must be on the key (else invalid_scope), unknown client 401.
   */
  private async token(req: Request, res: Response): Promise<void> {
    const moodle = this.host.kind === 'moodle';
    const b: Record<string, unknown> = isObj(req.body) ? req.body : {};
    const scopes = (str(b.scope) ?? '').split(/\s+/).filter(Boolean);
    let clientId: string | undefined;
    const send = (status: number, body: Record<string, unknown>): void => {
      if (moodle) res.status(status).type('text/html; charset=utf-8').send(JSON.stringify(body, null, 2));
      else res.status(status).json(body);
    };
    const fail = (status: number, error: string, description: string): void => {
      this.tokenRequests.push({ clientId, scopes, ok: false, error: `${error}: ${description}` });
      send(moodle ? 400 : status, moodle ? { error } : { error, error_description: description });
    };
    if (b.grant_type !== 'client_credentials') return fail(400, 'unsupported_grant_type', 'The grant_type you requested is not currently supported');
    if (b.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return fail(400, 'invalid_request', 'client_assertion_type must be jwt-bearer');
    const assertion = str(b.client_assertion);
    if (!assertion) return fail(400, 'invalid_request', 'client_assertion missing');
    let unverified: JWTPayload;
    try { unverified = decodeJwt(assertion); } catch { return fail(400, 'invalid_request', 'client_assertion is not a JWT'); }
    clientId = str(unverified.sub) ?? str(unverified.iss);
    const tool = clientId !== undefined ? this.host.findTool(clientId) : undefined;
    if (!tool) return fail(401, 'invalid_client', moodle ? `unknown client ${String(clientId)}` : 'unknown client');
    if (!moodle) {
      const auds = Array.isArray(unverified.aud) ? unverified.aud : [unverified.aud];
      if (!auds.some((a) => a === this.host.tokenEndpoint || a === this.host.authorizationServer)) return fail(400, 'invalid_request', "the 'aud' is invalid");
    }
    try {
      // Neither platform remembers the assertion's jti (recorded: Moodle takes a replayed one; Canvas skips the check).
      await verifyToolJwt(assertion, tool, this.http, { subject: tool.clientId, requiredClaims: ['exp', 'iat', 'jti'] });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (moodle) return fail(400, /"exp"/.test(why) ? 'Expired token' : 'Signature verification failed', why);
      return fail(400, 'invalid_request', /signature|kid/i.test(why) ? `JWS signature invalid. (${why})` : why);
    }
    const granted = scopes.filter((s) => tool.scopes.includes(s));
    if (!moodle && granted.length < scopes.length) {
      return fail(400, 'invalid_scope', `A requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner. The following scopes were requested, but not granted: ${scopes.filter((s) => !granted.includes(s)).join(' ')}`);
    }
    if (granted.length === 0) return fail(400, 'invalid_scope', `no grantable scope in "${scopes.join(' ')}"`);
    const accessToken = randomBytes(24).toString('base64url');
    this.tokens.set(accessToken, { clientId: tool.clientId, scopes: granted, expiresAt: Date.now() + 3600_000 });
    this.tokenRequests.push({ clientId, scopes, ok: true });
    send(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope: granted.join(' ') });
  }

  /** A service error as each platform words it: Moodle {status, reason, request}, Canvas {errors:{type, message}}. */
  private serviceError(req: Request, res: Response, status: number, reason: string, canvasType = 'unauthorized'): void {
    if (this.host.kind === 'moodle') {
      res.status(status).json({ status, reason, request: { method: req.method, url: req.originalUrl, accept: req.headers.accept ?? '', contentType: req.headers['content-type'] ?? '' } });
    } else {
      res.status(status).json({ errors: { type: canvasType, message: reason } });
    }
  }

  // ---- AGS / NRPS gate: injected failures, delay, bearer token -------------------------------
  private async gate(req: Request, res: Response, next: NextFunction): Promise<void> {
    const call = { method: req.method, url: `${this.host.baseUrl}${req.originalUrl}`, status: 0 };
    this.serviceCalls.push(call);
    this.inFlight++;
    this.maxConcurrentServiceCalls = Math.max(this.maxConcurrentServiceCalls, this.inFlight);
    res.on('close', () => { this.inFlight--; call.status = res.statusCode; });
    if (this.serviceDelayMs > 0) await new Promise((r) => setTimeout(r, this.serviceDelayMs));
    await this.held;
    if (this.failure.remaining > 0) {
      this.failure.remaining--;
      res.status(this.failure.status).set(this.failure.headers).type('text/plain').send(this.failure.body);
      return;
    }
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const token = m ? this.tokens.get(m[1]!) : undefined;
    if (!token || token.expiresAt < Date.now()) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      this.serviceError(req, res, 401, this.host.kind === 'moodle' ? 'Unauthorized' : m ? 'Invalid access token field/s: signature' : 'Missing access token');
      return;
    }
    // Moodle picks a handler by media type: `Accept: application/json`, or a body of another type, finds none.
    if (this.host.kind === 'moodle') {
      const wanted = req.method === 'POST' || req.method === 'PUT' ? (/\/scores$/.test(req.path) ? MT.score : MT.lineItem) : undefined;
      const accept = (req.headers.accept ?? '').split(',').map((a) => a.split(';')[0]!.trim().toLowerCase());
      const typeOf = mediaType(req) || '';
      if (accept.includes('application/json') || (wanted !== undefined && typeOf !== wanted)) {
        this.serviceError(req, res, 400, `No handler found for ${req.path.replace(/^\/(ags|nrps)/, '')} ${wanted !== undefined && typeOf !== wanted ? typeOf : 'application/json'} `);
        return;
      }
    }
    res.locals.token = token;
    next();
  }

  /** A token without the scope: 401 on both platforms (not 403). */
  private hasScope(res: Response, anyOf: string[]): boolean {
    const token = res.locals.token as AccessToken;
    if (anyOf.some((s) => token.scopes.includes(s))) return true;
    this.serviceError(res.req, res, 401, this.host.kind === 'moodle' ? 'Unauthorized' : 'Insufficient permissions');
    return false;
  }

  private itemUrl(contextId: string, n: number): string {
    return `${this.host.baseUrl}/ags/${encodeURIComponent(contextId)}/lineitems/${n}/lineitem`;
  }

  private listLineItems(req: Request, res: Response): void {
    if (!this.hasScope(res, [AGS_SCOPES.lineitem, AGS_SCOPES.lineitemReadonly])) return;
    const q = req.query;
    const token = res.locals.token as AccessToken;
    // Both list only the calling tool's items.
    const items = this.lineItems.filter((li) => li.contextId === req.params.contextId && (li.toolClientId === undefined || li.toolClientId === token.clientId)
      && (q.resource_link_id === undefined || li.body.resourceLinkId === q.resource_link_id)
      && (q.resource_id === undefined || li.body.resourceId === q.resource_id)
      && (q.tag === undefined || li.body.tag === q.tag)).map((li) => li.body);
    this.page(req, res, items, MT.lineItems, (page) => page);
  }

  private lineItemError(body: unknown): string | null {
    if (!isObj(body)) return 'body must be a JSON object';
    if (typeof body.label !== 'string' || body.label.trim() === '') return 'label is required';
    if (typeof body.scoreMaximum !== 'number' || !(body.scoreMaximum > 0)) return 'scoreMaximum must be a number > 0';
    return null;
  }

  private createLineItem(req: Request, res: Response): void {
    if (!this.hasScope(res, [AGS_SCOPES.lineitem])) return;
    if (mediaType(req) !== MT.lineItem) { res.status(415).json({ error: `Content-Type must be ${MT.lineItem}` }); return; }
    const error = this.lineItemError(req.body);
    if (error) { res.status(400).json({ error }); return; }
    const contextId = req.params.contextId as string;
    const rlid = (req.body as Record<string, unknown>).resourceLinkId;
    if (this.host.kind === 'moodle' && typeof rlid === 'string' && !this.launchedLinks.get(contextId)?.has(rlid)) {
      // Recorded: an unknown resourceLinkId gives 403 with Moodle's {status, reason, request} body.
      res.status(403).json({ status: 403, reason: 'Forbidden', request: { method: 'POST', url: req.originalUrl, accept: req.headers.accept, contentType: req.headers['content-type'] } });
      return;
    }
    const id = this.itemUrl(contextId, this.nextLineItem++);
    const body = { ...(req.body as Record<string, unknown>), id };
    this.lineItems.push({ id, contextId, body, origin: 'tool', toolClientId: (res.locals.token as AccessToken).clientId });
    res.status(201).type(MT.lineItem).send(JSON.stringify(body));
  }

  private withItem(req: Request, res: Response, scopes: string[], then: (li: PlatformServices['lineItems'][number]) => void): void {
    if (!this.hasScope(res, scopes)) return;
    const id = this.itemUrl(req.params.contextId as string, Number(req.params.itemId));
    const li = this.lineItems.find((x) => x.id === id);
    if (!li) { res.status(404).json({ error: 'line item not found' }); return; }
    // Canvas: another tool's item is refused (Moodle lets any tool read it).
    if (this.host.kind === 'canvas' && li.toolClientId !== undefined && li.toolClientId !== (res.locals.token as AccessToken).clientId) {
      res.status(412).json({ errors: { type: 'precondition_failed', message: 'Tool does not have permission to view line_item' } });
      return;
    }
    then(li);
  }

  private updateLineItem(req: Request, res: Response): void {
    this.withItem(req, res, [AGS_SCOPES.lineitem], (li) => {
      if (mediaType(req) !== MT.lineItem) { res.status(415).json({ error: `Content-Type must be ${MT.lineItem}` }); return; }
      const error = this.lineItemError(req.body);
      if (error) { res.status(400).json({ error }); return; }
      li.body = { ...(req.body as Record<string, unknown>), id: li.id };
      res.type(MT.lineItem).send(JSON.stringify(li.body));
    });
  }

  private postScore(req: Request, res: Response): void {
    this.withItem(req, res, [AGS_SCOPES.score], (li) => {
      if (mediaType(req) !== MT.score) { res.status(415).json({ error: `Content-Type must be ${MT.score}` }); return; }
      const s: unknown = req.body;
      const bad = (error: string): void => { res.status(400).json({ error }); };
      if (!isObj(s)) return bad('body must be a JSON object');
      if (typeof s.userId !== 'string' || s.userId === '') return bad('userId is required');
      if (typeof s.activityProgress !== 'string' || !ACTIVITY.includes(s.activityProgress)) return bad('activityProgress invalid');
      if (typeof s.gradingProgress !== 'string' || !GRADING.includes(s.gradingProgress)) return bad('gradingProgress invalid');
      const ts = typeof s.timestamp === 'string' && /^\d{4}-\d\d-\d\dT.+(Z|[+-]\d\d:?\d\d)$/.test(s.timestamp) ? Date.parse(s.timestamp) : NaN;
      if (Number.isNaN(ts)) return bad('timestamp must be an ISO 8601 date-time with a time zone');
      if (s.scoreGiven !== undefined) {
        if (typeof s.scoreGiven !== 'number' || s.scoreGiven < 0) return bad('scoreGiven must be a number >= 0');
        if (typeof s.scoreMaximum !== 'number' || !(s.scoreMaximum > 0)) return bad('scoreMaximum is required with scoreGiven');
      }
      const moodle = this.host.kind === 'moodle';
      const members = this.members.get(li.contextId);
      const member = members?.find((m) => m.user_id === s.userId);
      const student = member !== undefined && member.roles.some((r) => /#?Learner$/.test(r));
      const itemNo = /\/lineitems\/(\d+)\//.exec(li.id)?.[1] ?? '?';
      if (members && !student) {
        // Moodle: only an enrolled student takes a score; 400 with `[]` and the reason in the status line.
        if (moodle) { res.statusMessage = `Incorrect score received${JSON.stringify(s)}`; res.status(400).type(MT.score).send('[]'); return; }
        res.status(422).json({ errors: { type: 'unprocessable_entity', message: 'User not found in course or is not a student' } });
        return;
      }
      const previous = this.scores.filter((x) => x.lineItemUrl === li.id && x.body.userId === s.userId).at(-1);
      const before = previous ? Date.parse(String(previous.body.timestamp)) : -Infinity;
      if (moodle && Math.floor(ts / 1000) <= Math.floor(before / 1000)) {
        // Moodle compares to the second: at or before the stored timestamp (the same second too) is 409 `[]`.
        res.statusMessage = `Refusing score with an earlier timestamp for item ${itemNo} and user ${s.userId}`;
        res.status(409).type(MT.score).send('[]');
        return;
      }
      if (!moodle && ts < before) {
        res.status(400).json({ errors: { type: 'bad_request', message: `Provided timestamp of ${String(s.timestamp)} before last updated timestamp of ${new Date(before).toISOString()}` } });
        return;
      }
      if (!moodle) {
        const extension = s['https://canvas.instructure.com/lti/submission'];
        const newSubmission = !(isObj(extension) && (extension.new_submission === false || extension.new_submission === 'false'));
        if (newSubmission) {
          const used = this.submissionAttempts.filter((a) => a.lineItemUrl === li.id && a.userId === s.userId).length;
          if (this.attemptLimit !== undefined && used >= this.attemptLimit) {
            res.status(422).json({ errors: { type: 'unprocessable_entity', message: 'The maximum number of allowed attempts for this assignment has been reached.' } });
            return;
          }
          this.submissionAttempts.push({ lineItemUrl: li.id, userId: s.userId });
        }
      }
      this.scores.push({ lineItemUrl: li.id, body: s });
      // Moodle: 200 with an empty body (not 204). Canvas: 200 with its result URL and submission extension.
      if (moodle) { res.status(200).type(MT.score).send(''); return; }
      res.status(200).type(MT.score).send(JSON.stringify({ resultUrl: `${li.id}/results/${encodeURIComponent(s.userId)}`, 'https://canvas.instructure.com/lti/submission': { content_items: [] } }));
    });
  }

  private results(req: Request, res: Response): void {
    if (this.host.kind === 'moodle' && req.query.limit !== undefined) { res.status(404).type('html').send('<!doctype html><title>Not found</title>'); return; }
    this.withItem(req, res, [AGS_SCOPES.resultReadonly], (li) => {
      if (this.host.kind === 'moodle') {
        const userFilter = str(req.query.user_id);
        this.page(req, res, this.resultsOf(li.id).filter((r) => userFilter === undefined || r.userId === userFilter), MT.results, (page) => page);
        return;
      }
      const latest = new Map<string, Record<string, unknown>>();
      for (const s of this.scores) if (s.lineItemUrl === li.id) latest.set(String(s.body.userId), s.body);
      const userFilter = str(req.query.user_id);
      const results = [...latest.entries()].filter(([u]) => userFilter === undefined || u === userFilter).map(([userId, s]) => ({
        id: `${li.id}/results/${encodeURIComponent(userId)}`, scoreOf: li.id, userId,
        ...(typeof s.scoreGiven === 'number' ? { resultScore: s.scoreGiven, resultMaximum: s.scoreMaximum } : {}),
        ...(typeof s.comment === 'string' ? { comment: s.comment } : {}),
      }));
      this.page(req, res, results, MT.results, (page) => page);
    });
  }

  /**
   * Moodle's results for a line item, as recorded: only a FullyGraded score with scoreGiven writes a
   * grade, rescaled to the item's maximum and clamped to it; a user whose grade is NULL is `{id, userId}`;
   * timestamps look like `2026-12-04T08:05:46+00:00`.
   */
  resultsOf(lineItemUrl: string): Array<Record<string, unknown>> {
    const li = this.lineItems.find((x) => x.id === lineItemUrl);
    const max = typeof li?.body.scoreMaximum === 'number' ? li.body.scoreMaximum : 100;
    const graded = new Map<string, Record<string, unknown> | null>();
    for (const s of this.scores.filter((x) => x.lineItemUrl === lineItemUrl)) {
      const b = s.body;
      const userId = String(b.userId);
      if (b.gradingProgress === 'FullyGraded' && typeof b.scoreGiven === 'number' && typeof b.scoreMaximum === 'number') graded.set(userId, b);
      else if (!graded.has(userId)) graded.set(userId, null);
    }
    return [...graded.entries()].map(([userId, b]) => {
      const id = `${lineItemUrl}/results?user_id=${encodeURIComponent(userId)}`;
      if (!b) return { id, userId };
      const score = Math.min(max, ((b.scoreGiven as number) / (b.scoreMaximum as number)) * max);
      return { id, userId, resultScore: score, resultMaximum: max, scoreOf: lineItemUrl, timestamp: new Date(String(b.timestamp)).toISOString().replace(/\.\d{3}Z$/, '+00:00') };
    });
  }

  /**
   * NRPS. Both leave suspended members out (Moodle: suspended enrolment; Canvas: only active ones).
   * Moodle: short role names ("Learner"), `limit`/`from` paging with a rel="next" link only when
   * `limit` is given. Canvas: status always Active, 10 per page by default (`limit` = per_page),
   * paging only by a Link header with current,next,first,last comma-joined without spaces.
   */
  private memberships(req: Request, res: Response): void {
    if (!this.hasScope(res, [NRPS_SCOPE])) return;
    const contextId = req.params.contextId as string;
    const role = str(req.query.role);
    const moodle = this.host.kind === 'moodle';
    const all = (this.members.get(contextId) ?? [])
      .filter((m) => !m.suspended && (moodle || (m.status ?? 'Active') === 'Active'))
      .filter((m) => role === undefined || m.roles.some((r) => r === role || r.endsWith(`#${role}`) || role.endsWith(`#${r}`)))
      .map(({ suspended: _s, ...m }) => ({
        status: 'Active', ...m, roles: moodle ? m.roles.map(shortMoodleRole) : m.roles,
        // With ?rlid= each member carries the claims a launch of that link would have (only message_type here).
        ...(req.query.rlid !== undefined ? { message: [{ 'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiResourceLinkRequest' }] } : {}),
      }));
    const wrap = (members: unknown[]) => ({ id: `${this.host.baseUrl}${req.originalUrl}`, context: this.host.contextInfo(contextId), members });
    if (moodle) { this.page(req, res, all, MT.members, wrap); return; }
    const perPage = Math.max(1, Math.min(100, Number(str(req.query.per_page) ?? str(req.query.limit) ?? 10) || 10));
    const lastPage = Math.max(1, Math.ceil(all.length / perPage));
    const pageNo = Math.min(lastPage, Math.max(1, Number(str(req.query.page) ?? 1) || 1));
    const link = (n: number): string => {
      const u = new URL(`${this.host.baseUrl}${req.path}`);
      for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string' && !['page', 'per_page', 'limit'].includes(k)) u.searchParams.set(k, v);
      u.searchParams.set('page', String(n));
      u.searchParams.set('per_page', String(perPage));
      return u.href;
    };
    const rels = [`<${link(pageNo)}>; rel="current"`];
    if (pageNo < lastPage) rels.push(`<${link(pageNo + 1)}>; rel="next"`);
    if (pageNo > 1) rels.push(`<${link(pageNo - 1)}>; rel="prev"`);
    rels.push(`<${link(1)}>; rel="first"`, `<${link(lastPage)}>; rel="last"`);
    res.set('Link', rels.join(','));
    res.type(MT.members).send(JSON.stringify(wrap(all.slice((pageNo - 1) * perPage, pageNo * perPage))));
  }

  /** `limit` + `from` paging with a Link rel="next" header, as platforms page these containers. */
  private page<T>(req: Request, res: Response, all: T[], type: string, wrap: (page: T[]) => unknown): void {
    const limit = Number(str(req.query.limit) ?? NaN);
    const from = Math.max(0, Number(str(req.query.from) ?? 0) || 0);
    let page = all;
    if (Number.isInteger(limit) && limit > 0) {
      page = all.slice(from, from + limit);
      if (from + limit < all.length) {
        const at = (n: number) => { const u = new URL(`${this.host.baseUrl}${req.originalUrl}`); u.searchParams.set('from', String(n)); return u.href; };
        if (this.host.kind === 'moodle' && type === MT.lineItems) {
          // Recorded: `&amp;` inside the URLs, typographic quotes, and a `last` that is off by one.
          const links: Array<[number, string]> = [[0, 'first'], [from, 'canonical'], [from + limit, 'next'], [all.length - 1, 'last']];
          const header = links.map(([n, rel]) => `<${at(n).replace(/&/g, '&amp;')}>; rel=\u201c${rel}\u201d`).join(', ');
          // The quotes go out as raw UTF-8 bytes, as Moodle sends them (Node writes header strings as latin1).
          res.set('Link', Buffer.from(header, 'utf8').toString('latin1'));
        } else {
          res.set('Link', `<${at(from + limit)}>; rel="next"`);
        }
      }
    }
    // Moodle's GET answers escape slashes (`http:\/\/…`).
    const body = JSON.stringify(wrap(page));
    res.type(type).send(this.host.kind === 'moodle' && type === MT.lineItems ? body.replace(/\//g, '\\/') : body);
  }

  // ---- deep linking return ---------------------------------------------------------------------
  /**
   * Moodle (recorded): checks the signature, iss and exp only (not aud, deployment_id or nonce);
   * rejections are 404 HTML pages; every item becomes an activity, graded when it has a lineItem (or
   * always, with "Accept grades: Always"), and the grade item takes the item's title (label ignored).
   * Canvas: iss = client id, aud = Canvas's issuer, deployment checked; an assignment needs
   * lineItem.scoreMaximum and takes the lineItem's label.
   */
  private async deepLinkReturn(req: Request, res: Response): Promise<void> {
    const moodle = this.host.kind === 'moodle';
    const jwt = isObj(req.body) ? str(req.body.JWT) : undefined;
    const fail = (why: string): void => { res.status(moodle ? 404 : 400).type('html').send(`<!doctype html><title>Deep linking failed</title><p>${why.replace(/[<>&]/g, '')}</p>`); };
    if (!jwt) return fail('JWT form field missing');
    let tool: ToolRecord | undefined;
    try { tool = this.host.findTool(str(decodeJwt(jwt).iss) ?? ''); } catch { return fail('JWT is not a JWT'); }
    if (!tool) return fail('unknown tool (iss is not a client id of this platform)');
    let payload: JWTPayload;
    try {
      payload = await verifyToolJwt(jwt, tool, this.http, moodle ? { audience: undefined, requiredClaims: ['exp'] } : { audience: this.host.issuer, requiredClaims: ['exp', 'iat', 'nonce'] });
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err));
    }
    const claim = (name: string): unknown => payload[`https://purl.imsglobal.org/spec/lti/claim/${name}`];
    if (claim('message_type') !== 'LtiDeepLinkingResponse') return fail('message_type must be LtiDeepLinkingResponse');
    if (claim('version') !== '1.3.0') return fail('version must be 1.3.0');
    const deploymentId = claim('deployment_id');
    if (!moodle && (typeof deploymentId !== 'string' || !tool.deploymentIds.has(deploymentId))) return fail(`unknown deployment_id ${String(deploymentId)}`);
    this.deepLinkResponses.push(payload as Record<string, unknown>);
    const errormsg = str(payload['https://purl.imsglobal.org/spec/lti-dl/claim/errormsg']);
    if (moodle && errormsg) return fail(errormsg);
    const items = payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'];
    const contextId = str(req.query.course) ?? '';
    for (const item of Array.isArray(items) ? items : []) this.createActivity(contextId, tool.clientId, item);
    res.type('html').send(`<!doctype html><title>Deep linking done</title><p>${Array.isArray(items) ? items.length : 0} item(s) added.</p>`);
  }

  private createActivity(contextId: string, clientId: string, item: unknown): void {
    if (!isObj(item)) return;
    const moodle = this.host.kind === 'moodle';
    if (item.type !== 'ltiResourceLink' && !(moodle && (item.type === 'link' || item.type === 'html'))) return;
    const title = str(item.title) ?? 'Untitled';
    const resourceLinkId = moodle ? String(100 + this.deepLinkedActivities.length) : randomBytes(16).toString('hex');
    const custom = isObj(item.custom) ? Object.fromEntries(Object.entries(item.custom).filter((e): e is [string, string] => typeof e[1] === 'string')) : undefined;
    const li = isObj(item.lineItem) ? item.lineItem : undefined;
    const graded = moodle ? li !== undefined || this.acceptGrades === 'always' : typeof li?.scoreMaximum === 'number';
    let lineItemUrl: string | undefined;
    if (graded) {
      lineItemUrl = this.itemUrl(contextId, this.nextLineItem++);
      const scoreMaximum = typeof li?.scoreMaximum === 'number' ? li.scoreMaximum : 100;
      const label = moodle ? title : (str(li?.label) ?? title);
      this.lineItems.push({ id: lineItemUrl, contextId, origin: 'platform', toolClientId: clientId, body: { id: lineItemUrl, label, scoreMaximum, resourceLinkId, ...(typeof li?.resourceId === 'string' ? { resourceId: li.resourceId } : {}) } });
    }
    this.deepLinkedActivities.push({ contextId, resourceLinkId, title, ...(custom ? { custom } : {}), ...(lineItemUrl ? { lineItemUrl } : {}) });
  }
}
