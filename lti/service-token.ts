// An OAuth2 access token for the LTI Advantage services (NRPS, AGS) of one platform: the
// client_credentials grant with a private_key_jwt client assertion signed by the tool key made for
// that registration (kept encrypted among ltijs's documents, kid = platforms.tool_kid).
import crypto from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { Db } from '../models/db.ts';
import { LtijsPostgresPlugin } from './ltijs-postgres-plugin.ts';

/** What the token request needs to know about a platform (a `platforms` row fits). */
export interface ServicePlatform {
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  /** The `aud` of the client assertion when the platform names one (Canvas); else the token endpoint. */
  authorizationServer: string | null;
  toolKid: string;
}

/** A platform service failed. `retryable`: worth trying again later (network, 5xx, throttling). */
export class LtiServiceError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LtiServiceError';
  }
}

const TokenResponse = z.object({ access_token: z.string().min(1).max(8192), token_type: z.string().max(64).optional() });

/** 408, 429, 5xx and Canvas's 403 throttle pass with time; other 4xx need a person to fix something. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 403 || status >= 500;
}

export async function requestServiceToken(
  deps: { db: Db; ltiEncryptionKey: string; timeoutMs?: number },
  platform: ServicePlatform,
  scopes: readonly string[],
): Promise<string> {
  const privateKey = await loadToolKey(deps, platform.toolKid);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: platform.toolKid })
    .setIssuer(platform.clientId)
    .setSubject(platform.clientId)
    .setAudience(platform.authorizationServer ?? platform.tokenEndpoint)
    .setIssuedAt()
    .setExpirationTime('60s')
    .setJti(crypto.randomBytes(18).toString('base64url'))
    .sign(privateKey);
  let res: Response;
  try {
    res = await fetch(platform.tokenEndpoint, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: scopes.join(' '),
      }),
      signal: AbortSignal.timeout(deps.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new LtiServiceError(`token request to ${platform.tokenEndpoint} failed: ${errorText(err)}`, true);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    throw new LtiServiceError(`token endpoint ${platform.tokenEndpoint} answered ${res.status}: ${text.slice(0, 300)}`, isRetryableStatus(res.status), res.status);
  }
  const parsed = TokenResponse.safeParse(safeJson(text));
  if (!parsed.success) throw new LtiServiceError(`token endpoint ${platform.tokenEndpoint} answered without an access token`, false, res.status);
  return parsed.data.access_token;
}

async function loadToolKey(deps: { db: Db; ltiEncryptionKey: string }, kid: string): Promise<crypto.KeyObject> {
  // Read-only use of the plugin: it only decrypts ltijs's stored key documents here.
  const store = new LtijsPostgresPlugin(deps.db, () => undefined);
  const rows = await store.Get(deps.ltiEncryptionKey, 'privatekey', { kid });
  const pem = rows ? rows[0]?.key : undefined;
  if (typeof pem !== 'string') throw new LtiServiceError(`no tool key ${kid} is stored for this platform`, false);
  return crypto.createPrivateKey(pem);
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
  return String(err);
}
