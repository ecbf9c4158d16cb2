// Synchronizer-token CSRF protection for every form POST of ours: SameSite=None (needed inside the
// LMS iframe) removes the browser's own defence.
import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { isSameOriginPost } from '../../lti/same-origin.ts';

// A form sends the token as a field; a script's upload (public/composer.js) in a header.
const { generateToken, csrfSynchronisedProtection, isRequestValid } = csrfSync({
  getTokenFromRequest: (req) => ((req.body as Record<string, unknown> | undefined)?._csrf as string | undefined) ?? req.get('x-csrf-token'),
});

/**
 * The check for a multipart form, whose body the CSRF middleware cannot read (it is streamed, not
 * parsed up front): the upload reader calls it with the fields that came before the first file.
 */
export function isCsrfTokenValid(req: Request): boolean {
  return isRequestValid(req);
}

/**
 * Checks the token on unsafe methods and gives signed-in pages a token for their forms
 * (`{{csrfToken}}`). Anonymous pages get one only where they have a form (issueCsrfToken), so a
 * visitor who only reads does not get a session. A refused form is offered to `keepRefusedForm`
 * first, so what the person wrote can be kept (nothing typed is lost), when the browser says it was sent by
 * one of our pages. `exempt` names the requests
 * that carry their own credential instead of a token (a signed one-click unsubscribe).
 */
export function createCsrfProtection(
  opts: { publicOrigin: string; keepRefusedForm?: (req: Request) => Promise<boolean>; exempt?: (req: Request) => boolean },
): RequestHandler {
  return (req, res, next) => {
    // Only a form that demonstrably came from our own pages is kept: another site can make the
    // browser post anything (cookies are SameSite=None), and must not plant text in a draft.
    const refusal = async (): Promise<AppError> => {
      const kept = opts.keepRefusedForm && isSameOriginPost(req, opts.publicOrigin) ? await opts.keepRefusedForm(req).catch(() => false) : false;
      return new AppError(
        403,
        'csrf',
        kept
          ? msg('errors.csrfKept')
          : msg('errors.csrf'),
      );
    };
    // An exempt request that checks its token itself (a streamed multipart form) refuses the same way.
    if (opts.exempt?.(req)) {
      res.locals.refuseCsrf = refusal;
      return next();
    }
    csrfSynchronisedProtection(req, res, (err?: unknown) => {
      if (!err) {
        if (req.user) issueCsrfToken(req, res);
        return next();
      }
      void refusal().then(next);
    });
  };
}

export function issueCsrfToken(req: Request, res: Response): void {
  res.locals.csrfToken = generateToken(req);
}

