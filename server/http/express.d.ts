import type { LaunchContext, SessionUser } from '../launch-context.ts';
import type { AppCaches } from '../cache/app-caches.ts';

declare global {
  namespace Express {
    // Passport's user is our session user: the launches of this browser, and a signed-in tool admin.
    interface User extends SessionUser {}
    interface Request {
      /** The launch this request acts under, set by requireLaunch from the cohort in the URL. */
      launch?: LaunchContext;
      id?: unknown;
      /** The app's in-process caches (server/cache/), set for every request by createApp. */
      caches?: AppCaches;
    }
  }
}
export {};
