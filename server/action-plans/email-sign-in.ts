// A session made by an emailed sign-in link (after the course, no LTI launch): its launch context per
// cohort, valid on the action-plan pages and on the files of check-ins (a check-in's photo), nowhere else.
import type { RequestHandler } from 'express';
import type { LaunchContext } from '../launch-context.ts';

declare module 'express-session' {
  interface SessionData {
    /** Launch contexts made by emailed sign-in links, per cohort: valid only on action-plan pages. */
    actionPlanLaunches?: Record<string, LaunchContext>;
  }
}

/**
 * Puts an emailed sign-in's launch beside the session's LTI launches, for this request only, and
 * marks the request (res.locals.emailSession) so a route can narrow what such a session reaches.
 */
export const withEmailSignIn: RequestHandler = (req, res, next) => {
  const cohortId = String(req.params.cohortId);
  const viaEmail = req.session?.actionPlanLaunches?.[cohortId];
  if (viaEmail && !req.user?.launches?.[cohortId]) {
    req.user = { ...(req.user ?? {}), launches: { ...(req.user?.launches ?? {}), [cohortId]: viaEmail } };
    // The header's links then stay on the pages this session can open (not the hub or notifications).
    res.locals.emailSession = { homeHref: `/cohorts/${cohortId}/action-plan` };
  }
  next();
};
