// People of a cohort as a test drives them over real HTTP: each launched from the simulated LMS into
// their own cookie jar, with helpers to read pages (parsed) and post forms with their CSRF token.
import { expect } from 'chai';
import { parse, type HTMLElement } from 'node-html-parser';
import { LtiHttpClient, LtiPlatformSimulator, type PlatformKind, type SimUser } from './lti-platform-simulator.ts';
import { connectPlatform, type ConnectedPlatform } from './lti-fixtures.ts';
import { startTestApp, type TestApp } from './test-app.ts';
import { resetDatabase } from './test-database.ts';
import { SmtpSink } from './smtp-sink.ts';
import { startTestJobQueue } from './test-jobs.ts';
import type { JobQueue } from '../../server/jobs/job-queue.ts';

export interface Member {
  browser: LtiHttpClient;
  /** `${app.url}/cohorts/<cohortId>` */
  base: string;
  cohortId: string;
}

export interface Page {
  status: number;
  doc: HTMLElement;
  body: string;
  location: string | null;
}

export interface CohortMembers {
  /** Launches `user` from the LMS (the default one, or `via`) into `context`, in a fresh session unless `browser` is given. */
  launch(user: SimUser, context?: { id: string; title?: string }, via?: ConnectedPlatform, browser?: LtiHttpClient): Promise<Member>;
  /** The same, with the LMS's launch_presentation.locale (`browser`: the session to launch in). */
  launchIn(user: SimUser, locale: string, context?: { id: string; title?: string }, browser?: LtiHttpClient): Promise<Member>;
  get(m: Member, url: string): Promise<Page>;
  /** Posts a form with a CSRF token taken from one of the member's own pages. */
  post(m: Member, url: string, form: Record<string, string>): Promise<Page>;
  csrfOf(m: Member): Promise<string>;
  /** The facilitator forms groups from the console's preview; returns each person's group by LMS sub. */
  formGroups(facilitator: Member): Promise<Map<string, string>>;
  /** Follows a redirecting address (e.g. /commons, /modules/N/space) to where it leads. */
  follow(m: Member, url: string): Promise<string>;
}

/** `env` is read at each call, so a suite can pass it before its `before` hooks have run. */
export function cohortMembers(env: () => { app: TestApp; lms: ConnectedPlatform }, defaultContext: { id: string; title?: string }): CohortMembers {
  const get = async (m: Member, url: string): Promise<Page> => {
    const r = await m.browser.request(url);
    return { status: r.status, doc: parse(r.body), body: r.body, location: r.headers.get('location') };
  };
  const csrfOf = async (m: Member): Promise<string> => {
    for (const path of ['/modules/1', '/console', '/profile']) {
      const token = (await get(m, `${m.base}${path}`)).doc.querySelector('input[name=_csrf]')?.getAttribute('value');
      if (token) return token;
    }
    throw new Error(`no page of ${m.base} gave a CSRF token`);
  };
  const post = async (m: Member, url: string, form: Record<string, string>): Promise<Page> => {
    const r = await m.browser.request(url, { method: 'POST', form: { ...form, _csrf: await csrfOf(m) } });
    return { status: r.status, doc: parse(r.body), body: r.body, location: r.headers.get('location') };
  };
  return {
    get,
    post,
    csrfOf,
    launch: async (user, context = defaultContext, via = env().lms, browser = new LtiHttpClient()) => {
      const { app } = env();
      const res = await via.sim.launch(app.url, browser, { user, clientId: via.clientId, context });
      const cohortId = new URL(res.finalUrl).pathname.split('/')[2]!;
      return { browser, base: `${app.url}/cohorts/${cohortId}`, cohortId };
    },
    launchIn: async (user, locale, context = defaultContext, browser = new LtiHttpClient()) => {
      const { app, lms } = env();
      const res = await lms.sim.launch(app.url, browser, { user, clientId: lms.clientId, context, locale });
      const cohortId = new URL(res.finalUrl).pathname.split('/')[2]!;
      return { browser, base: `${app.url}/cohorts/${cohortId}`, cohortId };
    },
    formGroups: async (facilitator) => {
      const { app } = env();
      const page = await get(facilitator, `${facilitator.base}/console/groups`);
      const form = page.doc.querySelector('[data-test=form-groups]')!.parentNode as HTMLElement;
      const formed = await post(facilitator, `${facilitator.base}/console/groups`, { seed: form.querySelector('input[name=seed]')!.getAttribute('value')!, rosterHash: form.querySelector('input[name=rosterHash]')!.getAttribute('value')! });
      expect(formed.status, formed.body.slice(0, 300)).to.equal(303);
      const rows = await app.db
        .selectFrom('groupMembers as gm')
        .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'gm.tenantId').onRef('m.id', '=', 'gm.membershipId'))
        .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
        .select(['gm.groupId', 'p.sub'])
        .where('m.cohortId', '=', facilitator.cohortId)
        .execute();
      return new Map(rows.map((r) => [r.sub, r.groupId]));
    },
    follow: async (m, url) => {
      const r = await get(m, url);
      expect(r.status, `${url}: ${r.body.slice(0, 200)}`).to.equal(303);
      return new URL(r.location!, env().app.url).href;
    },
  };
}

/**
 * A mocha suite's usual fixture: the app and a simulated LMS started once, the database emptied and
 * the LMS connected again before each test. Call inside `describe`. The app's clock is
 * `clock.now()`: move it with `clock.offsetMs` (back to 0 before each test). With `smtp`, the app
 * sends email to a real SMTP server (`smtp`, emptied before each test); with `queues: n`, n pg-boss
 * queues on the test database (the first is the app's), as n app processes would run them.
 */
export function cohortSuite(opts: { context: { id: string; title?: string }; kind?: PlatformKind; env?: Record<string, string>; smtp?: boolean; queues?: number }) {
  const env = {} as { app: TestApp; sim: LtiPlatformSimulator; lms: ConnectedPlatform };
  const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
  const smtp = new SmtpSink();
  const queues: JobQueue[] = [];
  before(async () => {
    if (opts.smtp) await smtp.listen();
    for (let i = 0; i < (opts.queues ?? 0); i++) queues.push(await startTestJobQueue());
    env.app = await startTestApp({ ...(opts.env ?? {}), ...(opts.smtp ? { SMTP_URL: smtp.url } : {}) }, { now: clock.now, ...(queues[0] ? { queue: queues[0] } : {}) });
    env.sim = await LtiPlatformSimulator.start({ kind: opts.kind ?? 'moodle' });
  });
  after(async () => {
    for (const q of queues) await q.stop();
    await env.sim?.close();
    await env.app?.close();
    if (opts.smtp) await smtp.close();
  });
  beforeEach(async () => {
    await resetDatabase(env.app.handle);
    clock.offsetMs = 0;
    smtp.clear();
    env.lms = await connectPlatform(env.app, env.sim);
  });
  return { env, clock, smtp, queues, ...cohortMembers(() => env, opts.context) };
}
