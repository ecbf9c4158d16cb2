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
  readonly retryable: boolean;
  readonly status: number | undefined;
  constructor(message: string, retryable: boolean, status?: number) {
    super(message);
    this.retryable = retryable;
    this.status = status;
    this.name = 'LtiServiceError';
  }
}

const TokenResponse = z.object({
  access_token: z.string().min(1).max(8192),
  token_type: z.string().max(64).optional(),
  expires_in: z.coerce.number().positive().optional(),
});
type TokenResponse = z.infer<typeof TokenResponse>;

/** 408, 429, 5xx and Canvas's 403 throttle pass with time; other 4xx need a person to fix something. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 403 || status >= 500;
}

export interface ServiceToken {
  value: string;
  /** Taken from the cache: if the LMS refuses it (401), forget it and ask for a fresh one once. */
  cached: boolean;
}

type TokenDeps = { db: Db; ltiEncryptionKey: string; timeoutMs?: number };

/**
 * A token for `scope` (space-separated scopes), reused until 30 s before it expires. Cached in ltijs's
 * own `accesstoken` documents (encrypted, same shape), so ltijs's services and ours share them.
 */
export async function serviceToken(deps: TokenDeps, platform: ServicePlatform, scope: string, opts: { fresh?: boolean } = {}): Promise<ServiceToken> {
  const store = tokenStore(deps);
  const index = tokenIndex(platform, scope);
  if (!opts.fresh) {
    const rows = (await store.Get(deps.ltiEncryptionKey, 'accesstoken', index)) || [];
    const doc = rows[0] as { token?: TokenResponse; createdAt?: number } | undefined;
    const ageSeconds = (Date.now() - Number(doc?.createdAt ?? 0)) / 1000;
    if (doc?.token?.access_token && ageSeconds < (doc.token.expires_in ?? 3600) - 30) return { value: doc.token.access_token, cached: true };
  }
  const answer = await fetchServiceToken(deps, platform, scope);
  await store.Replace(deps.ltiEncryptionKey, 'accesstoken', index, { token: answer }, index);
  return { value: answer.access_token, cached: false };
}

/** Drops a cached token the LMS no longer accepts. */
export async function forgetServiceToken(deps: TokenDeps, platform: ServicePlatform, scope: string): Promise<void> {
  await tokenStore(deps).Delete('accesstoken', tokenIndex(platform, scope));
}

export async function requestServiceToken(deps: TokenDeps, platform: ServicePlatform, scopes: readonly string[]): Promise<string> {
  return (await serviceToken(deps, platform, scopes.join(' '))).value;
}

function tokenStore(deps: { db: Db }): LtijsPostgresPlugin {
  return new LtijsPostgresPlugin(deps.db, () => undefined);
}

function tokenIndex(platform: ServicePlatform, scope: string) {
  return { platformUrl: platform.issuer, clientId: platform.clientId, scopes: scope };
}

/** OAuth2 client credentials with a private_key_jwt assertion (LTI Security Framework 4.1). */
async function fetchServiceToken(deps: TokenDeps, platform: ServicePlatform, scope: string): Promise<TokenResponse> {
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
        scope,
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
  return parsed.data;
}

async function loadToolKey(deps: { db: Db; ltiEncryptionKey: string }, kid: string): Promise<crypto.KeyObject> {
  const rows = await tokenStore(deps).Get(deps.ltiEncryptionKey, 'privatekey', { kid });
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
