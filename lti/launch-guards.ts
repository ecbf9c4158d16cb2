// The checks ltijs 5.9.9 lacks, run inside its app before its own validation: the login's parameters
// and target, a nonce of ours bound to the login's state (lti_logins), the launch's form, platform
// storage standing in for a state cookie a framed browser did not keep, and the token's platform and
// keys read ahead (ltijs then finds them cached). ltijs's own server errors become our error page.
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import type { Platform } from '../models/schema.ts';
import * as logins from '../models/lti-logins.queries.ts';
import * as platforms from '../models/platforms.queries.ts';
import { AppError } from '../server/errors.ts';
import { i18nFor, msg } from '../server/i18n/i18n.ts';
import { platformJwksCache } from './platform-jwks-cache.ts';
import { readForLaunch } from './launch-cache.ts';
import { isSameOriginPost } from './same-origin.ts';
import type { LtiToolDeps } from './lti-tool.ts';

const StorageTarget = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);

const LoginParams = z.object({
  iss: z.url({ protocol: /^https?$/ }).max(2048),
  login_hint: z.string().min(1).max(2048),
  target_link_uri: z.url({ protocol: /^https?$/ }).max(2048),
  lti_message_hint: z.string().max(4096).optional(),
  client_id: z.string().min(1).max(255).optional(),
  lti_deployment_id: z.string().min(1).max(255).optional(),
  /** LTI platform storage: the frame (by name) that keeps the state and nonce for us (Canvas: post_message_forwarding). */
  lti_storage_target: StorageTarget.optional(),
});

const LaunchBody = z.object({
  id_token: z.string().min(1).max(65536),
  state: z.string().min(1).max(255),
  lti_storage_target: StorageTarget.optional(),
  // Sent only by our own platform storage page (same origin), with what the platform kept for us.
  lti_storage_state: z.string().max(255).optional(),
  lti_storage_nonce: z.string().max(255).optional(),
});

/** Runs inside ltijs's app after its body and cookie parsers, before its own validation. */
export function launchGuards(deps: LtiToolDeps) {
  return (req: Request & { token?: string }, res: Response, next: NextFunction) => {
    const run = async () => {
      if (req.token) throw new AppError(401, 'ltik-refused', msg('lti.launch.ltikRefused'));
      if (req.path === '/login') return guardLogin(deps, req, res, next);
      if (req.path === '/launch') return guardLaunch(req, res, next, deps);
      next();
    };
    const restoreSend = hideLtijsServerErrors(deps, req, res);
    // Our own error page (a 502 when the LMS's keys cannot be fetched, say) is not an ltijs failure.
    run().catch((err) => { restoreSend(); deps.sendError(req, res, err); });
  };
}

/**
 * ltijs answers its own failures (a database error at login, say) with a 500 JSON that carries the
 * internal error message. Those answers become our error page; the details go to the log only.
 */
function hideLtijsServerErrors(deps: LtiToolDeps, req: Request, res: Response): () => void {
  const send = res.send.bind(res);
  res.send = ((body?: unknown) => {
    if (res.statusCode < 500) return send(body);
    res.send = send;
    deps.log.error({ reqId: req.id, ltijs: body }, 'ltijs failed');
    deps.sendError(req, res, new Error('ltijs failed'));
    return res;
  }) as Response['send'];
  return () => { res.send = send; };
}

function guardLogin(deps: LtiToolDeps, req: Request, res: Response, next: NextFunction): void {
  const params = LoginParams.safeParse({ ...req.query, ...(req.body ?? {}) });
  if (!params.success) {
    throw new AppError(400, 'bad-login', msg('lti.launch.badLogin'));
  }
  if (new URL(params.data.target_link_uri).origin !== deps.config.publicUrl.origin) {
    throw new AppError(400, 'bad-target', msg('lti.launch.badTarget'));
  }
  const storageTarget = params.data.lti_storage_target;
  // A login inside the LMS's frame may land where no cookie is kept (Safari before 18.4, or cookies
  // blocked for us): a page checks first, while the platform's one-use login hint is still unused.
  const framed = ['iframe', 'frame'].includes(req.get('sec-fetch-dest') ?? '');
  const { lti_storage_target: _storage, ...login } = params.data;
  // ltijs builds its nonce from Math.random and never remembers it. We put a random one of our own into
  // the redirect, bound to the login's state, and the launch must bring back exactly that pair, once.
  const redirect = res.redirect.bind(res) as (url: string) => void;
  (res as { redirect: (url: string) => void }).redirect = (url: string) => {
    const target = new URL(url);
    const state = target.searchParams.get('state');
    if (!state) return redirect(url);
    const nonce = crypto.randomBytes(24).toString('base64url');
    target.searchParams.set('nonce', nonce);
    logins
      .insertLtiLogin(deps.db, { state, nonce })
      .then(() => {
        if (!storageTarget && !framed) return redirect(target.toString());
        // Where the platform offers storage, the state and nonce are kept there too (the state cookie,
        // though Partitioned, may be refused). Where it does not and the frame keeps no cookie, the
        // page offers to start this login again in a new window, with the same parameters.
        deps.renderPage(req, res, 'lti/login-step', {
          title: pageTitle(req),
          storageTarget,
          storageOrigin: target.origin,
          state,
          nonce,
          next: target.toString(),
          // A link, not a form: the login's redirect to the platform would be a form-action target.
          restart: `/lti/login?${new URLSearchParams(Object.entries(login).filter((e): e is [string, string] => e[1] !== undefined))}`,
        });
      })
      .catch((err) => deps.sendError(req, res, err));
  };
  next();
}

async function guardLaunch(req: Request, res: Response, next: NextFunction, deps: LtiToolDeps): Promise<void> {
  if (req.method !== 'POST') {
    throw new AppError(400, 'launch-method', msg('lti.launch.method'));
  }
  const posted = (req.body ?? {}) as Record<string, unknown>;
  // The OIDC answer can be an error instead of an id_token (Moodle posts back access_denied,
  // unauthorized_client, invalid_request; Canvas login_required…).
  if (typeof posted.error === 'string' && posted.id_token === undefined) {
    deps.log.info({ reqId: req.id, error: posted.error.slice(0, 100), description: String(posted.error_description ?? '').slice(0, 300) }, 'the platform refused the sign-in');
    throw new AppError(401, 'launch-refused', msg('lti.launch.refused'));
  }
  const body = LaunchBody.safeParse(posted);
  if (!body.success) throw new AppError(400, 'launch-body', msg('lti.launch.noIdToken'));
  let claims: Record<string, unknown>;
  let kid: string | undefined;
  try {
    claims = decodeJwt(body.data.id_token);
    kid = decodeProtectedHeader(body.data.id_token).kid;
  } catch {
    throw new AppError(400, 'launch-not-jwt', msg('lti.launch.notJwt'));
  }
  const nonce = typeof claims.nonce === 'string' ? claims.nonce : '';
  const { state, lti_storage_target: storageTarget } = body.data;
  const signedCookies = ((req as { signedCookies?: Record<string, unknown> }).signedCookies ??= {});
  const storageInstead = !signedCookies[`state${state}`] && storageTarget !== undefined;
  if (storageInstead && body.data.lti_storage_state === undefined) {
    // No state cookie came back, but the platform keeps the state and nonce for us: our page asks it
    // for them and posts this launch again. The login is consumed only by that second POST.
    const origin = await platformStorageOrigin(deps, claims);
    if (origin) {
      deps.renderPage(req, res, 'lti/platform-storage', { title: pageTitle(req), storageTarget, storageOrigin: origin, state, nonce, idToken: body.data.id_token });
      return;
    }
  }
  if (storageInstead && body.data.lti_storage_state !== undefined) {
    // Only our page (same origin) may claim what the platform kept: a form posted from another site
    // could carry any values, so what it says would prove nothing about this browser.
    if (!isSameOriginPost(req, deps.config.publicUrl.origin)) {
      throw new AppError(403, 'launch-storage-origin', msg('lti.launch.storageOrigin'));
    }
    if (body.data.lti_storage_state !== state || body.data.lti_storage_nonce !== nonce) {
      throw new AppError(401, 'launch-storage-mismatch', msg('lti.launch.storageMismatch'));
    }
  }
  // The login this launch completes: used up by the statement that records the launch, after ltijs
  // has verified the token (server/cohorts/cohorts.service.ts, recordLaunch), or as the launch is
  // refused (acceptLaunch). No session starts without it, and a replay (or a second POST at the same
  // moment) is refused there, having written nothing.
  res.locals.launchLogin = { state, nonce } satisfies logins.LtiLogin;
  if (storageInstead && body.data.lti_storage_state !== undefined && typeof claims.iss === 'string') {
    // Platform storage confirmed the login in this browser: stand in for ltijs's state cookie (its
    // value is the issuer, which ltijs compares with the token's).
    signedCookies[`state${state}`] = claims.iss;
    res.locals.launchWithoutCookies = true;
  }
  if (kid) res.locals.launchPlatform = await prefetchPlatformKeys(deps, claims, kid);
  next();
}

/**
 * The active platform the token names (its issuer and one of its audiences). Only an approved
 * platform counts: a pending registration names any URLs it likes.
 */
async function findTokenPlatform(deps: LtiToolDeps, claims: Record<string, unknown>): Promise<Platform | undefined> {
  const iss = typeof claims.iss === 'string' ? claims.iss : undefined;
  const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!iss) return undefined;
  for (const aud of auds) {
    if (typeof aud !== 'string') continue;
    const platform = await readForLaunch(
      deps.cache,
      `launch-platform:${JSON.stringify([iss, aud])}`,
      () => platforms.findPlatformByIssuerAndClient(deps.db, iss, aud),
      (p) => [`platform:${p.id}`, 'platforms'],
      (p) => p.status === 'active',
    );
    if (platform?.status === 'active') return platform;
  }
  return undefined;
}

/** Where the platform's storage frame lives: the origin of its OIDC authorization endpoint. */
async function platformStorageOrigin(deps: LtiToolDeps, claims: Record<string, unknown>): Promise<string | undefined> {
  const platform = await findTokenPlatform(deps, claims);
  return platform && new URL(platform.authEndpoint).origin;
}

/**
 * Warms the JWKS cache for the token's platform, so ltijs's lookup is served without a fetch.
 * Returns that platform: the launch's own checks use it instead of reading it again.
 */
async function prefetchPlatformKeys(deps: LtiToolDeps, claims: Record<string, unknown>, kid: string): Promise<Platform | undefined> {
  const platform = await findTokenPlatform(deps, claims);
  if (!platform) return undefined;
  try {
    await platformJwksCache.ensureKid(platform.jwksUri, kid);
  } catch (err) {
    deps.log.warn({ err, jwksUri: platform.jwksUri }, 'platform JWKS fetch failed');
    throw new AppError(502, 'platform-keys', msg('lti.launch.platformKeys'));
  }
  return platform;
}

/** The launch steps' title: they come before any session, in the browser's language (Accept-Language). */
function pageTitle(req: Request): string {
  return (req.i18n ?? i18nFor(undefined)).t('lti.launch.pageTitle');
}
