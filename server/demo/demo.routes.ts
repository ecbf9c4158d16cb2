// The demo's HTTP side. demoPlatformRouter is the demo LMS (mounted before our CSRF check: it is
// another party, whose requests carry their own signatures); demoRouter is the page that lists the
// made-up people and frames the tool as an LMS course page does. Both exist only when config.demo.
import { msg } from '../i18n/i18n.ts';
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { autoPostForm } from '../../lti/platform-messages.ts';
import * as demo from '../../models/demo.queries.ts';
import type { Db } from '../../models/db.ts';
import { AppError, NotFoundError, ValidationError } from '../errors.ts';
import { issueCsrfToken } from '../http/csrf.ts';
import { createRateLimit } from '../http/rate-limit.ts';
import {
  answerAuthRequest, checkAccessToken, demoJwks, demoPerson, demoPlatformUrls, DEMO_SERVICE_SCOPES, issueAccessToken, lineItem,
  loginInitiation, membershipContainer, recordScore, type DemoPlatformDeps,
} from './demo-platform.ts';
import { listDemoPeople, startDemoCohort, startDemoReset, type DemoDeps } from './demo.service.ts';
import { DEMO_COURSE, fullName } from './demo-cohort.ts';

const flat = (o: unknown): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries((o ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));

const OpenQuery = z.object({ as: z.string().min(1).max(64), module: z.coerce.number().int().min(1).max(9).optional() });

export function demoPlatformRouter(deps: DemoPlatformDeps): Router {
  const router = Router();
  router.get('/jwks', async (_req, res) => {
    res.json(await demoJwks(deps));
  });
  // The course page's frame: posts the login initiation to the tool, as Moodle's launch.php does.
  router.get('/launch', async (req, res) => {
    const q = OpenQuery.safeParse(req.query);
    if (!q.success || !demoPerson(q.data.as)) throw new NotFoundError('demo person', msg('demo.noSuchPerson'));
    const { action, fields } = await loginInitiation(deps, { sub: q.data.as, moduleId: q.data.module });
    res.type('html').send(autoPostForm(action, fields, { scriptNonce: res.locals.cspNonce as string }));
  });
  const auth: RequestHandler = async (req, res) => {
    const { action, fields } = await answerAuthRequest(deps, { ...flat(req.query), ...flat(req.body) });
    res.type('html').send(autoPostForm(action, fields, { scriptNonce: res.locals.cspNonce as string }));
  };
  router.get('/auth', auth);
  router.post('/auth', express.urlencoded({ extended: false, limit: '20kb' }), auth);
  router.post('/token', express.urlencoded({ extended: false, limit: '20kb' }), async (req, res) => {
    res.json(await issueAccessToken(deps, flat(req.body)));
  });
  router.get('/nrps/:contextId/memberships', async (req, res) => {
    await checkAccessToken(deps, req.get('authorization'), DEMO_SERVICE_SCOPES.nrps);
    res.type('application/vnd.ims.lti-nrps.v2.membershipcontainer+json').send(JSON.stringify(membershipContainer(deps.config, String(req.params.contextId))));
  });
  router.get('/ags/:contextId/lineitems', async (req, res) => {
    await checkAccessToken(deps, req.get('authorization'), DEMO_SERVICE_SCOPES.lineitemReadonly);
    res.type('application/vnd.ims.lis.v2.lineitemcontainer+json').send(JSON.stringify([lineItem(deps.config, String(req.params.contextId), 'demo-workshop')]));
  });
  router.get('/ags/:contextId/lineitems/:linkId', async (req, res) => {
    await checkAccessToken(deps, req.get('authorization'), DEMO_SERVICE_SCOPES.lineitemReadonly);
    res.type('application/vnd.ims.lis.v2.lineitem+json').send(JSON.stringify(lineItem(deps.config, String(req.params.contextId), String(req.params.linkId))));
  });
  router.post('/ags/:contextId/lineitems/:linkId/scores', express.json({ type: ['application/vnd.ims.lis.v1.score+json', 'application/json'], limit: '20kb' }), async (req, res) => {
    await checkAccessToken(deps, req.get('authorization'), DEMO_SERVICE_SCOPES.score);
    await recordScore(deps, String(req.params.contextId), String(req.params.linkId), req.body);
    res.status(204).end();
  });
  return router;
}

const ResetBody = z.object({ confirm: z.literal('reset') });

export function demoRouter(deps: DemoDeps): Router {
  const router = Router();
  // The seed takes a few seconds: it runs on, and the page shows it coming.
  const seedFailed = (err: unknown) => deps.log.error({ err }, 'the demo cohort could not be made');
  // "Try a demo cohort" (home page) comes here: the first visit makes the cohort (once, whoever
  // asks: making it again is a no-op), then the page lists its people.
  router.get('/', async (req, res) => {
    const { state, cohort, people } = await listDemoPeople(deps);
    if (state === 'absent') startDemoCohort(deps, seedFailed);
    issueCsrfToken(req, res);
    res.render('demo/index', {
      title: req.i18n!.t('demo.pageTitle'),
      seeding: state !== 'ready',
      // Not `cohort`: the layout's header would take it for the cohort of a signed-in page.
      ready: cohort !== undefined,
      facilitators: people.filter((p) => p.role === 'facilitator'),
      learners: people.filter((p) => p.role === 'learner'),
      reset: req.query.reset === '1',
    });
  });
  // Each reset is a few seconds of writes: a visitor (DEMO=true on a public server) gets a few an hour.
  const resetLimit = createRateLimit({ db: deps.db, name: 'demo-reset', windowMs: 3600_000, limit: 10, message: msg('limits.demoReset') });
  router.post('/reset', resetLimit, async (req, res) => {
    if (!ResetBody.safeParse(req.body).success) throw new ValidationError(msg('demo.resetUnconfirmed'), { confirm: msg('demo.resetUnconfirmedField') });
    await startDemoReset(deps, seedFailed);
    res.redirect(303, '/demo?reset=1');
  });
  // A course page of the demo LMS with the tool in its frame, launched as this person.
  router.get('/open', async (req, res) => {
    const q = OpenQuery.safeParse(req.query);
    const person = q.success ? demoPerson(q.data.as) : undefined;
    if (!q.success || !person) throw new NotFoundError('demo person', msg('demo.noSuchPerson'));
    const launch = new URLSearchParams({ as: person.sub, ...(q.data.module ? { module: String(q.data.module) } : {}) });
    res.render('demo/course', { layout: 'demo-lms', title: DEMO_COURSE.title, course: DEMO_COURSE, person: { name: fullName(person), role: person.role }, frameSrc: `${demoPlatformUrls(deps.config).launchForm}?${launch}` });
  });
  router.get('/gradebook', async (req, res) => {
    const scores = await demo.listDemoScores(deps.db, demoPlatformUrls(deps.config).issuer);
    const rows = scores.map((s) => ({ name: demoPerson(s.userSub) ? fullName(demoPerson(s.userSub)!) : s.userSub, score: s.scoreGiven, max: s.scoreMaximum, progress: s.activityProgress, grading: s.gradingProgress, at: s.scoredAt }));
    res.render('demo/gradebook', { layout: 'demo-lms', title: req.i18n!.t('demo.gradebook.title'), course: DEMO_COURSE, rows });
  });
  return router;
}

/**
 * Marks the pages of a cohort of the demo tenant (the layout's banner "Demo cohort — made-up
 * people"). A tenant's platform never changes, so the answer is kept per tenant for the process.
 */
export function demoBanner(db: Db): RequestHandler {
  const known = new Map<string, Promise<boolean>>();
  return (req, res, next) => {
    const tenantId = req.user?.launches?.[String(req.params.cohortId)]?.tenantId;
    if (!tenantId) return next();
    let demoTenant = known.get(tenantId);
    if (!demoTenant) {
      demoTenant = demo.isDemoTenant(db, tenantId);
      known.set(tenantId, demoTenant);
      demoTenant.catch(() => known.delete(tenantId));
    }
    demoTenant.then((isDemo) => {
      res.locals.demoCohort = isDemo;
      next();
    }, next);
  };
}
