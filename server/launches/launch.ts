// The HTTP side of a verified launch: the launch service records it, then we hand over to our own
// session (303), or offer a new window when the LMS frame may keep no cookie.
import type { Request, Response } from 'express';
import type { Platform } from '../../models/schema.ts';
import type { LtiLogin } from '../../models/lti-logins.queries.ts';
import { LaunchReplayedError } from '../errors.ts';
import type { LaunchContext, SessionUser } from '../launch-context.ts';
import { acceptLaunch, type LaunchServiceDeps } from './launch.service.ts';
import { issueHandover, type HandoverDeps } from './window-handover.ts';
import { useLocale } from '../i18n/request-locale.ts';

export interface LaunchDeps extends HandoverDeps, LaunchServiceDeps {
  /**
   * Runs after a launch has been recorded and the session started (e.g. a roster sync).
   * `gradesBackfillDue`: the link can take scores and those already earned were never sent.
   */
  afterLaunch?: (context: LaunchContext, recorded: { gradesBackfillDue: boolean }) => Promise<unknown>;
  /** Renders one of our views (the new-window page). */
  renderPage: (req: Request, res: Response, view: string, model: Record<string, unknown>) => void;
}

/** What the LTI tool does with a launch ltijs has verified (its onLaunch). */
export function launchHandler(deps: LaunchDeps): (token: Record<string, unknown>, req: Request, res: Response) => Promise<void> {
  return (token, req, res) => completeLaunch(deps, token, req, res);
}

/** After a launch that came without cookies: the page checks whether this frame keeps one at all. */
async function offerNewWindow(deps: LaunchDeps, req: Request, res: Response, context: LaunchContext, target: string): Promise<void> {
  const handover = await issueHandover(deps, context, target);
  // The launch's language, as the pages it leads to.
  if (context.locale) useLocale(req, res, context.locale);
  deps.renderPage(req, res, 'lti/enter', { title: req.i18n!.t('lti.launch.pageTitle'), next: target, handover });
}

async function completeLaunch(deps: LaunchDeps, token: Record<string, unknown>, req: Request, res: Response): Promise<void> {
  // ltijs verified this very token moments ago in this request (ltiaas mode: no ltik hop).
  // The LTI tool's guard read the token's platform and the login it completes moments ago in this
  // request (res.locals.launchPlatform, res.locals.launchLogin); without the login there is no launch.
  const login = res.locals.launchLogin as LtiLogin | undefined;
  if (!login) throw new LaunchReplayedError();
  const { context, target, gradesBackfillDue } = await acceptLaunch(deps, (req.body as { id_token?: unknown } | undefined)?.id_token, String(token.clientId), login, res.locals.launchPlatform as Platform | undefined);
  await startSession(req, context);
  await deps.afterLaunch?.(context, { gradesBackfillDue });
  // No cookie came with this launch (platform storage stood in for the state cookie): the session
  // cookie just set may be dropped too.
  if (res.locals.launchWithoutCookies) return offerNewWindow(deps, req, res, context, target);
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
