// createApp(deps): the whole HTTP application, with no I/O at import or construction beyond what the
// deps already hold. main.ts boots it; tests build it on their own database.
import express, { type Express } from 'express';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinoHttp } from 'pino-http';
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Db, DbHandle } from '../models/db.ts';
import { pingDatabase } from '../models/health.queries.ts';
import { buildWorkshop, type EditionContent, type Workshop } from './modules/workshop-content.ts';
import { createWorkshops } from './editions/workshops.ts';
import { editionsRouter } from './editions/editions.routes.ts';
import { editionMovesRouter } from './editions/edition-moves.routes.ts';
import { createLtiTool, createLtijsServices } from '../lti/lti-tool.ts';
import { deepLinkingRouter } from './deep-linking/deep-linking.routes.ts';
import { requestRosterSync } from './roster/roster-sync.job.ts';
import { backfillLinkGrades, enqueueGrades } from './grades/grades.service.ts';
import { gradesRouter } from './grades/grades.routes.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import { registrationRouter } from './platforms/registration.routes.ts';
import { registerPlatform } from './platforms/platforms.service.ts';
import { windowHandoverRouter } from './launches/window-handover.routes.ts';
import { launchHandler } from './launches/launch.ts';
import { securityHeaders, partitionCrossSiteCookies } from './http/security-headers.ts';
import { createSession } from './http/session.ts';
import { createCsrfProtection } from './http/csrf.ts';
import { shedLoad } from './http/load-shedding.ts';
import { createErrorSender, errorHandler, notFound } from './http/errors.ts';
import { AppError } from './errors.ts';
import { cohortsRouter } from './cohorts/cohorts.routes.ts';
import { modulesRouter } from './modules/modules.routes.ts';
import { groupsRouter } from './groups/groups.routes.ts';
import { groupNormsRouter } from './groups/group-norms.routes.ts';
import { discussionsRouter, keepRefusedPostForm } from './discussions/discussions.routes.ts';
import type { DiscussionsDeps } from './discussions/discussions.service.ts';
import { notificationsRouter } from './notifications/notifications.routes.ts';
import { profilesRouter } from './profiles/profiles.routes.ts';
import { PostEventsHub } from './realtime/post-events-hub.ts';
import { createAppCaches, type AppCaches } from './cache/app-caches.ts';
import { LiveStreamSlots } from './realtime/live-stream-slots.ts';
import { emailPreferencesRouter, isOneClickUnsubscribe } from './email/email-preferences.routes.ts';
import type { EmailDeps } from './email/mailer.ts';
import { completeModuleAfterPost, type ModulesDeps } from './modules/modules.service.ts';
import { adminRouter } from './admin/admin.routes.ts';
import { verifyAdmin } from './admin/admin.service.ts';
import { helpers } from './http/view-helpers.ts';
import { renderPagesInParts } from './http/page-parts.ts';
import { configureI18n } from './i18n/i18n.ts';
import { requestLocale } from './i18n/request-locale.ts';
import { viewEngine } from './http/view-engine.ts';
import { actionPlansRouter } from './action-plans/action-plans.routes.ts';
import { actionPlanLinksRouter } from './action-plans/action-plan-links.routes.ts';
import { analyticsRouter } from './analytics/analytics.routes.ts';
import { memberViewsRouter } from './analytics/member-views.routes.ts';
import { moderationRouter } from './moderation/moderation.routes.ts';
import { demoBanner, demoPlatformRouter, demoRouter } from './demo/demo.routes.ts';
import { exportLinkRouter, exportRouter } from './privacy/export.routes.ts';
import { adminNoticeRouter, privacyNoticeRouter } from './privacy/notice.routes.ts';
import { programmeRouter } from './programme/programme.routes.ts';
import { adminNamedRolesRouter } from './named-roles/named-roles.routes.ts';
import { adminErasureRouter, ownErasureRouter } from './privacy/erasure.routes.ts';
import { mediaRouter } from './media/media.routes.ts';
import { isMultipartUpload } from './media/upload-form.ts';
import { createMediaStorage, type MediaStorage } from './media/storage.ts';
import type { MediaDeps } from './media/media.service.ts';
import { msg } from './i18n/i18n.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AppDeps {
  config: Config;
  db: Db;
  pool: DbHandle['pool'];
  log: Logger;
  /** The default edition's sources in each content language written (content/, read at boot): what a cohort with no edition runs. */
  defaultEditions: { en: EditionContent } & Partial<Record<string, EditionContent>>;
  secrets: { sessionSecret: string; ltiEncryptionKey: string };
  /** Durable jobs (grades, roster); without it nothing is queued (unit-style app tests). */
  queue?: JobQueue;
  /** The clock for schedules (tests move it). */
  now?: () => Date;
  /** Outgoing email and the signed preferences links every email carries. */
  email: EmailDeps;
  /** Where attachments' bytes go; default: as the config says (PostgreSQL, or S3 when S3_URL is set). */
  mediaStorage?: MediaStorage;
  /** Whether the process is stopping: connections PostgreSQL ends then are not logged as failures. */
  shuttingDown?: () => boolean;
}

export interface CircleworkApp {
  app: Express;
  /** The in-process caches (tests watch them go dark when the LISTEN connection drops). */
  caches: AppCaches;
  /** Resolves once live updates and cache invalidations are listening (PostgreSQL LISTEN is connected). */
  ready(): Promise<void>;
  /** Ends open live-update streams, so the HTTP server can finish its shutdown. */
  closeStreams(): Promise<void>;
  /** Stops what the app runs in the background (live updates, session pruning); the pool belongs to the caller. */
  close(): Promise<void>;
}

export function createApp(deps: AppDeps): CircleworkApp {
  const { config, db, log } = deps;
  const app = express();
  // One app per process in production; tests start several (a production one among them): closing
  // an app puts back what it replaced.
  const releaseI18n = configureI18n({ production: config.env === 'production', onMissing: (key, locale) => log.warn({ key, locale }, 'i18n: no message for this key') });
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // No ETag on pages: a page is rendered for its reader at every request anyway, so a 304 would save
  // only bytes, while hashing every page costs CPU on every request (sha1 of 70 kB on the thread page).
  // Media answers carry their own (server/media/media.routes.ts); static files get theirs from express.static.
  app.set('etag', false);
  app.engine('hbs', viewEngine({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(root, 'views/layouts'), partialsDir: path.join(root, 'views/partials'), helpers }));
  app.set('view engine', 'hbs');
  renderPagesInParts(app);
  app.set('views', path.join(root, 'views'));
  // Tests render as production does (templates compiled once, called directly: view-engine.ts); only
  // development reads an edited view at the next request.
  if (config.env !== 'development') app.enable('view cache');
  const sendError = createErrorSender(app, log);

  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => requestId(req.headers['x-request-id'], res),
      autoLogging: { ignore: (req) => req.url === '/healthz' },
      // A request's line names the request and its answer, no more: the headers carry the session
      // cookie (a response's, a new one), which no log may hold; and each request builds this child
      // logger even when nothing is logged.
      serializers: { req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }), res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }) },
    }),
  );
  // Before anything that needs the database, so a load balancer gets a clean 503 when it is down.
  app.get('/healthz', async (req, res) => {
    try {
      await pingDatabase(db);
      res.json({ status: 'ok' });
    } catch (err) {
      log.warn({ err, reqId: req.id }, 'health check: database unavailable');
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
    }
  });
  app.use(refuseUnreadableAddresses);
  // Static files need neither the session nor the frame-ancestors lookup.
  app.use('/public', express.static(path.join(root, 'public'), {
    maxAge: config.env === 'production' ? '1d' : 0,
    setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff'),
  }));
  // Everything below needs the database (the CSP's frame origins, the session).
  app.use(shedLoad(deps.pool, config.loadShedQueue));
  // What every page reads and rarely changes (frame origins, sessions, membership standing, cohort
  // rows) is kept in process; a trigger's NOTIFY on any process's change drops it everywhere.
  const caches = createAppCaches({ db, pool: deps.pool, log, shuttingDown: deps.shuttingDown });
  app.use((req, _res, next) => {
    req.caches = caches;
    next();
  });
  app.use(partitionCrossSiteCookies);
  app.use(securityHeaders({ listFrameOrigins: () => caches.frameOrigins(), upgradeInsecure: config.secureCookies }));

  const session = createSession({
    config,
    pool: deps.pool,
    secret: deps.secrets.sessionSecret,
    cache: caches.shared,
    verifyAdmin: (email, password) => verifyAdmin(db, email, password),
  });
  app.use(session.middleware);
  app.use(requestLocale);

  // LTI: our registration routes, then ltijs for login, keys and the launch. Nothing else reaches ltijs.
  const lti = { config, db, ltiEncryptionKey: deps.secrets.ltiEncryptionKey, cache: caches.shared };
  app.use('/lti', registrationRouter({ ...lti, registerPlatform: (platform, opts) => registerPlatform(lti, platform, opts) }));
  app.use('/lti', windowHandoverRouter(lti));
  // The built-in demo LMS: another party, with its own signatures, so before our CSRF check.
  if (config.demo) app.use('/demo/platform', demoPlatformRouter(lti));
  const queue = deps.queue;
  // ltijs's Express 4 app has no view engine: our pages inside it render with the host's.
  const renderPage: Parameters<typeof createLtiTool>[0]['renderPage'] = (req, res, view, model) =>
    app.render(view, { layout: 'main', cspNonce: res.locals.cspNonce, i18n: req.i18n, ...model }, (err, html) => (err ? sendError(req, res, err) : res.type('html').send(html)));
  const onLaunch = launchHandler({
    ...lti,
    standings: caches,
    log,
    renderPage,
    // A facilitator's launch refreshes the roster, so groups can include people who never launched.
    // Failing to queue must not fail the launch: the schedule catches up.
    afterLaunch: async (context, recorded) => {
      if (queue && context.role === 'facilitator') {
        await requestRosterSync(queue, context).catch((err) => log.warn({ err, cohortId: context.cohortId }, 'roster sync not queued'));
      }
      // A link that can take scores, launched for the first time: queue what learners already earned.
      if (queue && context.resourceLinkId && recorded.gradesBackfillDue) {
        await backfillLinkGrades({ db, queue }, context.tenantId, context.resourceLinkId)
          .catch((err) => log.warn({ err, resourceLinkId: context.resourceLinkId }, 'grade backfill not queued; the next launch tries again'));
      }
    },
  });
  const ltiTool = createLtiTool({ ...lti, log, sendError, renderPage, onLaunch });
  app.use('/lti', (req, res, next) => {
    if (!isLtijsRoute(req.method, req.path)) return next();
    // Express 5's req.query is a prototype getter; ltijs's Express 4 swaps the prototype after its
    // own query parser has seen that getter, and would leave req.query undefined. Pin it first.
    Object.defineProperty(req, 'query', { value: req.query, writable: true, configurable: true, enumerable: true });
    ltiTool(req, res, next);
  });

  // An edition's zip upload: its fields (with the CSRF token) are read before the CSRF check.
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  app.use(dropNulCharacters);
  app.use(createCsrfProtection({ publicOrigin: new URL(config.publicUrl).origin, keepRefusedForm: keepRefusedPostForm({ db }), exempt: (req) => isOneClickUnsubscribe(req) || isMultipartUpload(req) }));
  app.use((req, res, next) => {
    res.locals.signedInAdmin = Boolean(req.user?.adminId);
    next();
  });

  app.get('/', (req, res) => res.render('home', { title: req.i18n!.t('home.title'), registerUrl: new URL('/lti/register', config.publicUrl).href, demo: config.demo }));
  // Completing a module writes its scores to the grade outbox in the same transaction.
  const onModuleCompleted: ModulesDeps['onModuleCompleted'] = queue ? (tx, who, ids) => enqueueGrades(tx, queue, who, ids) : undefined;
  // Each cohort runs its pinned edition version; deps.workshop is the default edition (content/).
  const workshops = createWorkshops({
    db,
    defaultWorkshops: Object.fromEntries(Object.entries(deps.defaultEditions).map(([lang, content]) => [lang, buildWorkshop(content!)])) as { en: Workshop },
    cohortRow: caches.cohort,
  });
  const modules: ModulesDeps = { db, workshops, moduleSchedule: caches.moduleSchedule, now: deps.now ?? (() => new Date()), onModuleCompleted };
  // Before the hub and profile: puts a learner's nudges and own network in res.locals for them.
  if (config.demo) app.use('/cohorts/:cohortId', demoBanner(db));
  app.use('/cohorts', memberViewsRouter({ db }));
  // Before the profile: puts the person's exports in res.locals for its "Your data" section.
  const personalExports = { db, queue, now: deps.now ?? (() => new Date()) };
  app.use('/cohorts', exportRouter(personalExports));
  app.use('/privacy/exports', exportLinkRouter(personalExports));
  app.use('/privacy', privacyNoticeRouter({ db }));
  app.use('/cohorts', cohortsRouter({ ...modules, analyticsSettings: caches.analyticsSettings, cohortPeople: caches.cohortPeople, firstRoster: { db, pool: deps.pool, queue, waitMs: config.rosterFirstWaitMs }, memberTablePage: caches.memberTablePage }));
  // Files of posts, activities and profiles: their upload reader checks the CSRF token itself (isMultipartUpload, above).
  const media: MediaDeps = { db, storage: deps.mediaStorage ?? createMediaStorage(db, config.media.s3), limits: config.media };
  app.use('/cohorts', modulesRouter({ ...modules, media }));
  app.use('/cohorts', groupsRouter({ db }));
  app.use('/cohorts', groupNormsRouter({ db }));
  const postEvents = new PostEventsHub(String(deps.pool.options.connectionString), log);
  const liveStreams = new LiveStreamSlots(config.liveStreams);
  // A post in a module's group space can be its last required activity: it completes the module there.
  const onGroupSpacePost: DiscussionsDeps['onGroupSpacePost'] = (tx, who, moduleId) => completeModuleAfterPost(modules, tx, who, moduleId);
  app.use('/cohorts', discussionsRouter({ db, workshops, postEvents, liveStreams, onGroupSpacePost, media, keptThreadPage: caches.threadPage }));
  app.use('/cohorts', mediaRouter(media));
  app.use('/cohorts', notificationsRouter({ db }));
  app.use('/cohorts', moderationRouter({ db, queue }));
  app.use('/cohorts', profilesRouter({ db, media }));
  const erasure = { db, erasureKey: deps.secrets.ltiEncryptionKey, now: deps.now ?? (() => new Date()) };
  app.use('/cohorts', ownErasureRouter(erasure));
  const emailPreferences = emailPreferencesRouter({ db, links: deps.email.links });
  app.use('/cohorts', emailPreferences.inCohort);
  app.use('/email', emailPreferences.byLink);
  if (queue) app.use('/cohorts', gradesRouter({ db, queue }));
  app.use('/cohorts', deepLinkingRouter({ db, config, workshops, lti: createLtijsServices({ db, log, ltiEncryptionKey: deps.secrets.ltiEncryptionKey }) }));
  const actionPlans = { ...deps.email, now: deps.now ?? (() => new Date()), queue };
  app.use('/cohorts', actionPlansRouter({ ...actionPlans, media }));
  app.use('/action-plans/links', actionPlanLinksRouter({ ...actionPlans, media }));
  app.use('/cohorts', analyticsRouter({ db, workshops, moduleSchedule: caches.moduleSchedule, analyticsSettings: caches.analyticsSettings, cohortPeople: caches.cohortPeople, now: deps.now ?? (() => new Date()), queue }));
  app.use('/programme', programmeRouter({ db, now: deps.now ?? (() => new Date()) }));
  if (config.demo) {
    app.use('/demo', demoRouter({
      ...lti,
      log,
      modules,
      discussions: { db, onGroupSpacePost },
      actionPlans: { ...deps.email, now: deps.now ?? (() => new Date()) },
    }));
  }
  app.use('/cohorts', editionMovesRouter({ db, workshops }));
  app.use('/editions', editionsRouter({ db, workshops, defaultContents: deps.defaultEditions }));
  app.use('/admin/tenants', adminNoticeRouter({ db }));
  app.use('/admin/tenants', adminErasureRouter(erasure));
  app.use('/admin/tenants', adminNamedRolesRouter({ db }));
  app.use('/admin', adminRouter({ db, ltiEncryptionKey: deps.secrets.ltiEncryptionKey, passport: session.passport }));

  app.use(notFound);
  app.use(errorHandler(sendError));
  return {
    app,
    caches,
    ready: async () => {
      await Promise.all([postEvents.ready(), caches.ready()]);
    },
    closeStreams: () => postEvents.close(),
    close: async () => {
      releaseI18n();
      await Promise.all([postEvents.close(), caches.close()]);
      session.close();
      media.storage.close();
    },
  };
}

/**
 * An address whose path or query decodes to a control character (a NUL, say: PostgreSQL text cannot
 * hold one) or does not decode at all is refused with a 400 before any route sees its parameters.
 */
function refuseUnreadableAddresses(req: express.Request, _res: express.Response, next: express.NextFunction): void {
  const [rawPath = '', rawQuery = ''] = req.originalUrl.split(/\?(.*)/s);
  const readable = (raw: string, refused: RegExp): boolean => {
    try {
      return !refused.test(decodeURIComponent(raw.replaceAll('+', ' ')));
    } catch {
      return false;
    }
  };
  // eslint-disable-next-line no-control-regex
  if (readable(rawPath, /[\u0000-\u001f\u007f]/) && readable(rawQuery, /\u0000/)) return next();
  next(new AppError(400, 'bad-address', msg('errors.badAddress')));
}

/** PostgreSQL text cannot hold U+0000: it is dropped from every form field before anything sees it. */
function dropNulCharacters(req: express.Request, _res: express.Response, next: express.NextFunction): void {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) {
      if (typeof v === 'string') body[k] = v.replaceAll('\u0000', '');
      else if (Array.isArray(v)) body[k] = v.map((x) => (typeof x === 'string' ? x.replaceAll('\u0000', '') : x));
    }
  }
  next();
}

function isLtijsRoute(method: string, p: string): boolean {
  return (p === '/login' && (method === 'GET' || method === 'POST')) || (p === '/keys' && method === 'GET') || (p === '/launch' && (method === 'POST' || method === 'GET'));
}

/** A proxy's request id is kept when it looks like one; otherwise we make our own. */
function requestId(header: string | string[] | undefined, res: import('node:http').ServerResponse): string {
  const id = typeof header === 'string' && /^[\w-]{1,64}$/.test(header) ? header : crypto.randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}
