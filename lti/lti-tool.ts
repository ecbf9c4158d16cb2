// ltijs 5.9.9 in serverless mode, on our PostgreSQL plugin, with the guards it lacks (launch-guards.ts).
// Its Express 4 app is mounted by the host at /lti; only login, keys and the launch POST ever reach it.
import { createRequire, Module } from 'node:module';
import type { NextFunction, Request, Response, RequestHandler } from 'express';
import type { Db } from '../models/db.ts';
import type { Platform } from '../models/schema.ts';
import * as logins from '../models/lti-logins.queries.ts';
import { AppError, LaunchReplayedError } from '../server/errors.ts';
import { msg, type MessageRef } from '../server/i18n/i18n.ts';
import type { Config } from '../server/config.ts';
import { LtijsPostgresPlugin } from './ltijs-postgres-plugin.ts';
import { platformJwksCache, serveLtijsJwksFromCache } from './platform-jwks-cache.ts';
import type { LaunchCache } from './launch-cache.ts';
import { launchGuards } from './launch-guards.ts';
import type { Logger } from 'pino';

const require = createRequire(import.meta.url);
// ltijs loads its MongoDB store (mongoose, the mongodb driver, and bson's 17 MB scratch buffer)
// whether or not it is used; we always pass our PostgreSQL plugin, so a stand-in takes its place
// in the module cache before ltijs asks for it: every process is ~17 MB smaller (218 → 200 MB idle).
const ltijsMongoStore = require.resolve('ltijs/dist/Utils/Database');
const standIn = new Module(ltijsMongoStore);
standIn.filename = ltijsMongoStore;
standIn.loaded = true;
standIn.exports = class LtijsMongoStoreNotUsed {
  constructor() {
    throw new Error('ltijs was set up without our PostgreSQL plugin');
  }
};
require.cache[ltijsMongoStore] ??= standIn;
const ltijs = require('ltijs') as { Provider: LtijsProvider };
const ltijsHttp = require('ltijs/dist/Utils/Http') as { get: (...args: unknown[]) => unknown };

/** ltijs's service objects (typed where we use them, in the files that use them). */
export interface LtijsServices {
  Grade: unknown;
  NamesAndRoles: unknown;
  DeepLinking: unknown;
}

/** The part of ltijs's Provider we use (its bundled types describe v4). */
export interface LtijsProvider extends LtijsServices {
  constructor: new () => LtijsProvider;
  app: import('express').Application & RequestHandler;
  setup(key: string, db: { plugin: unknown }, options: Record<string, unknown>): LtijsProvider;
  onConnect(cb: (token: Record<string, unknown>, req: Request, res: Response, next: NextFunction) => unknown): void;
  onDeepLinking(cb: (token: Record<string, unknown>, req: Request, res: Response, next: NextFunction) => unknown): void;
  onInvalidToken(cb: (req: Request, res: Response, next: NextFunction) => unknown): void;
  onSessionTimeout(cb: (req: Request, res: Response, next: NextFunction) => unknown): void;
  onUnregisteredPlatform(cb: (req: Request, res: Response) => unknown): void;
  onInactivePlatform(cb: (req: Request, res: Response) => unknown): void;
}

export interface LtiToolDeps {
  config: Config;
  db: Db;
  log: Logger;
  ltiEncryptionKey: string;
  /** Renders the host's error page (the ltijs app has no view engine of its own). */
  sendError: (req: Request, res: Response, err: unknown) => void;
  /** Renders one of the host's views (the platform storage and new-window pages). */
  renderPage: (req: Request, res: Response, view: string, model: Record<string, unknown>) => void;
  /** What a launch ltijs has verified does (the host records it and starts its session); errors go to sendError. */
  onLaunch: (token: Record<string, unknown>, req: Request, res: Response) => Promise<void>;
  /** The app's cache: platforms (ours and ltijs's copies) are read through it. */
  cache?: LaunchCache;
}

const TOKEN_MAX_AGE_SECONDS = 60;

/**
 * An ltijs provider on our database for its services (AGS, NRPS, deep linking) outside a request:
 * job workers make their own; instances share nothing but the database.
 */
export function createLtijsServices(deps: { db: Db; log: Logger; ltiEncryptionKey: string }): LtijsServices {
  const provider = newProvider(deps);
  provider.setup(deps.ltiEncryptionKey, { plugin: newPlugin(deps) }, { cors: false });
  return { Grade: provider.Grade, NamesAndRoles: provider.NamesAndRoles, DeepLinking: provider.DeepLinking };
}

function newProvider(_deps: { db: Db }): LtijsProvider {
  serveLtijsJwksFromCache(ltijsHttp);
  return new ltijs.Provider.constructor();
}

function newPlugin(deps: { db: Db; log: Logger; cache?: LaunchCache }): LtijsPostgresPlugin {
  return new LtijsPostgresPlugin(deps.db, (err, what) => deps.log.error({ err }, `ltijs store: ${what} failed`), deps.cache);
}

export function createLtiTool(deps: LtiToolDeps): RequestHandler {
  const provider = newProvider(deps);
  const plugin = newPlugin(deps);
  const secure = deps.config.secureCookies;
  provider.setup(deps.ltiEncryptionKey, { plugin }, {
    appRoute: '/launch',
    loginRoute: '/login',
    keysetRoute: '/keys',
    // SameSite=None needs Secure; over plain http (local trials) browsers would drop such a cookie.
    cookies: { secure, sameSite: secure ? 'None' : 'Lax' },
    tokenMaxAge: TOKEN_MAX_AGE_SECONDS,
    cors: false,
    // Launch and session hand-off happen in one request; we never issue or accept an ltik afterwards.
    ltiaas: true,
    serverAddon: (app: import('express').Application) => app.use(launchGuards(deps)),
  });

  const fail = (code: string, status: number, message: MessageRef) => (req: Request, res: Response) =>
    deps.sendError(req, res, new AppError(status, code, message));
  provider.onConnect((token, req, res) => deps.onLaunch(token, req, res).catch((err) => deps.sendError(req, res, err)));
  provider.onDeepLinking((token, req, res) => deps.onLaunch(token, req, res).catch((err) => deps.sendError(req, res, err)));
  provider.onInvalidToken((req, res) => {
    const err = res.locals.err as { details?: { message?: string } } | undefined;
    // Verified under a key we had cached: the platform may have replaced it under the same kid.
    const platform = res.locals.launchPlatform as Platform | undefined;
    if (platform && err?.details?.message === 'invalid signature') platformJwksCache.distrust(platform.jwksUri);
    explainInvalidLaunch(deps, res.locals.launchLogin as logins.LtiLogin | undefined, err).then(
      (refusal) => deps.sendError(req, res, refusal),
      (lookupFailed) => deps.sendError(req, res, lookupFailed),
    );
  });
  provider.onSessionTimeout(fail('lti-session', 401, msg('lti.launch.sessionEnded')));
  provider.onUnregisteredPlatform(
    fail('unregistered-platform', 400, msg('lti.launch.unregisteredPlatformAsk')),
  );
  provider.onInactivePlatform(
    fail('inactive-platform', 403, msg('lti.launch.inactivePlatformAsk')),
  );
  return provider.app;
}

/**
 * ltijs's refusal, explained. ltijs clears the state cookie once a launch has used it, so a launch
 * posted again in the same browser fails its cookie check before our login record is asked: when that
 * login is gone, the launch was a replay, not a browser that keeps no cookies.
 */
async function explainInvalidLaunch(deps: LtiToolDeps, login: logins.LtiLogin | undefined, err: { details?: { message?: string } } | undefined): Promise<AppError> {
  if (err?.details?.message === 'MISSING_VALIDATION_COOKIE' && login && !(await logins.isLtiLoginOpen(deps.db, login))) {
    return new LaunchReplayedError();
  }
  return invalidLaunchError(err);
}

/** ltijs's validation failures, in words for the person who clicked the link. */
function invalidLaunchError(err: { details?: { message?: string } } | undefined): AppError {
  const reason = err?.details?.message ?? 'unknown';
  const messages: Record<string, MessageRef> = {
    MISSING_VALIDATION_COOKIE: msg('lti.launch.missingCookie'),
    TOKEN_TOO_OLD: msg('lti.launch.tooOld'),
    UNREGISTERED_PLATFORM: msg('lti.launch.unregisteredPlatform'),
    PLATFORM_NOT_ACTIVATED: msg('lti.launch.platformNotActivated'),
  };
  return new AppError(401, `invalid-launch:${reason}`, messages[reason] ?? msg('lti.launch.notVerified'));
}
