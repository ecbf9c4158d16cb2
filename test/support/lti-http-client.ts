/**
 * LtiHttpClient: one simulated browser for LTI tests.
 *
 * A tough-cookie jar + HTTP(S) requests that never follow redirects by themselves. On top of the
 * jar it applies the cookie rules of a current Chromium, which is what makes cross-site LTI
 * launches fail or pass as they would for real:
 *  - a cookie without SameSite is treated as Lax (lax-by-default);
 *  - `SameSite=None` without `Secure` is refused;
 *  - a request's same-site context comes from `initiator` (the page that makes the request) and
 *    `frameTop` (the top-level page when the request is made inside an iframe); sites are
 *    schemeful (`http://127.0.0.1` and `https://127.0.0.1` differ, `127.0.0.1` and `localhost`
 *    differ, two ports of one host are one site);
 *  - in a cross-site context only SameSite=None cookies are sent or accepted, except for a
 *    top-level cross-site GET navigation, which sends and accepts Lax ones too.
 * Not modelled: Chromium's "Lax+POST" two-minute grace for cookies without SameSite, cookie
 * partitioning (a `Partitioned` cookie is stored like any other; `cookies()` reports the flag).
 * Secure cookies work on http://localhost and http://127.0.0.1, as in browsers.
 * Self-signed certificates are accepted for 127.0.0.1/localhost/::1 only.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Cookie, CookieJar, getPublicSuffix } from 'tough-cookie';
import { stallReport } from './stall-report.ts';

export interface ClientRequestInit {
  method?: string;
  /** Sent as application/x-www-form-urlencoded; implies POST unless `method` says otherwise. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** URL of the page that makes this request. Absent: first-party (typed in, or a same-origin page). */
  initiator?: string;
  /** URL of the top-level page when the request is made inside an iframe. */
  frameTop?: string;
}

export interface ClientResponse { status: number; headers: Headers; body: string; url: string }

export interface ClientCookie {
  key: string;
  value: string;
  secure: boolean;
  /** 'none' | 'lax' | 'strict' as the server set it, or 'unspecified' (then treated as Lax). */
  sameSite: string;
  httpOnly: boolean;
  partitioned: boolean;
  path: string;
  domain: string;
}

type SameSiteContext = 'strict' | 'lax' | 'none';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 CircleworkTest/1';

/** Schemeful site of a URL: scheme + registrable domain (the host itself for IPs and single labels). */
export function siteOf(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const registrable = isIP(host) !== 0 || !host.includes('.') ? host : (getPublicSuffix(host) ?? host);
  return `${u.protocol}//${registrable}`;
}

function requestContext(url: URL, method: string, init: ClientRequestInit): SameSiteContext {
  const site = siteOf(url);
  if (init.frameTop !== undefined && siteOf(init.frameTop) !== site) return 'none';
  if (init.initiator !== undefined && siteOf(init.initiator) !== site) {
    const safe = method === 'GET' || method === 'HEAD';
    return safe && init.frameTop === undefined ? 'lax' : 'none';
  }
  return 'strict';
}

function effectiveSameSite(c: Cookie): SameSiteContext {
  const s = c.sameSite?.toLowerCase();
  return s === 'none' || s === 'strict' ? s : 'lax';
}

/** Chromium's Sec-Fetch-Site: no initiator is a typed-in navigation (GET) or a page of the same origin. */
function fetchSite(u: URL, method: string, init: ClientRequestInit): string {
  if (init.initiator === undefined) return method === 'GET' || method === 'HEAD' ? 'none' : 'same-origin';
  const from = new URL(init.initiator);
  if (from.origin === u.origin) return 'same-origin';
  return siteOf(from) === siteOf(u) ? 'same-site' : 'cross-site';
}

function allowedIn(c: Cookie, ctx: SameSiteContext): boolean {
  const s = effectiveSameSite(c);
  if (ctx === 'strict') return true;
  if (ctx === 'lax') return s !== 'strict';
  return s === 'none';
}

interface RawResponse { status: number; rawHeaders: string[]; body: Buffer }

/** When a request counts as stalled (a snapshot of what it waits on is taken), and when it is given up. A test of the report itself lowers them. */
export const requestTimeouts = { stallMs: 5_000, timeoutMs: 15_000 };

function send(u: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // Still unanswered after a while: what the app waits on is read while it still waits, for the timeout's message.
    let stalled: Promise<string> | undefined;
    const watch = setTimeout(() => (stalled = stallReport()), requestTimeouts.stallMs).unref();
    const onResponse = (res: http.IncomingMessage): void => {
      clearTimeout(watch);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    };
    // agent: false = one connection per request (Connection: close): nothing lingers after a test.
    const req = u.protocol === 'https:'
      ? https.request(u, { method, headers, agent: false, rejectUnauthorized: !LOCAL_HOSTS.has(u.hostname) }, onResponse)
      : http.request(u, { method, headers, agent: false }, onResponse);
    req.setTimeout(requestTimeouts.timeoutMs, () => {
      void (stalled ?? Promise.resolve('')).then((report) => req.destroy(new Error(`LtiHttpClient: timeout on ${method} ${u.href}${report ? `\n${report}` : ''}`)));
    });
    req.on('error', (err) => {
      clearTimeout(watch);
      reject(err);
    });
    req.end(body);
  });
}

export class LtiHttpClient {
  readonly jar: CookieJar;
  readonly userAgent: string;
  /** Set-Cookie headers this browser refused, with the reason (handy when a launch loses its state). */
  readonly rejectedCookies: Array<{ url: string; setCookie: string; reason: string }> = [];

  constructor(opts: { userAgent?: string } = {}) {
    this.jar = new CookieJar(undefined, { looseMode: false, allowSecureOnLocal: true });
    this.userAgent = opts.userAgent ?? DEFAULT_UA;
  }

  async request(url: string, init: ClientRequestInit = {}): Promise<ClientResponse> {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`LtiHttpClient: unsupported URL ${url}`);
    u.hash = '';
    const method = (init.method ?? (init.form ? 'POST' : 'GET')).toUpperCase();
    const ctx = requestContext(u, method, init);
    const headers: Record<string, string> = {
      'user-agent': this.userAgent,
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    };
    const cookieHeader = (await this.jar.getCookies(u.href)).filter((c) => allowedIn(c, ctx)).map((c) => c.cookieString()).join('; ');
    if (cookieHeader) headers.cookie = cookieHeader;
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (method !== 'GET' && method !== 'HEAD') headers.origin = new URL(init.initiator ?? u.href).origin;
    headers['sec-fetch-site'] = fetchSite(u, method, init);
    for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));

    const raw = await send(u, method, headers, body);
    const resHeaders = new Headers();
    for (let i = 0; i + 1 < raw.rawHeaders.length; i += 2) resHeaders.append(raw.rawHeaders[i]!, raw.rawHeaders[i + 1]!);
    for (const setCookie of resHeaders.getSetCookie()) await this.store(u, setCookie, ctx);
    return { status: raw.status, headers: resHeaders, body: raw.body.toString('utf8'), url: u.href };
  }

  /** GET following redirects (max 10) on any host, keeping cookies; the redirect chain keeps the first initiator. */
  async follow(url: string, init: Pick<ClientRequestInit, 'headers' | 'initiator' | 'frameTop'> = {}): Promise<ClientResponse> {
    let current = url;
    for (let hop = 0; hop <= 10; hop++) {
      const res = await this.request(current, { ...init, method: 'GET' });
      const location = res.headers.get('location');
      if (!REDIRECT_STATUSES.has(res.status) || location === null) return res;
      current = new URL(location, res.url).href;
    }
    throw new Error(`LtiHttpClient: more than 10 redirects starting at ${url}`);
  }

  /** Every cookie stored for `url` as one Cookie header, for a load generator that sends it as this client would. */
  async cookieHeader(url: string): Promise<string> {
    return (await this.cookies(url)).map((c) => `${c.key}=${c.value}`).join('; ');
  }

  async cookies(url: string): Promise<ClientCookie[]> {
    return (await this.jar.getCookies(url)).map((c) => ({
      key: c.key,
      value: c.value,
      secure: c.secure,
      sameSite: c.sameSite?.toLowerCase() ?? 'unspecified',
      httpOnly: c.httpOnly,
      partitioned: (c.extensions ?? []).some((e) => e.toLowerCase() === 'partitioned'),
      path: c.path ?? '/',
      domain: c.domain ?? '',
    }));
  }

  private async store(u: URL, setCookie: string, ctx: SameSiteContext): Promise<void> {
    const reject = (reason: string): void => { this.rejectedCookies.push({ url: u.href, setCookie, reason }); };
    const cookie = Cookie.parse(setCookie);
    if (!cookie) return reject('unparseable');
    if (cookie.sameSite?.toLowerCase() === 'none' && !cookie.secure) return reject('SameSite=None without Secure');
    if (!allowedIn(cookie, ctx)) return reject(`SameSite=${effectiveSameSite(cookie)} cookie set in a cross-site (${ctx}) context`);
    try {
      await this.jar.setCookie(cookie, u.href);
    } catch (err) {
      reject(err instanceof Error ? err.message : String(err));
    }
  }
}
