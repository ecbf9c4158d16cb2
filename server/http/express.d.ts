import type { LaunchContext, SessionUser } from '../launch-context.ts';
import type { AppCaches } from '../cache/app-caches.ts';
import type { I18n } from '../i18n/i18n.ts';

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
      /** The language of this request's pages (server/i18n/request-locale.ts); also `i18n` in every view. */
      i18n?: I18n;
    }
  }
}
export {};
