// A person's own export over real HTTP and a real pg-boss: a busy learner's zip holds every kind of
// item (Markdown and data.json, read with yauzl), others' hidden posts stay out, only the person
// downloads it (another learner, a facilitator, another tenant: 404), the emailed link works and
// expires, and a queued export is built after the process restarts.
import { expect } from 'chai';
import yauzl from 'yauzl';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { ROLES, connectPlatform } from '../support/lti-fixtures.ts';
import { LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { linkIn } from '../support/smtp-sink.ts';
import { startTestJobQueue } from '../support/test-jobs.ts';
import { waitFor } from '../support/wait.ts';
import { registerPersonalExports, PERSONAL_EXPORT_QUEUE } from '../../server/privacy/export.service.ts';
import { loadWorkshop } from '../../server/modules/workshop-files.ts';
import type { JobQueue } from '../../server/jobs/job-queue.ts';

const COURSE = { id: 'course-export', title: 'Export course' };
const ada = { sub: 'ada', name: 'Ada Lovelace', email: 'ada@example.org', roles: [ROLES.learner] };
const bo = { sub: 'bo', name: 'Bo Brown', email: 'bo@example.org', roles: [ROLES.learner] };
const cy = { sub: 'cy', name: 'Cy Hidden', roles: [ROLES.learner] };
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

async function unzip(buf: Buffer): Promise<Map<string, string>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(buf, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z!))));
  const files = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const parts: Buffer[] = [];
        stream!.on('data', (c: Buffer) => parts.push(c));
        stream!.on('end', () => {
          files.set(entry.fileName, Buffer.concat(parts).toString('utf8'));
          zip.readEntry();
        });
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return files;
}

describe('a person’s own export', () => {
  const suite = cohortSuite({ context: COURSE, smtp: true, queues: 1 });
  const { env, clock, smtp, queues } = suite;
  const workshop = loadWorkshop();
  before(async () => {
    await registerPersonalExports(queues[0]!, { db: env.app.db, workshop, now: clock.now, email: env.app.emailDeps }, { pollingIntervalSeconds: 0.5 });
  });

  const ids = async (m: Member) => {
    const row = await env.app.db.selectFrom('memberships').select(['id', 'personId', 'tenantId']).where('cohortId', '=', m.cohortId).where('personId', 'in', env.app.db.selectFrom('persons').select('id').where('sub', '=', (m as Member & { sub: string }).sub)).executeTakeFirstOrThrow();
    return row;
  };
  async function launch(user: import('../support/lti-platform-simulator.ts').SimUser, context = COURSE) {
    const m = await suite.launch(user, context);
    return Object.assign(m, { sub: user.sub });
  }

  /** Seeds every kind of item for Ada (and some of others' material that must stay out). */
  async function seedBusyLearner(a: Member, b: Member, c: Member) {
    const db = env.app.db;
    const [A, B, C] = [await ids(a), await ids(b), await ids(c)];
    const t = A.tenantId;
    const cohortId = a.cohortId;
    await db.insertInto('activityResponses').values([
      { tenantId: t, cohortId, membershipId: A.id, moduleId: 1, activityId: 'r1', kind: 'reflection', status: 'submitted', content: JSON.stringify({ text: 'REFLECTION-TEXT about learning at work', shared: false }), submittedAt: new Date() },
      { tenantId: t, cohortId, membershipId: A.id, moduleId: 2, activityId: 'p1', kind: 'practice', status: 'submitted', content: JSON.stringify({ evidence: 'PRACTICE-EVIDENCE done today', link: '' }), submittedAt: new Date() },
      { tenantId: t, cohortId, membershipId: A.id, moduleId: 3, activityId: 'c1', kind: 'curation', status: 'submitted', content: JSON.stringify({ url: 'https://example.org/curated', why: 'CURATION-WHY because it helps my team learn', tags: ['teams'] }), submittedAt: new Date() },
      { tenantId: t, cohortId, membershipId: A.id, moduleId: 1, activityId: 'f1', kind: 'five-factor-check', status: 'submitted', content: JSON.stringify({ ratings: { intention: 4, 'propensity-and-skill': 3, 'relationship-strength': 2, 'activity-match': 5, 'tool-access': 1 }, comment: 'FIVE-FACTOR-COMMENT' }), submittedAt: new Date() },
    ]).execute();
    const space = await db.insertInto('spaces').values({ tenantId: t, cohortId, groupId: null, moduleId: null }).returning('id').executeTakeFirstOrThrow();
    const thread = await db.insertInto('threads').values({ tenantId: t, spaceId: space.id, authorMembershipId: B.id, title: 'THREAD-TITLE Bo asks' }).returning('id').executeTakeFirstOrThrow();
    const post = (author: string, body: string, extra: Record<string, unknown> = {}) =>
      db.insertInto('posts').values({ tenantId: t, threadId: thread.id, spaceId: space.id, authorMembershipId: author, bodySource: body, bodyHtml: `<p>${body}</p>`, ...extra }).returning('id').executeTakeFirstOrThrow();
    const bosPost = await post(B.id, 'BO-OPENING-POST what do you think');
    const adasReply = await post(A.id, 'ADA-REPLY I think so', { parentPostId: bosPost.id });
    await post(A.id, 'ADA-HIDDEN-POST', { status: 'hidden', moderationReason: 'HIDE-REASON off topic' });
    const cysHidden = await post(C.id, 'CY-HIDDEN-POST must not leave', { status: 'hidden', moderationReason: 'x' });
    await post(A.id, 'ADA-REPLY-TO-HIDDEN', { parentPostId: cysHidden.id });
    await post(B.id, 'BO-REPLY-TO-ADA thanks', { parentPostId: adasReply.id });
    await db.insertInto('kudos').values([
      { tenantId: t, postId: bosPost.id, fromMembershipId: A.id, toMembershipId: B.id, reason: 'KUDOS-GIVEN great question' },
      { tenantId: t, postId: adasReply.id, fromMembershipId: B.id, toMembershipId: A.id, reason: 'KUDOS-RECEIVED clear answer' },
    ]).execute();
    await db.insertInto('profiles').values({ tenantId: t, personId: A.personId, skills: 'PROFILE-SKILLS SQL', interests: 'PROFILE-INTERESTS', canHelpWith: 'PROFILE-HELP' }).execute();
    const plan = await db.insertInto('actionPlans').values({
      tenantId: t, cohortId, membershipId: A.id, visibility: 'private', status: 'submitted', submittedAt: new Date(),
      goals: JSON.stringify([{ title: 'PLAN-GOAL share more', actions: ['PLAN-ACTION weekly note'], dueOn: '2027-01-31', success: 'PLAN-SUCCESS', support: 'PLAN-SUPPORT' }]),
    }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('actionPlanPartners').values({ tenantId: t, planId: plan.id, partnerMembershipId: B.id }).execute();
    const checkIn = await db.insertInto('checkIns').values({ tenantId: t, planId: plan.id, seq: 1, entries: JSON.stringify([{ goal: 0, action: 0, text: 'PLAN-ACTION weekly note', status: 'in-progress', note: 'CHECKIN-NOTE' }]), journal: 'CHECKIN-JOURNAL private' }).returning('id').executeTakeFirstOrThrow();
    const invite = await db.insertInto('managerInvites').values({ tenantId: t, planId: plan.id, email: 'boss@example.org' }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('actionPlanComments').values([
      { tenantId: t, planId: plan.id, checkInId: checkIn.id, authorMembershipId: B.id, body: 'PARTNER-COMMENT keep going' },
      { tenantId: t, planId: plan.id, managerInviteId: invite.id, body: 'MANAGER-COMMENT well done' },
    ]).execute();
    const F = await db.selectFrom('memberships').select('id').where('cohortId', '=', cohortId).where('role', '=', 'facilitator').executeTakeFirst();
    if (F) await db.insertInto('nudges').values({ tenantId: t, cohortId, membershipId: A.id, sentByMembershipId: F.id, message: 'NUDGE-MESSAGE come back', nudgedOn: '2026-12-01' }).execute();
    return A;
  }

  const exportMails = () => smtp.messages.filter((m) => linkIn(m, '/privacy/exports/download') !== '').length;
  /** Asks for an export and waits until it is built and its email sent (an email still on its way would land in the next test). */
  async function requestAndWait(m: Member, scope: 'cohort' | 'all' = 'cohort') {
    const mailed = exportMails();
    const r = await suite.post(m, `${m.base}/profile/export`, { scope });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    const row = await waitFor('the export to be built', async () => {
      const e = await env.app.db.selectFrom('personalExports').selectAll().orderBy('requestedAt', 'desc').executeTakeFirst();
      return e?.status === 'ready' ? e : undefined;
    }, 20_000);
    await waitFor('the export email', async () => exportMails() > mailed || undefined, 20_000);
    return row;
  }
  const download = async (m: Member, url: string) => {
    const r = await m.browser.request(url);
    return { status: r.status, headers: r.headers };
  };

  it('exports a busy learner: every kind of item in Markdown and data.json, own hidden post marked, others’ hidden posts left out', async () => {
    const f = await launch(fran);
    const a = await launch(ada);
    const b = await launch(bo);
    const c = await launch(cy);
    await seedBusyLearner(a, b, c);
    expect(f.cohortId).to.equal(a.cohortId);

    const e = await requestAndWait(a);
    const page = await suite.get(a, `${a.base}/profile`);
    const item = page.doc.querySelector('[data-test=export]')!;
    expect(item.getAttribute('data-state')).to.equal('ready');
    const href = item.querySelector('[data-test=download-export]')!.getAttribute('href')!;
    expect(href).to.equal(`/cohorts/${a.cohortId}/profile/exports/${e.id}`);

    const res = await a.browser.request(`${env.app.url}${href}`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-disposition')).to.match(/^attachment; filename="circlework-export-\d{4}-\d{2}-\d{2}\.zip"$/);
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('cache-control')).to.equal('private, no-store');
    const files = await unzip(await zipBytes(a, href));
    const names = [...files.keys()];
    expect(names).to.include.members(['circlework-export/README.md', 'circlework-export/data.json', 'circlework-export/profile.md']);
    const all = [...files.values()].join('\n');
    const md = [...files.entries()].filter(([n]) => n.endsWith('.md')).map(([, v]) => v).join('\n');
    for (const mark of ['REFLECTION-TEXT', 'PRACTICE-EVIDENCE', 'CURATION-WHY', 'FIVE-FACTOR-COMMENT', 'ADA-REPLY', 'BO-OPENING-POST', 'ADA-HIDDEN-POST', 'HIDE-REASON', 'BO-REPLY-TO-ADA', 'KUDOS-GIVEN', 'KUDOS-RECEIVED', 'PROFILE-SKILLS', 'PLAN-GOAL', 'CHECKIN-NOTE', 'CHECKIN-JOURNAL', 'PARTNER-COMMENT', 'MANAGER-COMMENT', 'NUDGE-MESSAGE', 'Bo Brown']) {
      expect(md, `Markdown has ${mark}`).to.include(mark);
    }
    expect(md).to.match(/ADA-HIDDEN-POST|hidden by a facilitator/);
    expect(md).to.include('hidden by a facilitator: HIDE-REASON');
    expect(all).not.to.include('CY-HIDDEN-POST');
    // Cy's hidden post and its author are not in the thread context; Cy stays in Ada's own network
    // (they interacted before it was hidden, as her profile shows).
    const discussions = [...files.entries()].find(([n]) => n.endsWith('/discussions.md'))![1];
    expect(discussions).not.to.include('Cy Hidden');
    expect(discussions).to.include('(in reply to a post no longer shown)');
    const network = [...files.entries()].find(([n]) => n.endsWith('/network.md'))![1];
    expect(network).to.include('Cy Hidden');
    expect(names.some((n) => /\/module-1\.md$/.test(n)) && names.some((n) => /\/discussions\.md$/.test(n)) && names.some((n) => /\/action-plan\.md$/.test(n))).to.equal(true);
    expect(names.some((n) => n.endsWith('/network.svg'))).to.equal(true);

    const data = JSON.parse(files.get('circlework-export/data.json')!) as import('../../server/privacy/export-content.ts').PersonExport;
    expect(data).to.include({ format: 'circlework-personal-export', version: 1, scope: 'cohort' });
    expect(data.profile!.skills).to.equal('PROFILE-SKILLS SQL');
    const cohort = data.cohorts[0]!;
    expect(cohort.responses.map((r) => r.kind).sort()).to.deep.equal(['curation', 'five-factor-check', 'practice', 'reflection']);
    expect(cohort.posts.map((p) => [p.body, p.status])).to.deep.include.members([['ADA-REPLY I think so', 'visible'], ['ADA-HIDDEN-POST', 'hidden']]);
    expect(cohort.posts.find((p) => p.body.startsWith('ADA-REPLY'))!.inReplyTo).to.deep.equal({ author: 'Bo Brown', quote: 'BO-OPENING-POST what do you think' });
    expect(cohort.posts.find((p) => p.body === 'ADA-REPLY-TO-HIDDEN')!.inReplyTo).to.deep.equal({ hidden: true });
    expect(cohort.repliesReceived.map((r) => r.body)).to.deep.equal(['BO-REPLY-TO-ADA thanks']);
    expect(cohort.kudos.map((k) => k.direction).sort()).to.deep.equal(['given', 'received']);
    expect(cohort.actionPlan!.comments.map((k) => k.by).sort()).to.deep.equal(['Bo Brown', 'Your manager']);
    expect(cohort.actionPlan!.partners).to.deep.equal([{ name: 'Bo Brown', status: 'asked' }]);
    expect(cohort.ownNetwork!.contacts.map((x) => x.name)).to.include('Bo Brown');
    expect(cohort.ownNetwork!.svg).to.match(/^<svg/);

    // Emailed as a signed link, which downloads the same zip.
    const mail = await waitFor('the export email', async () => smtp.messages.find((m) => m.to.includes('ada@example.org')));
    const link = linkIn(mail, '/privacy/exports/download');
    expect(link).to.not.equal('');
    const byLink = await a.browser.request(link);
    expect(byLink.status).to.equal(200);
    expect(byLink.headers.get('content-disposition')).to.match(/^attachment;/);
  });

  it('exports one cohort or all the person’s cohorts in the tenant', async () => {
    const a = await launch(ada);
    const other = await launch(ada, { id: 'course-export-2', title: 'SECOND-COHORT' });
    const one = await requestAndWait(a, 'cohort');
    const oneData = JSON.parse((await unzip(await zipBytes(a, `/cohorts/${a.cohortId}/profile/exports/${one.id}`))).get('circlework-export/data.json')!) as { cohorts: Array<{ cohort: { title: string } }> };
    expect(oneData.cohorts.map((c) => c.cohort.title)).to.deep.equal([COURSE.title]);
    await env.app.db.deleteFrom('personalExports').execute();
    const all = await requestAndWait(other, 'all');
    const files = await unzip(await zipBytes(other, `/cohorts/${other.cohortId}/profile/exports/${all.id}`));
    const allData = JSON.parse(files.get('circlework-export/data.json')!) as typeof oneData;
    expect(allData.cohorts.map((c) => c.cohort.title).sort()).to.deep.equal([COURSE.title, 'SECOND-COHORT'].sort());
    expect(files.get('circlework-export/README.md')).to.include('all your cohorts');
  });

  it('writes the export and its email in the person’s language (here French, from their launch)', async () => {
    const fr = await suite.launchIn(ada, 'fr-FR');
    const built = await requestAndWait(fr, 'cohort');
    const files = await unzip(await zipBytes(fr, `/cohorts/${fr.cohortId}/profile/exports/${built.id}`));
    expect(files.get('circlework-export/README.md')).to.include('# Votre export Circlework').and.include('Il contient une cohorte.');
    expect(files.get('circlework-export/profile.md')).to.include('# Votre profil');
    const [mail] = await smtp.waitFor(ada.email);
    expect(mail!.subject).to.equal('Votre export Circlework est prêt');
  });

  it('only the person downloads their export: another learner, a facilitator and another tenant get 404', async () => {
    const f = await launch(fran);
    const a = await launch(ada);
    const b = await launch(bo);
    const e = await requestAndWait(a);
    const path = `/profile/exports/${e.id}`;
    expect((await download(a, `${a.base}${path}`)).status).to.equal(200);
    expect((await download(b, `${b.base}${path}`)).status).to.equal(404);
    expect((await download(f, `${f.base}${path}`)).status).to.equal(404);
    // Another tenant's learner with the same LMS user id, at another LMS.
    const otherSim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Another organisation' });
    try {
      const other = await connectPlatform(env.app, otherSim);
      const x = Object.assign(await suite.launch(ada, { id: 'other-course' }, other), { sub: 'ada' });
      expect((await download(x, `${x.base}${path}`)).status).to.equal(404);
    } finally {
      await otherSim.close();
    }
  });

  it('the emailed link ends when the export expires (410), and the cleanup deletes expired exports with their zip', async () => {
    const a = await launch(ada);
    const e = await requestAndWait(a);
    const mail = await waitFor('the export email', async () => smtp.messages.find((m) => m.to.includes('ada@example.org')));
    const link = linkIn(mail, '/privacy/exports/download');
    expect((await a.browser.request(link)).status).to.equal(200);
    clock.offsetMs = 24 * 3600_000 + 1000;
    expect((await a.browser.request(link)).status).to.equal(410);
    expect((await download(a, `${a.base}/profile/exports/${e.id}`)).status).to.equal(404);
    const { deleteExpiredExports } = await import('../../models/export.queries.ts');
    expect(await deleteExpiredExports(env.app.db, clock.now())).to.equal(1);
    const chunks = await env.app.db.selectFrom('personalExportChunks').select('seq').execute();
    expect(chunks).to.deep.equal([]);
  });

  it('a queued export is built after the process restarts', async () => {
    const a = await launch(ada);
    // The app's queue sends the job, but no worker runs in this "process": it stops with the job queued.
    await queues[0]!.boss.offWork(PERSONAL_EXPORT_QUEUE);
    try {
      const r = await suite.post(a, `${a.base}/profile/export`, { scope: 'all' });
      expect(r.status).to.equal(303);
      const page = await suite.get(a, `${a.base}/profile?export=requested`);
      expect(page.doc.querySelector('[data-test=export]')!.text).to.include('being prepared');
      const restarted: JobQueue = await startTestJobQueue();
      try {
        await registerPersonalExports(restarted, { db: env.app.db, workshop, now: clock.now }, { pollingIntervalSeconds: 0.5 });
        await waitFor('the export built by the restarted worker', async () => (await env.app.db.selectFrom('personalExports').select('status').executeTakeFirst())?.status === 'ready', 20_000);
      } finally {
        await restarted.stop();
      }
    } finally {
      await registerPersonalExports(queues[0]!, { db: env.app.db, workshop, now: clock.now, email: env.app.emailDeps }, { pollingIntervalSeconds: 0.5 });
    }
  });

  it('an export whose every attempt fails shows as failed (ask again), not “being prepared” for ever, and does not count towards the day’s', async () => {
    const a = await launch(ada);
    // A build that always fails: its transaction cannot begin.
    const broken = new Proxy(env.app.db, { get: (target, key) => { if (key === 'transaction') throw new Error('database unavailable'); const v: unknown = Reflect.get(target, key, target); return typeof v === 'function' ? v.bind(target) : v; } });
    await queues[0]!.boss.offWork(PERSONAL_EXPORT_QUEUE);
    try {
      await registerPersonalExports(queues[0]!, { db: broken, workshop, now: clock.now }, { pollingIntervalSeconds: 0.5, retryLimit: 1, retryDelaySeconds: 0 });
      const r = await suite.post(a, `${a.base}/profile/export`, { scope: 'cohort' });
      expect(r.status).to.equal(303);
      await waitFor('the export marked failed after its last attempt', async () => (await env.app.db.selectFrom('personalExports').select('status').executeTakeFirst())?.status === 'failed', 20_000);
      const page = await suite.get(a, `${a.base}/profile`);
      expect(page.doc.querySelector('[data-test=export]')!.text).to.include('could not be prepared');
    } finally {
      await queues[0]!.boss.offWork(PERSONAL_EXPORT_QUEUE);
      await registerPersonalExports(queues[0]!, { db: env.app.db, workshop, now: clock.now, email: env.app.emailDeps }, { pollingIntervalSeconds: 0.5 });
    }
    // Failed ones do not count towards the day's five: with five failed, asking again works, and builds.
    const failed = await env.app.db.selectFrom('personalExports').selectAll().executeTakeFirstOrThrow();
    await env.app.db.insertInto('personalExports').values([1, 2, 3, 4].map(() => ({ tenantId: failed.tenantId, personId: failed.personId, cohortId: failed.cohortId, scope: 'cohort' as const, expiresAt: failed.expiresAt }))).execute();
    await env.app.db.updateTable('personalExports').set({ status: 'failed' }).execute();
    const e = await requestAndWait(a);
    expect(e.status).to.equal('ready');
  });

  /** The zip's bytes (the test client decodes bodies as text): fetched with the member's cookies. */
  async function zipBytes(m: Member, href: string): Promise<Buffer> {
    const url = `${env.app.url}${href}`;
    const r = await fetch(url, { headers: { cookie: await m.browser.jar.getCookieString(url) } });
    expect(r.status).to.equal(200);
    return Buffer.from(await r.arrayBuffer());
  }
});
