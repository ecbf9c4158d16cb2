// AGS (Assignment and Grade Services): posts one score to the LMS, finding or creating the line
// item when the launch did not name one. Service tokens come from the platform's token endpoint
// (client credentials with an assertion signed by the tool's key for that platform) and are cached
// in ltijs's own `accesstoken` documents (service-token.ts, shared with the roster's NRPS calls).
//
// ltijs's Grade.submitScore is not used: it overwrites the score's timestamp with its clock, and a
// retry must resend the identical payload. Its HTTP client (got 11) also retries GETs by itself and
// has no timeout, and a worker must neither hide failures nor hang on an LMS that does not answer.
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Db } from '../models/db.ts';
import { updateResourceLinkLineitem } from '../models/resource-links.queries.ts';
import { forgetServiceToken, LtiServiceError, serviceToken, type ServicePlatform, type ServiceToken } from './service-token.ts';

export const AGS_SCOPES = {
  lineitem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineitemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;

const MEDIA = {
  score: 'application/vnd.ims.lis.v1.score+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItems: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
} as const;

const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_LINE_ITEM_PAGES = 20;

export const GRADE_SYNC_ONLY_REASON =
  'This link has no grade item in the LMS, and the LMS lets Circlework send scores only (grade sync only), not create grade items. Give the activity a grade item in the LMS (or allow Circlework to manage grade items), then retry.';

export const UNKNOWN_LINK_REASON =
  'The LMS refused to create a grade item for this link (403): it may no longer know the link (was the activity deleted?). Open the activity again from the course, then retry.';

export interface AgsDeps {
  db: Db;
  log: Logger;
  ltiEncryptionKey: string;
  /** Per HTTP request to the LMS. */
  timeoutMs?: number;
}

/** Where a score goes: the platform that issues tokens, and the LMS link whose line item takes it. */
export interface ScoreTarget {
  platform: ServicePlatform;
  link: {
    tenantId: string;
    resourceLinkId: string;
    title: string | null;
    lineitemUrl: string | null;
    lineitemsUrl: string | null;
    agsScopes: string[];
  };
}

/** A failed AGS exchange. `reason` is written for the facilitator; `retryable` says whether a later attempt may succeed. */
export class AgsError extends Error {
  readonly retryable: boolean;
  readonly reason: string;
  readonly httpStatus: number | undefined;
  /** The LMS holds a score at least as new as the one sent (see postScore). */
  readonly supersededScore: boolean;
  constructor(retryable: boolean, reason: string, httpStatus?: number, supersededScore = false) {
    super(reason);
    this.retryable = retryable;
    this.reason = reason;
    this.httpStatus = httpStatus;
    this.supersededScore = supersededScore;
  }
}

/** Canvas's score extension (its Score API: new_submission, submission_type, …). */
export const CANVAS_SUBMISSION = 'https://canvas.instructure.com/lti/submission';

export const SUPERSEDED_NOTE = 'The LMS already had this score or a newer one for this learner, and kept it.';

/**
 * Posts the score (as given, plus Canvas's extension below) to the link's line item; returns the line item used.
 * `superseded`: the LMS refused it only because it holds a score at least as new — Moodle's 409
 * (timestamps compared to the second) or Canvas's 400 "before last updated timestamp": our own
 * earlier delivery of this very payload, or a newer grade. Nothing is left to send either way.
 */
export async function postScore(deps: AgsDeps, target: ScoreTarget, score: Record<string, unknown>): Promise<{ lineitemUrl: string; superseded: boolean }> {
  const client = new AgsClient(deps, target.platform);
  const lineitemUrl = target.link.lineitemUrl ?? (await findOrCreateLineItem(deps, client, target.link));
  try {
    // Canvas makes every score a new submission attempt unless told not to, and an assignment with
    // limited attempts then refuses later scores (422). Other platforms ignore the extension.
    const body = { ...score, [CANVAS_SUBMISSION]: { new_submission: false } };
    await client.request(AGS_SCOPES.score, 'the score', { method: 'POST', url: scoresUrl(lineitemUrl), contentType: MEDIA.score, body });
  } catch (err) {
    if (err instanceof AgsError && err.supersededScore) return { lineitemUrl, superseded: true };
    throw err;
  }
  return { lineitemUrl, superseded: false };
}

/** The line item of a link that the launch did not name: looked up by resource link id, else created. */
async function findOrCreateLineItem(deps: AgsDeps, client: AgsClient, link: ScoreTarget['link']): Promise<string> {
  const canManage = link.agsScopes.includes(AGS_SCOPES.lineitem);
  const readScope = canManage ? AGS_SCOPES.lineitem : link.agsScopes.includes(AGS_SCOPES.lineitemReadonly) ? AGS_SCOPES.lineitemReadonly : undefined;
  if (!link.lineitemsUrl || !readScope) throw new AgsError(false, GRADE_SYNC_ONLY_REASON);

  const first = new URL(link.lineitemsUrl);
  first.searchParams.set('resource_link_id', link.resourceLinkId);
  let next: string | undefined = first.href;
  for (let page = 0; next && page < MAX_LINE_ITEM_PAGES; page++) {
    const res = await client.request(readScope, 'the grade item lookup', { method: 'GET', url: next, accept: MEDIA.lineItems });
    const items = LineItems.safeParse(res.json);
    const found = items.success ? items.data.find((i) => i.resourceLinkId === link.resourceLinkId) : undefined;
    if (found) {
      await updateResourceLinkLineitem(deps.db, link.tenantId, link.resourceLinkId, found.id);
      return found.id;
    }
    next = nextPage(res.headers.get('link'));
  }
  if (!canManage) throw new AgsError(false, GRADE_SYNC_ONLY_REASON);

  const res = await client
    .request(AGS_SCOPES.lineitem, 'the grade item creation', {
      method: 'POST',
      url: link.lineitemsUrl,
      contentType: MEDIA.lineItem,
      accept: MEDIA.lineItem,
      body: { label: link.title?.trim() || 'Circlework', scoreMaximum: 100, resourceLinkId: link.resourceLinkId },
    })
    .catch((err: unknown) => {
      // Moodle answers 403 when it no longer knows the resourceLinkId (the activity was deleted).
      if (err instanceof AgsError && !err.retryable && err.httpStatus === 403) throw new AgsError(false, UNKNOWN_LINK_REASON, 403);
      throw err;
    });
  const created = LineItem.safeParse(res.json);
  if (!created.success) throw new AgsError(false, 'The LMS created a grade item but did not say where it is.');
  await updateResourceLinkLineitem(deps.db, link.tenantId, link.resourceLinkId, created.data.id);
  return created.data.id;
}

const LineItem = z.looseObject({ id: z.url({ protocol: /^https?$/ }), resourceLinkId: z.string().optional() });
const LineItems = z.array(z.unknown()).transform((items) => items.flatMap((i) => {
  const parsed = LineItem.safeParse(i);
  return parsed.success ? [parsed.data] : [];
}));

/** `${lineitem}/scores`, keeping the line item URL's query string where it belongs. */
export function scoresUrl(lineitemUrl: string): string {
  const u = new URL(lineitemUrl);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/scores`;
  return u.href;
}

/**
 * The rel="next" URL of a Link header. Moodle writes `&amp;` inside the URLs and typographic quotes
 * (`rel=“next”`, raw UTF-8 that arrives as latin1 bytes): the rel value is read as its words only.
 */
export function nextPage(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const m of link.matchAll(/<([^>]+)>([^<]*)/g)) {
    const rel = /\brel\s*=\s*([^;,]*)/i.exec(m[2]!)?.[1] ?? '';
    if (rel.toLowerCase().replace(/[^a-z0-9.-]+/g, ' ').trim().split(' ').includes('next')) return m[1]!.replace(/&amp;/g, '&');
  }
  return undefined;
}

/**
 * What a failed answer means: 5xx, 408, 429 and a throttling 403 (Canvas) are worth retrying; other
 * 4xx are not. Moodle says why in the status line (its error bodies are `[]`), so that counts too.
 */
export function classifyFailure(status: number, body: string, what: string, statusText = ''): AgsError {
  const said = excerpt(body) || excerpt(statusText === defaultStatusText(status) ? '' : statusText);
  const detail = said ? `: ${said}` : '';
  if (status >= 500 || status === 408) return new AgsError(true, `The LMS had a temporary problem with ${what} (${status}${detail}).`, status);
  if (status === 429 || (status === 403 && /rate limit/i.test(`${body} ${statusText}`))) {
    return new AgsError(true, `The LMS asked Circlework to slow down (${status}${detail}).`, status);
  }
  const superseded = status === 409 || (status === 400 && /before last updated timestamp/i.test(body));
  return new AgsError(false, `The LMS refused ${what} (${status}${detail}).`, status, superseded);
}

function defaultStatusText(status: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 412: 'Precondition Failed', 422: 'Unprocessable Entity' } as Record<number, string>)[status] ?? '';
}

/** A short, plain-text summary of an LMS error body for the facilitator. */
function excerpt(body: string): string {
  let text = body;
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    // OAuth2 ({error, error_description}), Moodle ({message}; `[]` says nothing) and Canvas
    // ({errors: {type, message}} or {errors: [{message}]}) shapes.
    const errors = (Array.isArray(json.errors) ? json.errors : [json.errors]).map((e) => (typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : e));
    // Moodle's service errors are {status, reason, request}: the reason is the status phrase.
    const parts = [json.error, json.error_description, json.message, ...errors, json.reason].filter((p) => typeof p === 'string');
    text = parts.length > 0 ? parts.join(': ') : Array.isArray(json) && json.length === 0 ? '' : text;
  } catch {
    // not JSON: keep the text
  }
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.length > 200 ? `${plain.slice(0, 199)}…` : plain;
}

interface AgsRequest {
  method: 'GET' | 'POST';
  url: string;
  accept?: string;
  contentType?: string;
  body?: unknown;
}


/** One platform's AGS endpoints with a token per scope; a cached token the LMS no longer takes is replaced once. */
class AgsClient {
  readonly #deps: AgsDeps;
  readonly #platform: ScoreTarget['platform'];

  constructor(deps: AgsDeps, platform: ScoreTarget['platform']) {
    this.#deps = deps;
    this.#platform = platform;
  }

  async request(scope: string, what: string, req: AgsRequest): Promise<{ json: unknown; headers: Headers }> {
    let token = await this.#token(scope, false);
    let res = await this.#send(req, token.value);
    if (res.status === 401 && token.cached) {
      await forgetServiceToken(this.#deps, this.#platform, scope);
      token = await this.#token(scope, true);
      res = await this.#send(req, token.value);
    }
    const text = await res.text();
    if (!res.ok) throw classifyFailure(res.status, text, what, res.statusText);
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { json, headers: res.headers };
  }

  async #send(req: AgsRequest, token: string): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (req.accept) headers.accept = req.accept;
    if (req.contentType) headers['content-type'] = req.contentType;
    return this.#fetch(req.url, { method: req.method, headers, ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }) });
  }

  async #token(scope: string, fresh: boolean): Promise<ServiceToken> {
    try {
      return await serviceToken(this.#deps, this.#platform, scope, { fresh });
    } catch (err) {
      if (!(err instanceof LtiServiceError)) throw err;
      const status = err.status === undefined ? '' : ` (${err.status})`;
      throw new AgsError(err.retryable, `The LMS did not give Circlework an access token${status}. If this keeps happening, check the registration in the admin console.`, err.status);
    }
  }

  async #fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.#deps.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      this.#deps.log.warn({ err, url }, 'AGS request failed');
      throw new AgsError(true, `The LMS could not be reached (${cause}).`);
    }
  }
}
