// A mocha suite's fixture for grades (AGS) tests: the app, a simulated Moodle and Canvas, and the
// grade-delivery worker on pg-boss, on a real PostgreSQL; before each test the database emptied, the
// simulators' records cleared, a worker started and (unless `connectMoodle: false`) Moodle
// connected; every queue a test started stopped after it. Call inside `describe`.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { pino } from 'pino';
import { startTestApp, type TestApp } from './test-app.ts';
import { resetDatabase } from './test-database.ts';
import { forwardingQueue, startTestJobQueue } from './test-jobs.ts';
import { LtiHttpClient, LtiPlatformSimulator, type SimUser } from './lti-platform-simulator.ts';
import { connectPlatform, type ConnectedPlatform } from './lti-fixtures.ts';
import { waitFor } from './wait.ts';
import type { JobQueue } from '../../server/jobs/job-queue.ts';
import { registerGradeDelivery, type GradeDeliveryOptions } from '../../server/grades/grade-delivery.job.ts';
import { enqueueGrades, GRADE_DELIVERY_QUEUE, type GradedPerson } from '../../server/grades/grades.service.ts';

export const AGS_CLAIM = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
type Claims = Record<string, unknown>;

export function gradesSuite(opts: { connectMoodle?: boolean } = {}) {
  const env = {} as { app: TestApp; moodle: LtiPlatformSimulator; canvas: LtiPlatformSimulator; lms: ConnectedPlatform; queue: JobQueue };
  let started: JobQueue[] = [];
  let lineItemNumber = 1000;
  // The app holds one queue, as in production; tests swap the one behind it.
  const queueRef = forwardingQueue(() => env.queue);
  const deliveryDeps = () => ({ db: env.app.db, log: pino({ level: 'silent' }), ltiEncryptionKey: env.app.config.ltiEncryptionKey! });

  /** A queue that only sends (no worker yet), from now on the app's. */
  async function startQueue(): Promise<JobQueue> {
    const q = await startTestJobQueue();
    started.push(q);
    env.queue = q;
    return q;
  }
  /** The grade-delivery worker on `q` (retrying at once, polling every 0.5 s, no catch-up schedule unless told). */
  const deliverOn = (q: JobQueue, options: GradeDeliveryOptions = {}) =>
    registerGradeDelivery(q, deliveryDeps(), { retryDelaySeconds: 0, pollingIntervalSeconds: 0.5, catchUpCron: null, ...options });
  /** A new queue with a worker, from now on the app's. */
  async function startWorker(options: GradeDeliveryOptions = {}): Promise<JobQueue> {
    const q = await startQueue();
    await deliverOn(q, options);
    return q;
  }
  /** Stops `q`, or every queue started so far, as a stopped app process would. */
  async function stopQueues(q?: JobQueue): Promise<void> {
    for (const s of q ? [q] : started) await s.stop();
    started = q ? started.filter((s) => s !== q) : [];
  }

  before(async () => {
    env.app = await startTestApp({}, { queue: queueRef });
    env.moodle = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Moodle G' });
    env.canvas = await LtiPlatformSimulator.start({ kind: 'canvas', name: 'Canvas G' });
  });
  after(async () => {
    await env.moodle?.close();
    await env.canvas?.close();
    await env.app?.close();
  });
  beforeEach(async () => {
    await resetDatabase(env.app.handle);
    for (const sim of [env.moodle, env.canvas]) {
      sim.scores.length = 0;
      sim.lineItems.length = 0;
      sim.services.deepLinkedActivities.length = 0;
      sim.services.serviceCalls.length = 0;
      sim.services.acceptGrades = 'delegate';
      sim.failNextServiceCalls(0, 500);
    }
    if (opts.connectMoodle ?? true) env.lms = await connectPlatform(env.app, env.moodle);
    await startWorker();
    await env.queue.boss.deleteAllJobs(GRADE_DELIVERY_QUEUE);
  });
  afterEach(() => stopQueues());

  /** A line item the LMS already has (an LMS-made grade column), for launches that name it. */
  function lineItemIn(sim: LtiPlatformSimulator, resourceLinkId: string, contextId = 'course-1'): string {
    const id = `${sim.baseUrl}/ags/${encodeURIComponent(contextId)}/lineitems/${lineItemNumber++}/lineitem`;
    sim.lineItems.push({ id, contextId, body: { id, label: 'Circlework', scoreMaximum: 100, resourceLinkId } });
    return id;
  }

  /**
   * Launches `user` from `sim` (Moodle) through `on` (the connected Moodle) into a cohort. `lineitem`
   * names a line item in the AGS claim, `ags` changes that claim, `claims` the whole message (last);
   * answers with the claims as sent.
   */
  async function launch(
    user: SimUser,
    o: { sim?: LtiPlatformSimulator; on?: ConnectedPlatform; resourceLink?: { id: string; title?: string }; context?: { id: string; title?: string }; custom?: Record<string, string>; module?: number; lineitem?: string; ags?: (a: Claims) => Claims; claims?: (c: Claims) => Claims } = {},
  ): Promise<{ browser: LtiHttpClient; cohortId: string; claims: Claims }> {
    const browser = new LtiHttpClient();
    const custom = { ...o.custom, ...(o.module ? { module: String(o.module) } : {}) };
    let sent: Claims = {};
    const res = await (o.sim ?? env.moodle).launch(env.app.url, browser, {
      user,
      clientId: (o.on ?? env.lms).clientId,
      ...(o.resourceLink ? { resourceLink: o.resourceLink } : {}),
      ...(o.context ? { context: o.context } : {}),
      ...(Object.keys(custom).length > 0 ? { custom } : {}),
      tamperClaims: (c) => {
        let out = c;
        if (o.lineitem) out = { ...out, [AGS_CLAIM]: { ...(out[AGS_CLAIM] as Claims), lineitem: o.lineitem } };
        if (o.ags) out = { ...out, [AGS_CLAIM]: o.ags(out[AGS_CLAIM] as Claims) };
        if (o.claims) out = o.claims(out);
        return (sent = out);
      },
    });
    expect(new URL(res.finalUrl).pathname, res.body.slice(0, 300)).to.match(/^\/cohorts\/[0-9a-f-]{36}/);
    return { browser, cohortId: new URL(res.finalUrl).pathname.split('/')[2]!, claims: sent };
  }

  /** The membership of `sub` in the cohort of `contextId`, as the grades service takes it. */
  function person(sub: string, contextId = 'course-1'): Promise<GradedPerson> {
    return env.app.db
      .selectFrom('memberships as m')
      .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
      .innerJoin('cohorts as c', (j) => j.onRef('c.tenantId', '=', 'm.tenantId').onRef('c.id', '=', 'm.cohortId'))
      .select(['m.tenantId', 'm.cohortId', 'm.id as membershipId', 'm.role', 'p.sub'])
      .where('p.sub', '=', sub)
      .where('c.contextId', '=', contextId)
      .executeTakeFirstOrThrow();
  }

  /** A module completion as the modules service records it: the completion rows and their scores, in one transaction. */
  async function complete(who: GradedPerson, modules: number[]): Promise<void> {
    await env.app.db.transaction().execute(async (tx) => {
      for (const moduleId of modules) {
        await tx.insertInto('moduleCompletions').values({ tenantId: who.tenantId, cohortId: who.cohortId, membershipId: who.membershipId, moduleId }).onConflict((oc) => oc.doNothing()).execute();
      }
      await enqueueGrades(tx, queueRef, who, modules);
    });
  }

  const outbox = () => env.app.db.selectFrom('gradeOutbox').selectAll().orderBy('scoreTimestamp').execute();
  /** At least `count` scores in the outbox, none of them pending. */
  const waitSettled = (count = 1) =>
    waitFor(`${count} score(s) delivered or failed`, async () => {
      const rows = await outbox();
      return rows.length >= count && rows.every((r) => r.status !== 'pending') && rows;
    });
  const jobsDone = () => waitFor('every delivery job to finish', async () => (await env.queue.boss.findJobs(GRADE_DELIVERY_QUEUE)).every((j) => j.state === 'completed' || j.state === 'failed'));
  const jobsOf = (outboxId: string) => env.queue.boss.findJobs(GRADE_DELIVERY_QUEUE, { data: { outboxId } });
  const scorePosts = (sim: LtiPlatformSimulator) => sim.services.serviceCalls.filter((c) => c.method === 'POST' && c.url.endsWith('/scores'));
  const gradesPage = async (browser: LtiHttpClient, cohortId: string) => {
    const res = await browser.request(`${env.app.url}/cohorts/${cohortId}/console/grades`);
    return { status: res.status, page: parse(res.body) };
  };

  return { env, queueRef, deliveryDeps, startQueue, deliverOn, startWorker, stopQueues, lineItemIn, launch, person, complete, outbox, waitSettled, jobsDone, jobsOf, scorePosts, gradesPage };
}
