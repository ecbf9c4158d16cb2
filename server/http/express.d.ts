import type { LaunchContext, SessionUser } from '../launch-context.ts';

declare global {
  namespace Express {
    // Passport's user is our session user: the launches of this browser, and a signed-in tool admin.
    interface User extends SessionUser {}
    interface Request {
      /** The launch this request acts under, set by requireLaunch from the cohort in the URL. */
      launch?: LaunchContext;
      id?: unknown;
    }
  }
}
export {};
