// The language of a request's page: the launch it acts under (requireLaunch sets it again for the
// URL's cohort), else the session's latest launch, else the browser's Accept-Language. No query: a
// launch's locale is kept in the session, and the profile's choice updates it there.
import type { Request, RequestHandler, Response } from 'express';
import { i18nFor, offeredLocales } from './i18n.ts';
import type { UserText } from '../errors.ts';
import { acceptLanguageTags, DEFAULT_LOCALE, matchLocale } from './locales.ts';

/** Sets the request's I18n (req.i18n, and `i18n` for every view it renders). */
export function useLocale(req: Request, res: Response, locale: string | null | undefined): void {
  const i18n = i18nFor(locale);
  req.i18n = i18n;
  res.locals.i18n = i18n;
}

function latestLaunchLocale(req: Request): string | undefined {
  let latest: { at: string; locale: string | undefined } | undefined;
  for (const l of Object.values(req.user?.launches ?? {})) {
    if (l.locale && (!latest || l.launchedAt > latest.at)) latest = { at: l.launchedAt, locale: l.locale };
  }
  return latest?.locale;
}

export const requestLocale: RequestHandler = (req, res, next) => {
  useLocale(req, res, latestLaunchLocale(req) ?? matchLocale(acceptLanguageTags(req.headers['accept-language']), offeredLocales()) ?? DEFAULT_LOCALE);
  next();
};

/** A service's message (or a field's messages) in the request's language, for a view that shows strings. */
export function textFor(req: Request, text: UserText): string {
  return (req.i18n ?? i18nFor(DEFAULT_LOCALE)).text(text);
}

export function textsFor(req: Request, texts: Record<string, UserText>): Record<string, string> {
  return Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, textFor(req, v)]));
}
