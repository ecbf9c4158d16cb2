// The one HTTP client /lti/register uses to talk to a platform it does not know yet. Anyone can call
// that URL with any openid_configuration, so the fetch must not become a way in: public addresses only
// (unless ALLOW_INSECURE_REGISTRATION), the connection goes to the address that was checked (a second
// DNS answer cannot rebind it to 127.0.0.1), no redirects, a hard cap on the bytes read while they
// stream in, and a timeout on the whole exchange.
import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** dns.lookup(host, { all: true }); tests inject their own. */
export type LookupAll = (hostname: string) => Promise<ResolvedAddress[]>;
export const systemLookup: LookupAll = (hostname) => dns.lookup(hostname, { all: true });

export interface PlatformFetchLimits {
  /** Bytes of body read at most; one byte more aborts the exchange. */
  maxBytes: number;
  timeoutMs: number;
  /** false: https to public unicast addresses only. */
  allowPrivateAddresses: boolean;
  lookup: LookupAll;
}

export const REGISTRATION_FETCH_LIMITS: Omit<PlatformFetchLimits, 'allowPrivateAddresses'> = {
  maxBytes: 256 * 1024,
  timeoutMs: 10_000,
  lookup: systemLookup,
};

export type PlatformFetchFailure = 'address' | 'network' | 'too-large' | 'redirect';

export class PlatformFetchError extends Error {
  readonly reason: PlatformFetchFailure;
  /** Body bytes read before giving up (for too-large: at most maxBytes plus one chunk). */
  readonly bytesRead: number;
  constructor(reason: PlatformFetchFailure, bytesRead = 0) {
    super(`platform fetch failed: ${reason}`);
    this.reason = reason;
    this.bytesRead = bytesRead;
  }
}

export interface PlatformResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Is every address a public unicast one (no loopback, private, link-local, CGNAT, reserved…)? */
export function allPublic(addresses: ResolvedAddress[]): boolean {
  return addresses.length > 0 && addresses.every(({ address }) => ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast');
}

/** Resolves once; for a URL this may not fetch, PlatformFetchError('address'). */
async function resolvePinned(url: URL, limits: PlatformFetchLimits): Promise<ResolvedAddress> {
  if (!limits.allowPrivateAddresses && url.protocol !== 'https:') throw new PlatformFetchError('address');
  let addresses: ResolvedAddress[];
  try {
    addresses = await limits.lookup(url.hostname.replace(/^\[|\]$/g, ''));
  } catch {
    throw new PlatformFetchError('network');
  }
  if (addresses.length === 0) throw new PlatformFetchError('network');
  if (!limits.allowPrivateAddresses && !allPublic(addresses)) throw new PlatformFetchError('address');
  return addresses[0]!;
}

/** Whether /lti/register may fetch this URL (https, and the host resolves to public addresses only). */
export async function isPublicHost(url: URL, lookup: LookupAll = systemLookup): Promise<boolean> {
  try {
    await resolvePinned(url, { ...REGISTRATION_FETCH_LIMITS, lookup, allowPrivateAddresses: false });
    return true;
  } catch {
    return false;
  }
}

export async function fetchFromPlatform(
  url: URL,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  limits: PlatformFetchLimits,
): Promise<PlatformResponse> {
  const pinned = await resolvePinned(url, limits);
  // The socket connects to the address checked above, whatever DNS says now; TLS still verifies the
  // certificate against the URL's host name.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as (err: null, addresses: ResolvedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const signal = AbortSignal.timeout(limits.timeoutMs);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PlatformResponse>((resolve, reject) => {
    let settled = false;
    const fail = (err: PlatformFetchError) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    const req = client.request(url, {
      method: init.method ?? 'GET',
      headers: { accept: 'application/json', ...init.headers },
      lookup,
      signal,
      // No keep-alive: the pinned lookup belongs to this one exchange.
      agent: false,
    });
    req.on('error', () => fail(new PlatformFetchError('network')));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail(new PlatformFetchError('redirect'));
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > limits.maxBytes) return fail(new PlatformFetchError('too-large'));
      const chunks: Buffer[] = [];
      let bytesRead = 0;
      res.on('data', (chunk: Buffer) => {
        bytesRead += chunk.length;
        if (bytesRead > limits.maxBytes) {
          res.destroy();
          fail(new PlatformFetchError('too-large', bytesRead));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', () => fail(new PlatformFetchError('network', bytesRead)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({ status, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(init.body);
  });
}
