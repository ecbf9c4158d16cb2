// What an LTI 1.3 platform sends a tool, shared by the built-in demo platform (server/demo/) and the
// test suite's platform simulator: RS256-signed id_tokens and the auto-submitting form that carries
// them (and the login initiation) from the platform's page to the tool.
import { KeyObject, sign as rsaSign } from 'node:crypto';

export const LTI_CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';
export const LIS_ROLE = 'http://purl.imsglobal.org/vocab/lis/v2/';
export const AGS_CLAIM = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
export const NRPS_CLAIM = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';

const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A JWS in compact form, RS256 (PKCS#1 v1.5, SHA-256) over whatever header is given (the simulator's
 * tests put a lying alg or kid in it). `key`: an RSA KeyObject, or a CryptoKey made for RSASSA-PKCS1-v1_5.
 */
export async function signRs256(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject | CryptoKey): Promise<string> {
  const input = `${b64json(header)}.${b64json(claims)}`;
  const signature = key instanceof KeyObject
    ? rsaSign('sha256', Buffer.from(input), key)
    : Buffer.from(await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, key, Buffer.from(input)));
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * A page that POSTs `fields` to `action` at once (a button without script). `scriptNonce`: the CSP
 * nonce of the page's inline script, where the serving page has a CSP.
 */
export function autoPostForm(action: string, fields: Record<string, string>, opts: { scriptNonce?: string } = {}): string {
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
  const script = opts.scriptNonce === undefined ? '<script>' : `<script nonce="${esc(opts.scriptNonce)}">`;
  return `<!doctype html><html><head><title>Launching…</title></head><body>`
    + `<form method="post" action="${esc(action)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form>`
    + `${script}document.forms[0].submit()</script></body></html>`;
}
