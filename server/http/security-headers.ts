// Security headers for every response, /lti included. The tool lives in the LMS's iframe, so instead
// of X-Frame-Options the CSP's frame-ancestors names the registered platforms' origins, and nothing else.
import crypto from 'node:crypto';
import helmet from 'helmet';
import type { RequestHandler, Response } from 'express';

export function securityHeaders(opts: { listFrameOrigins: () => Promise<readonly string[]>; upgradeInsecure: boolean }): RequestHandler[] {
  const setNonceAndAncestors: RequestHandler = async (req, res, next) => {
    res.locals.cspNonce = nextNonce();
    // The admin console is never embedded: no LMS needs it, and one-click forms invite clickjacking.
    // The registration page starts framed by nobody: its route allows the registering platform's
    // origins (setFrameAncestors), for that response only.
    res.locals.frameAncestors = req.path.startsWith('/admin') || req.path === REGISTRATION_PATH ? ["'none'"] : ["'self'", ...(await opts.listFrameOrigins())];
    next();
  };
  const headers = helmet({
    frameguard: false,
    // The LMS frames us cross-site: cross-origin isolation headers would break the embed.
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
    strictTransportSecurity: opts.upgradeInsecure,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'", (_req, res) => `'nonce-${(res as unknown as { locals: { cspNonce: string } }).locals.cspNonce}'`],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        // Deep linking answers and the OIDC hop post forms to the LMS.
        'form-action': ["'self'", 'https:', ...(opts.upgradeInsecure ? [] : ['http:'])],
        'frame-ancestors': [(_req, res) => frameAncestors(res as unknown as { locals: { frameAncestors: string[] } })],
        ...(opts.upgradeInsecure ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
  });
  return [setNonceAndAncestors, headers];
}

// CSP nonces: 16 bytes each from the CSPRNG, drawn from a pool filled 4 KB at a time (one call into
// it per 256 pages instead of one per page; each byte is used once).
let noncePool = Buffer.alloc(0);
let nonceOffset = 0;
function nextNonce(): string {
  if (nonceOffset + 16 > noncePool.length) {
    noncePool = crypto.randomBytes(4096);
    nonceOffset = 0;
  }
  nonceOffset += 16;
  return noncePool.toString('base64', nonceOffset - 16, nonceOffset);
}

function frameAncestors(res: { locals: { frameAncestors: string[] } }): string {
  return res.locals.frameAncestors.join(' ');
}

/** Where dynamic registration happens: the LMS opens it in a dialog before the platform is active. */
export const REGISTRATION_PATH = '/lti/register';
// An origin as CSP takes it (optionally *.host): nothing that could end the directive or add a source.
const CSP_ORIGIN = /^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?$/i;

/**
 * Replaces frame-ancestors on this response only (the CSP header is already set): the registration
 * page names its platform's origins, which come from a configuration anyone can supply, so they never
 * reach another page. No valid origin: framed by nobody.
 */
export function setFrameAncestors(res: Response, origins: string[]): void {
  const sources = origins.filter((o) => CSP_ORIGIN.test(o));
  res.locals.frameAncestors = sources.length ? sources : ["'none'"];
  const csp = res.getHeader('content-security-policy');
  if (typeof csp !== 'string') return;
  res.setHeader('content-security-policy', csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${frameAncestors(res as unknown as { locals: { frameAncestors: string[] } })}`));
}

/**
 * Chrome keeps third-party cookies only when they are Partitioned (CHIPS); ltijs 5.9.9 and our
 * session library set Secure; SameSite=None without it. Every such cookie gets the attribute here.
 */
export const partitionCrossSiteCookies: RequestHandler = (_req, res, next) => {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: string | number | readonly string[]) => {
    if (name.toLowerCase() === 'set-cookie') {
      const list = (Array.isArray(value) ? value : [String(value)]) as string[];
      value = list.map((c) => (/;\s*secure/i.test(c) && /;\s*samesite=none/i.test(c) && !/;\s*partitioned/i.test(c) ? `${c}; Partitioned` : c));
    }
    return setHeader(name, value);
  };
  next();
};
