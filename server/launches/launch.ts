// After ltijs has verified the id_token: validate every claim we use, apply the platform's deployment
// policy, record the cohort, person and membership, and hand over to our own session (303).
import type { Request, Response } from 'express';
import { decodeJwt } from 'jose';
import type { Db, RetryOptions } from '../../models/db.ts';
import * as platforms from '../../models/platforms.queries.ts';
import { AppError } from '../errors.ts';
import { recordLaunch } from '../cohorts/cohorts.service.ts';
import type { LaunchContext, SessionUser } from '../launch-context.ts';
import { LaunchClaims, toLaunch } from '../../lti/launch-claims.ts';
import { resolveLaunchTenant } from '../platforms/platforms.service.ts';
import { issueHandover, type HandoverDeps } from './window-handover.ts';

export interface LaunchDeps extends HandoverDeps {
  log?: RetryOptions['log'];
  /** Runs after a launch has been recorded and the session started (e.g. a roster sync). */
  afterLaunch?: (context: LaunchContext) => Promise<unknown>;
  /** Renders one of our views (the new-window page). */
  renderPage: (req: Request, res: Response, view: string, model: Record<string, unknown>) => void;
}

/** What the LTI tool does with a launch ltijs has verified (its onLaunch). */
export function launchHandler(deps: LaunchDeps): (token: Record<string, unknown>, req: Request, res: Response) => Promise<void> {
  const launchDeps = { ...deps, offerNewWindow: (req: Request, res: Response, context: LaunchContext, target: string) => offerNewWindow(deps, req, res, context, target) };
  return (token, req, res) => completeLaunch(launchDeps, token, req, res);
}

/** After a launch that came without cookies: the page checks whether this frame keeps one at all. */
async function offerNewWindow(deps: LaunchDeps, req: Request, res: Response, context: LaunchContext, target: string): Promise<void> {
  const handover = await issueHandover(deps, context, target);
  deps.renderPage(req, res, 'lti/enter', { title: 'Opening Circlework', next: target, handover });
}

export async function completeLaunch(
  deps: {
    db: Db;
    log?: RetryOptions['log'];
    afterLaunch?: (context: LaunchContext) => Promise<unknown>;
    /** For a launch whose frame may keep no cookie: a page that checks, and offers a new window if so. */
    offerNewWindow?: (req: Request, res: Response, context: LaunchContext, target: string) => Promise<void>;
  },
  token: Record<string, unknown>,
  req: Request,
  res: Response,
): Promise<void> {
  // ltijs verified this very token moments ago in this request (ltiaas mode: no ltik hop).
  const raw = (req.body as { id_token?: unknown } | undefined)?.id_token;
  if (typeof raw !== 'string') throw new AppError(400, 'launch-body', 'The launch did not carry an identity token.');
  const parsed = LaunchClaims.safeParse(decodeJwt(raw));
  if (!parsed.success) {
    const claims = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'token').replace(/^https:\/\/purl\.imsglobal\.org\/spec\//, '')))];
    throw new AppError(400, 'launch-claims', `The launch from your learning platform is missing or has malformed information (${claims.join(', ')}). Tell your course administrator.`);
  }
  const launch = toLaunch(parsed.data, String(token.clientId));
  const platform = await platforms.findPlatformByIssuerAndClient(deps.db, launch.issuer, launch.clientId);
  if (!platform || platform.status !== 'active') {
    throw new AppError(403, 'inactive-platform', 'This learning platform’s registration is not active. Ask your Circlework administrator.');
  }
  const tenant = await resolveLaunchTenant(deps.db, platform, launch.deploymentId);
  if (!launch.context) {
    throw new AppError(400, 'launch-no-context', 'Circlework runs inside a course. Open it from an activity or link in your course.');
  }
  const recorded = await recordLaunch(deps.db, { tenantId: tenant.id, platformId: platform.id }, { ...launch, context: launch.context }, deps.log);
  if (launch.deepLinking && recorded.role !== 'facilitator') {
    throw new AppError(403, 'deep-linking-role', 'Only teachers and course designers add Circlework to a course. Ask your course’s teacher.');
  }
  const context = launch.deepLinking ? { ...recorded, deepLinking: { ...launch.deepLinking, clientId: launch.clientId, deploymentId: launch.deploymentId } } : recorded;
  await startSession(req, context);
  await deps.afterLaunch?.(context);
  const home = `/cohorts/${context.cohortId}`;
  const target = launch.deepLinking
    ? `${home}/deep-linking`
    : launch.moduleId
      ? `${home}/modules/${launch.moduleId}`
      : context.role === 'facilitator'
        ? `${home}/console`
        : home;
  // No cookie came with this launch (platform storage stood in for the state cookie): the session
  // cookie just set may be dropped too.
  if (res.locals.launchWithoutCookies && deps.offerNewWindow) return deps.offerNewWindow(req, res, context, target);
  res.redirect(303, target);
}

/**
 * A fresh session id at every launch (passport's login regenerates it). Launches into other cohorts
 * by the same platform user are kept, so two courses open in two tabs both keep working.
 */
export async function startSession(req: Request, context: LaunchContext): Promise<void> {
  const previous = req.user as SessionUser | undefined;
  const kept = Object.values(previous?.launches ?? {}).filter((l) => l.issuer === context.issuer && l.sub === context.sub);
  const user: SessionUser = { launches: Object.fromEntries([...kept, context].map((l) => [l.cohortId, l])) };
  await new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
}
