// The one error handler: it picks the status and the page. Users read a message written for them;
// internal errors are logged with the request id and never shown.
import type { Application, ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { AppError, ValidationError } from '../errors.ts';
import { i18nFor, msg, type I18n } from '../i18n/i18n.ts';
import { DEFAULT_LOCALE } from '../i18n/locales.ts';


// Connection refused or reset (or no socket to connect to), PostgreSQL shutting down or starting (57P01-57P03, 08xxx), or the pool
// giving up waiting for a connection: the database is away, not the request wrong.
const DB_UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03']);
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (DB_UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  // The embedded server's Unix socket is gone while it is down.
  if (code === 'ENOENT' && (err as { syscall?: unknown }).syscall === 'connect') return true;
  return /^(Connection terminated|timeout exceeded when trying to connect)/.test(err.message);
}

export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return ValidationError.fromZod(err);
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  // body-parser and friends flag client errors with a status and `expose`.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(status, 'http', status === 413 ? msg('errors.tooLarge') : msg('errors.notUnderstood'));
  }
  if (isDatabaseUnavailable(err)) {
    return new AppError(503, 'unavailable', msg('errors.databaseAway'));
  }
  return undefined;
}

/** Renders the error page with the host app's view engine (also used from inside the ltijs app). */
export function createErrorSender(app: Application, log: { error: (o: object, m: string) => void }) {
  return function sendError(req: Request, res: Response, err: unknown): void {
    const appError = toAppError(err);
    const status = appError?.status ?? 500;
    if (!appError || status >= 500) log.error({ err, reqId: req.id }, appError ? `answered ${status} (${appError.code})` : 'unhandled error');
    if (res.headersSent) {
      res.end();
      return;
    }
    const i18n: I18n = req.i18n ?? i18nFor(DEFAULT_LOCALE);
    const model = {
      // A title per status where the catalogs have one (errors.title.<status>).
      title: i18n.t(i18n.has(`errors.title.${status}`) ? `errors.title.${status}` : 'errors.title.other'),
      message: appError ? i18n.text(appError.userMessage) : i18n.t('errors.internal'),
      code: appError?.code ?? 'internal',
      requestId: String(req.id ?? ''),
      status,
      cspNonce: res.locals.cspNonce,
    };
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(status).json({ error: model.code, message: model.message, fields: appError && Object.fromEntries(Object.entries(appError.details).map(([k, v]) => [k, i18n.text(v)])) });
      return;
    }
    app.render('errors/error', { ...model, i18n, layout: 'main' }, (renderErr, html) => {
      if (renderErr) {
        log.error({ err: renderErr }, 'error page failed to render');
        res.status(status).type('text').send(model.message);
        return;
      }
      res.status(status).type('html').send(html);
    });
  };
}

export function errorHandler(sendError: ReturnType<typeof createErrorSender>): ErrorRequestHandler {
  return (err, req, res, _next) => sendError(req, res, err);
}

export const notFound: RequestHandler = (_req, _res, next) => {
  next(new AppError(404, 'not-found', msg('errors.noPage')));
};
