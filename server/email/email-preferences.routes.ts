// Email preferences: from inside a cohort (with a launch), and from the link in every email (no
// launch needed: the course may be closed). The one-click unsubscribe POST (RFC 8058) carries no
// CSRF token by design: the signed link is its credential, and it can only turn email off.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import { requireLaunch } from '../http/auth.ts';
import { issueCsrfToken } from '../http/csrf.ts';
import { NotFoundError } from '../errors.ts';
import { useLocale } from '../i18n/request-locale.ts';
import type { PreferenceLinks } from './preference-links.ts';
import { readEmailPreferences, saveEmailPreferences, unsubscribe } from './email-preferences.service.ts';
import { EMAIL_TOPICS, isEmailTopic } from './email-topics.ts';

const PreferencesForm = z.object({ on: z.union([z.string(), z.array(z.string())]).optional() }).transform((f) => ({ on: f.on === undefined ? [] : Array.isArray(f.on) ? f.on : [f.on] }));

export interface EmailPreferencesDeps {
  db: Db;
  links: PreferenceLinks;
}

export function emailPreferencesRouter(deps: EmailPreferencesDeps): { inCohort: Router; byLink: Router } {
  const inCohort = Router();
  const member = requireLaunch(deps.db);
  inCohort.get('/:cohortId/email', member, async (req, res) => {
    const who = req.launch!;
    await render(res, who, { action: `/cohorts/${who.cohortId}/email`, cohort: { id: who.cohortId }, person: { name: who.displayName }, saved: req.query.saved === '1' });
  });
  inCohort.post('/:cohortId/email', member, async (req, res) => {
    const who = req.launch!;
    await saveEmailPreferences(deps.db, who, PreferencesForm.parse(req.body ?? {}).on);
    res.redirect(303, `/cohorts/${who.cohortId}/email?saved=1`);
  });

  const byLink = Router();
  const fromToken = (req: Request) => {
    const who = deps.links.verify(String(req.params.token));
    if (!who) throw new NotFoundError('link (it may have been copied incompletely)');
    return who;
  };
  byLink.get('/preferences/:token', async (req, res) => {
    const who = fromToken(req);
    issueCsrfToken(req, res);
    await render(res, who, { action: req.originalUrl.split('?')[0], saved: req.query.saved === '1' }, req);
  });
  byLink.post('/preferences/:token', async (req, res) => {
    const who = fromToken(req);
    await saveEmailPreferences(deps.db, who, PreferencesForm.parse(req.body ?? {}).on);
    res.redirect(303, `${req.originalUrl.split('?')[0]}?saved=1`);
  });
  // A GET only asks (mail scanners follow links); the POST turns the topic off.
  byLink.get('/preferences/:token/unsubscribe/:topic', async (req, res) => {
    const who = fromToken(req);
    const topic = String(req.params.topic);
    if (!isEmailTopic(topic)) throw new NotFoundError('kind of email');
    // In the language of the email the link came from.
    useLocale(req, res, (await readEmailPreferences(deps.db, who)).locale);
    issueCsrfToken(req, res);
    res.render('email/unsubscribe', { title: req.i18n!.t('email.unsubscribe.title'), labelKey: EMAIL_TOPICS[topic], action: req.originalUrl.split('?')[0], preferencesUrl: deps.links.preferencesUrl(who) });
  });
  byLink.post('/preferences/:token/unsubscribe/:topic', async (req, res) => {
    const who = fromToken(req);
    const topic = await unsubscribe(deps.db, who, String(req.params.topic));
    useLocale(req, res, (await readEmailPreferences(deps.db, who)).locale);
    res.render('email/unsubscribed', { title: req.i18n!.t('email.unsubscribed.title'), labelKey: EMAIL_TOPICS[topic], preferencesUrl: deps.links.preferencesUrl(who) });
  });

  /** `byLink`: the page opened from an email, in that email's language (a launch has its own). */
  async function render(res: Response, who: { tenantId: string; personId: string }, extra: Record<string, unknown>, byLink?: Request) {
    const prefs = await readEmailPreferences(deps.db, who);
    if (byLink) useLocale(byLink, res, prefs.locale);
    res.render('email/preferences', { title: res.locals.i18n.t('email.preferences.title'), ...prefs, ...extra });
  }

  return { inCohort, byLink };
}

/** The one POST without a CSRF token: RFC 8058 one-click unsubscribe from a mail client. */
export function isOneClickUnsubscribe(req: Request): boolean {
  return req.method === 'POST' && /^\/email\/preferences\/[^/]+\/unsubscribe\/[a-z-]+$/.test(req.path);
}
