// The facilitator dashboard over real HTTP and PostgreSQL: who may open it (learner 403, another
// cohort's facilitator 401/404, another tenant sees nothing of ours), quiet learners with an injected
// clock, nudges (hub, email through pg-boss and SMTP, once a day by a unique constraint), the
// social-capital figures and picture, Community of Inquiry, five-factor aggregates and CSV exports.
import { expect } from 'chai';
import { sql } from 'kysely';
import { LtiHttpClient, LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { i18nFor } from '../../server/i18n/i18n.ts';
import { registerNudgeEmails } from '../../server/analytics/nudge-email.job.ts';

const DAY = 86_400_000;
const learner = (i: number, extra: Partial<SimUser> = {}): SimUser => ({ sub: `q${i}`, name: `Quinn ${i}`, email: `q${i}@example.org`, roles: [ROLES.learner], ...extra });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('facilitator dashboard', () => {
  const { env, clock, smtp, queues, launch, launchIn, get, post, formGroups, follow } = cohortSuite({ context: { id: 'course-dash', title: 'Dashboard course' }, smtp: true, queues: 1 });

  before(async () => {
    await registerNudgeEmails(queues[0]!, env.app.emailDeps, { pollingIntervalSeconds: 0.5 });
    // announcements (moderation's) queue their emails; nobody works that queue here
    await queues[0]!.boss.createQueue('announcement-email');
  });


  const mailTo = (address: string, n = 1) => smtp.waitFor(address, n);
  const membershipOf = async (sub: string) =>
    (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId')).select('m.id').where('p.sub', '=', sub).executeTakeFirstOrThrow()).id;
  const text = (p: { doc: { querySelector(s: string): { text: string } | null } }, sel: string) => p.doc.querySelector(sel)?.text.trim() ?? '';

  /** Six learners in two groups of three (by sub), the facilitator; returns browsers by group. */
  async function twoGroups() {
    const all: Member[] = [];
    for (let i = 1; i <= 6; i++) all.push(await launch(learner(i)));
    const f = await launch(fran);
    const groupOf = await formGroups(f);
    const first = groupOf.get('q1');
    const a = all.filter((_, i) => groupOf.get(`q${i + 1}`) === first);
    const b = all.filter((_, i) => groupOf.get(`q${i + 1}`) !== first);
    const subs = (g: Member[]) => g.map((m) => `q${all.indexOf(m) + 1}`);
    return { f, a, b, subsA: subs(a), subsB: subs(b) };
  }
  async function startThread(m: Member, space: string, title: string, body: string) {
    const r = await post(m, `${space}/threads`, { title, body });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    const url = new URL(r.location!, env.app.url).href;
    const postId = (await get(m, url)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    return { url: url.replace(/#.*/, ''), postId };
  }
  async function reply(m: Member, thread: string, body: string) {
    const r = await post(m, `${thread}/posts`, { body });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    return /#post-([0-9a-f-]+)/.exec(r.location!)?.[1] ?? '';
  }

  const CONSOLE_GETS = ['/console/dashboard', '/console/social', '/console/inquiry', '/console/five-factor', '/console/report', '/console/export/progress.csv', '/console/export/participation.csv', '/console/export/edges.csv'];

  it('answers a learner on every dashboard, nudge and export route with 403, and changes nothing', async () => {
    const l1 = await launch(learner(1));
    const l2 = await launch(learner(2));
    await launch(fran);
    for (const path of CONSOLE_GETS) expect((await get(l1, `${l1.base}${path}`)).status, path).to.equal(403);
    const target = await membershipOf('q2');
    expect((await get(l1, `${l1.base}/console/nudges/${target}`)).status).to.equal(403);
    expect((await post(l1, `${l1.base}/console/nudges/${target}`, { message: 'hey' })).status).to.equal(403);
    expect((await post(l1, `${l1.base}/console/dashboard/settings`, { quietDays: '2', showNames: 'on' })).status).to.equal(403);
    expect(await env.app.db.selectFrom('nudges').selectAll().execute()).to.deep.equal([]);
    expect(await env.app.db.selectFrom('cohortAnalyticsSettings').selectAll().execute()).to.deep.equal([]);
    // an observer-free cohort: the learner's own profile still shows only their own network
    expect((await get(l2, `${l2.base}/profile`)).doc.querySelector('[data-test=own-network]')).to.not.equal(null);
  });

  it('keeps another cohort’s facilitator out (401 on our URLs, 404 for our people) and shows another tenant none of our data', async () => {
    const { f, a } = await twoGroups();
    const space = await follow(a[0]!, `${a[0]!.base}/modules/1/space`);
    const t = await startThread(a[0]!, space, 'Ours', 'Only for us.');
    await reply(a[1]!, t.url, 'Agreed.');
    const target = await membershipOf('q1');
    const other = await launch({ ...fran, sub: 'other-fac' }, { id: 'course-other', title: 'Other' });
    for (const path of CONSOLE_GETS) expect((await get(other, `${f.base}${path}`)).status, path).to.equal(401);
    expect((await get(other, `${other.base}/console/nudges/${target}`)).status).to.equal(404);
    expect((await post(other, `${other.base}/console/nudges/${target}`, { message: 'hello' })).status).to.equal(404);
    // another tenant: a second LMS with the same course id gets its own cohort, and none of ours
    const sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
    try {
      const lms2 = await connectPlatform(env.app, sim2);
      const theirs = await launch({ ...fran, sub: 'fran' }, { id: 'course-dash', title: 'Dashboard course' }, lms2);
      expect(theirs.cohortId).to.not.equal(f.cohortId);
      expect((await get(theirs, `${f.base}/console/dashboard`)).status).to.equal(401);
      expect((await get(theirs, `${theirs.base}/console/nudges/${target}`)).status).to.equal(404);
      for (const path of CONSOLE_GETS) {
        const r = await get(theirs, `${theirs.base}${path}`);
        expect(r.status, path).to.equal(200);
        expect(r.body, path).not.to.contain('Quinn');
      }
      expect((await get(theirs, `${theirs.base}/console/export/edges.csv`)).body).to.equal('from,to,from group,to group,interactions,replies,kudos,mentions\r\n');
    } finally {
      await sim2.close();
    }
    expect(await env.app.db.selectFrom('nudges').selectAll().execute()).to.deep.equal([]);
  });

  it('finds who has gone quiet by the injected clock and the cohort’s own number of days', async () => {
    const l1 = await launch(learner(1));
    await launch(learner(2));
    const f = await launch(fran);
    const commons = await follow(l1, `${l1.base}/commons`);
    await startThread(l1, commons, 'Hello', 'Glad to be here.');
    // Quinn 2 last launched ten days before Quinn 1's post (the real clock), Quinn 1 posts now
    const q2 = await membershipOf('q2');
    await sql`UPDATE memberships SET last_launch_at = now() - interval '5 days', created_at = now() - interval '6 days' WHERE id = ${q2}`.execute(env.app.db);
    const quietNames = async () => (await get(f, `${f.base}/console/dashboard`)).doc.querySelectorAll('[data-test=quiet-learner] th').map((e) => e.text.trim());
    expect(await quietNames()).to.deep.equal([]);
    clock.offsetMs = 5 * DAY; // Quinn 1: 5 days quiet, Quinn 2: 10 days
    expect(await quietNames()).to.deep.equal(['Quinn 2']);
    const page = await get(f, `${f.base}/console/dashboard`);
    expect(text(page, '[data-test=quiet-learner] [data-test=days-quiet]')).to.equal('10');
    // the facilitator sets 3 days: both are quiet now, longest first
    expect((await post(f, `${f.base}/console/dashboard/settings`, { quietDays: '3' })).status).to.equal(303);
    expect(await quietNames()).to.deep.equal(['Quinn 2', 'Quinn 1']);
    // a bad number is refused, with what was typed back in the form, and nothing saved
    const bad = await post(f, `${f.base}/console/dashboard/settings`, { quietDays: '0', showNames: 'on' });
    expect(bad.status).to.equal(400);
    expect(bad.doc.querySelector('#quietDays')!.getAttribute('value')).to.equal('0');
    expect(text(bad, '[data-test=settings-error]')).to.contain('at least 1 day');
    expect(await env.app.db.selectFrom('cohortAnalyticsSettings').select(['quietDays', 'showNames']).execute()).to.deep.equal([{ quietDays: 3, showNames: false }]);
    // Quinn 1's launch and post move back 20 days (25 quiet by the clock); saving a draft counts as activity
    const q1 = await membershipOf('q1');
    await sql`UPDATE memberships SET last_launch_at = now() - interval '20 days' WHERE id = ${q1}`.execute(env.app.db);
    await sql`UPDATE posts SET created_at = now() - interval '20 days'`.execute(env.app.db);
    expect((await post(f, `${f.base}/console/dashboard/settings`, { quietDays: '7' })).status).to.equal(303);
    expect(await quietNames()).to.deep.equal(['Quinn 1', 'Quinn 2']);
    expect((await post(l1, `${l1.base}/modules/1/activities/set-your-intention`, { intent: 'draft', text: 'My intention' })).status).to.equal(303);
    expect(await quietNames()).to.deep.equal(['Quinn 2']);
  });

  it('lists a learner on the roster who never launched as quiet at once, first, and lets the facilitator nudge them (issue 16, item 8)', async () => {
    const l1 = await launch(learner(1));
    const f = await launch(fran);
    // the roster (NRPS) brought Quinn 9 in today; they have never opened Circlework
    const { tenantId } = await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', l1.cohortId).executeTakeFirstOrThrow();
    const person = await env.app.db.insertInto('persons').values({ tenantId, sub: 'q9', name: 'Quinn 9' }).returning('id').executeTakeFirstOrThrow();
    const { id: q9 } = await env.app.db.insertInto('memberships').values({ tenantId, cohortId: l1.cohortId, personId: person.id, role: 'learner', status: 'active' }).returning('id').executeTakeFirstOrThrow();
    // and Quinn 8, removed from the course: neither quiet nor nudged
    const gone = await env.app.db.insertInto('persons').values({ tenantId, sub: 'q8', name: 'Quinn 8' }).returning('id').executeTakeFirstOrThrow();
    await env.app.db.insertInto('memberships').values({ tenantId, cohortId: l1.cohortId, personId: gone.id, role: 'learner', status: 'inactive' }).execute();
    const page = await get(f, `${f.base}/console/dashboard`);
    expect(page.doc.querySelectorAll('[data-test=quiet-learner] th').map((e) => e.text.trim())).to.deep.equal(['Quinn 9']);
    expect(text(page, `[data-membership-id="${q9}"] [data-test=never-launched]`)).to.equal('Never opened Circlework');
    expect(page.doc.querySelector(`[data-membership-id="${q9}"] [data-test=nudge-button]`)).to.not.equal(null);
    expect(page.doc.querySelector('[data-test=no-quiet]')).to.equal(null);
    // the console's members table has the nudge too, for active learners only
    const members = (await get(f, `${f.base}/console`)).doc.querySelectorAll('[data-test=member]');
    const nudges = members.map((m) => m.querySelector('[data-test=member-nudge]')?.getAttribute('href')).filter(Boolean);
    expect(nudges).to.have.length(2);
    expect(nudges).to.include(`/cohorts/${f.cohortId}/console/nudges/${q9}`);
    expect((await get(f, `${env.app.url}/cohorts/${f.cohortId}/console/nudges/${q9}`)).status).to.equal(200);
    // and still first when others have been quiet longer
    clock.offsetMs = 10 * DAY;
    expect((await get(f, `${f.base}/console/dashboard`)).doc.querySelectorAll('[data-test=quiet-learner] th').map((e) => e.text.trim())).to.deep.equal(['Quinn 9', 'Quinn 1']);
  });

  it('sends a nudge to the hub and by email, once a day (409 with what was typed kept), and the learner dismisses it', async () => {
    await launch(learner(1));
    const l2 = await launch(learner(2));
    const l3 = await launch(learner(3, { email: undefined }));
    const f = await launch(fran);
    const q2 = await membershipOf('q2');
    clock.offsetMs = 8 * DAY;
    const dash = await get(f, `${f.base}/console/dashboard`);
    const row = dash.doc.querySelector(`[data-membership-id="${q2}"]`)!;
    const template = row.querySelector('textarea')!.text;
    expect(template).to.contain('Hi Quinn').and.to.contain('Dashboard course').and.to.contain('Fran Facilitator');
    // the one click: the suggested text as it is
    const sent = await post(f, `${f.base}/console/nudges/${q2}`, { message: template });
    expect(sent.status, sent.body.slice(0, 300)).to.equal(303);
    expect(sent.location).to.contain('/console/dashboard?nudged=1');
    const mail = await mailTo('q2@example.org');
    expect(mail).to.have.length(1);
    expect(mail[0]!.text).to.contain('Hi Quinn').and.to.contain('/email/preferences/');
    // the hub shows it until dismissed
    const hub = await get(l2, l2.base);
    expect(text(hub, '[data-test=hub-nudge]')).to.contain('Hi Quinn');
    // the same day again: 409, the edited text still in the form, nothing added, no second email
    const again = await post(f, `${f.base}/console/nudges/${q2}`, { message: 'A second, edited note' });
    expect(again.status).to.equal(409);
    expect(text(again, '[data-test=nudge-error]')).to.contain('already nudged today');
    expect(again.doc.querySelector('#message')!.text).to.equal('A second, edited note');
    expect((await get(f, `${f.base}/console/dashboard`)).doc.querySelector(`[data-membership-id="${q2}"] [data-test=nudged-today]`)).to.not.equal(null);
    // two facilitators at once: the database lets one through
    const q3 = await membershipOf('q3');
    const both = await Promise.all([post(f, `${f.base}/console/nudges/${q3}`, { message: 'one' }), post(f, `${f.base}/console/nudges/${q3}`, { message: 'two' })]);
    expect(both.map((r) => r.status).sort()).to.deep.equal([303, 409]);
    // an empty message: 400, nothing saved
    const empty = await post(f, `${f.base}/console/nudges/${await membershipOf('q1')}`, { message: '   ' });
    expect(empty.status).to.equal(400);
    expect(await env.app.db.selectFrom('nudges').select('membershipId').orderBy('createdAt').execute()).to.have.length(2);
    // the next day is a new day
    clock.offsetMs = 9 * DAY;
    expect((await post(f, `${f.base}/console/nudges/${q2}`, { message: 'Tomorrow’s note' })).status).to.equal(303);
    await mailTo('q2@example.org', 2);
    expect(smtp.to('q2@example.org')).to.have.length(2);
    // Quinn 3 has no address the LMS shared: on the hub, never emailed
    // Quinn 3's hub shows Quinn 3's nudge only, never Quinn 2's
    expect(text(await get(l3, l3.base), '[data-test=hub-nudges]')).to.match(/one|two/).and.not.contain('Hi Quinn');
    // someone else cannot dismiss Quinn 2's nudge; Quinn 2 can
    const nudgeId = (await get(l2, l2.base)).doc.querySelector('[data-test=hub-nudge] form')!.getAttribute('action')!.split('/')[4]!;
    expect((await post(l3, `${l3.base}/nudges/${nudgeId}/dismiss`, {})).status).to.equal(404);
    for (const form of (await get(l2, l2.base)).doc.querySelectorAll('[data-test=hub-nudge] form')) {
      expect((await post(l2, `${env.app.url}${form.getAttribute('action')}`, {})).status).to.equal(303);
    }
    expect((await get(l2, l2.base)).doc.querySelector('[data-test=hub-nudges]')).to.equal(null);
    expect(smtp.messages.filter((m) => !m.to.includes('q2@example.org'))).to.deep.equal([]);
  });

  it('does not email a nudge to a learner who turned nudges off', async () => {
    const l1 = await launch(learner(1));
    const f = await launch(fran);
    const person = await env.app.db.selectFrom('persons').select(['id', 'tenantId']).where('sub', '=', 'q1').executeTakeFirstOrThrow();
    await env.app.db.insertInto('emailOptOuts').values({ tenantId: person.tenantId, personId: person.id, topic: 'nudges' }).onConflict((c) => c.doNothing()).execute();
    const q1 = await membershipOf('q1');
    expect((await post(f, `${f.base}/console/nudges/${q1}`, { message: 'Hello there' })).status).to.equal(303);
    // the job ran (the row is marked) and sent nothing
    for (let i = 0; i < 200; i++) {
      const row = await env.app.db.selectFrom('nudges').select('emailedAt').executeTakeFirstOrThrow();
      if (row.emailedAt) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await env.app.db.selectFrom('nudges').select('emailedAt').executeTakeFirstOrThrow()).emailedAt).to.not.equal(null);
    expect(smtp.messages).to.deep.equal([]);
  });

  it('enforces one nudge a day in the database itself', async () => {
    await launch(learner(1));
    await launch(fran);
    const q1 = await membershipOf('q1');
    const m = await env.app.db.selectFrom('memberships').select(['tenantId', 'cohortId']).where('id', '=', q1).executeTakeFirstOrThrow();
    const fac = await membershipOf('fran');
    const row = { ...m, membershipId: q1, sentByMembershipId: fac, message: 'x', nudgedOn: '2026-11-25' };
    await env.app.db.insertInto('nudges').values(row).execute();
    let code: string | undefined;
    await env.app.db.insertInto('nudges').values(row).execute().catch((e: { code?: string }) => (code = e.code));
    expect(code).to.equal('23505');
  });

  it('measures the learners’ network exactly and draws it, anonymised unless the cohort shows names', async () => {
    const { f, a, b } = await twoGroups();
    const spaceA = await follow(a[0]!, `${a[0]!.base}/modules/1/space`);
    const t = await startThread(a[0]!, spaceA, 'Working out loud', 'Hi all, how do you share your work?');
    const replyId = await reply(a[1]!, t.url, '> how do you share\n\nBuilding on that: a short note each Friday.');
    expect((await post(a[0]!, `${a[0]!.base}/posts/${replyId}/kudos`, { reason: 'Useful habit' })).status).to.equal(303);
    const commons = await follow(b[0]!, `${b[0]!.base}/commons`);
    const c = await startThread(b[0]!, commons, 'Across groups', 'Anyone from the other group?');
    await reply(a[0]!, c.url, 'Yes, me!');
    // ties: a1→a0 (reply), a0→a1 (kudos), a0→b0 (reply): 3 of 30, 2 of 3 returned, 1 of 3 crossing
    const page = await get(f, `${f.base}/console/social`);
    expect(page.status).to.equal(200);
    const cohortRow = page.doc.querySelector('[data-test=metrics-cohort]')!;
    expect(text({ doc: cohortRow }, '[data-test=ties]')).to.equal('3');
    expect(text({ doc: cohortRow }, '[data-test=density]')).to.equal('10%');
    expect(text({ doc: cohortRow }, '[data-test=reciprocity]')).to.equal('67%');
    expect(text({ doc: cohortRow }, '[data-test=cross-group]')).to.equal('33%');
    expect(text({ doc: cohortRow }, '[data-test=isolated]')).to.match(/^3 /);
    const svg = page.doc.querySelector('svg[data-test=network-svg]')!;
    expect(svg.getAttribute('role')).to.equal('img');
    expect(svg.querySelector('title')!.text).to.contain('network');
    expect(svg.querySelector('desc')!.text).to.contain('6 learners in 2 groups, 3 ties');
    expect(svg.querySelectorAll('[data-test=network-node]')).to.have.length(6);
    expect(svg.querySelectorAll('[data-test=network-ties] line')).to.have.length(3);
    expect(svg.querySelectorAll('[data-test=network-legend] g')).to.have.length(2);
    expect(page.doc.querySelectorAll('[data-test=tie]')).to.have.length(3);
    expect(page.body).not.to.contain('Quinn');
    expect(page.doc.querySelectorAll('[data-test=trend-week]').length).to.be.greaterThan(0);
    // the cohort setting shows names to facilitators
    expect((await post(f, `${f.base}/console/dashboard/settings`, { quietDays: '7', showNames: 'on' })).status).to.equal(303);
    const named = await get(f, `${f.base}/console/social`);
    expect(named.doc.querySelector('svg[data-test=network-svg]')!.text).to.contain('Quinn');
    // the edge list export stays anonymised all the same
    const edges = await get(f, `${f.base}/console/export/edges.csv`);
    expect(edges.body).not.to.contain('Quinn');
    expect(edges.body.trim().split('\r\n')).to.have.length(4);
    // each learner sees their own network on their profile; a0 has two contacts
    const own = await get(a[0]!, `${a[0]!.base}/profile`);
    expect(own.doc.querySelectorAll('[data-test=own-contact]').map((r) => r.querySelector('th')!.text).sort()).to.have.length(2);
    expect(own.doc.querySelector('svg[data-test=ego-svg]')).to.not.equal(null);
    const lonely = await get(b[1]!, `${b[1]!.base}/profile`);
    expect(lonely.doc.querySelector('[data-test=no-own-network]')).to.not.equal(null);
  });

  it('draws the kept network again when the names shown or the reader’s language change, though the figures have not', async () => {
    const { f, a } = await twoGroups();
    const spaceA = await follow(a[0]!, `${a[0]!.base}/modules/1/space`);
    const t = await startThread(a[0]!, spaceA, 'Working out loud', 'Hi all, how do you share your work?');
    await reply(a[1]!, t.url, 'A short note each Friday.');
    const network = async (m: Member) => (await get(m, `${m.base}/console/social`)).doc.querySelector('svg[data-test=network-svg]')!;
    // the first read computes the figures, the next ones read them kept (and their picture, drawn once)
    for (let i = 0; i < 3; i++) expect((await network(f)).text).not.to.contain('Quinn');
    expect((await post(f, `${f.base}/console/dashboard/settings`, { quietDays: '7', showNames: 'on' })).status).to.equal(303);
    expect((await network(f)).text).to.contain('Quinn');
    const fr = await launchIn(fran, 'fr-FR');
    expect((await network(fr)).querySelector('title')!.text).to.equal(i18nFor('fr').t('analytics.social.chart.networkTitle'));
    expect((await network(f)).querySelector('title')!.text).to.equal(i18nFor('en').t('analytics.social.chart.networkTitle'));
  });

  it('counts Community of Inquiry indicators per group and flags thin teaching presence', async () => {
    const { f, a, b } = await twoGroups();
    const spaceA = await follow(a[0]!, `${a[0]!.base}/modules/1/space`);
    const t = await startThread(a[0]!, spaceA, 'Stories', 'Hello! Last year I tried weeknotes. What do you do?');
    await reply(a[1]!, t.url, 'I agree, weeknotes help.');
    const spaceB = await follow(b[0]!, `${b[0]!.base}/modules/1/space`);
    const tb = await startThread(b[0]!, spaceB, 'Plans', 'Short post.');
    await reply(f, tb.url.replace(b[0]!.base, f.base), 'Good start, keep going.');
    const page = await get(f, `${f.base}/console/inquiry`);
    expect(page.status).to.equal(200);
    const rows = page.doc.querySelectorAll('[data-test=inquiry-group]');
    const groupA = rows.find((r) => r.querySelector('[data-test=social]')!.text === '2')!;
    expect(groupA, page.body.slice(0, 500)).to.not.equal(undefined);
    // A: greeting + story = 2 social; question + builds-on = 2 cognitive; no teaching → thin
    expect([groupA.querySelector('[data-test=cognitive]')!.text, groupA.querySelector('[data-test=teaching]')!.text, groupA.getAttribute('data-thin')]).to.deep.equal(['2', '0', 'true']);
    const groupB = rows.find((r) => r !== groupA)!;
    expect([groupB.querySelector('[data-test=teaching]')!.text, groupB.getAttribute('data-thin')]).to.deep.equal(['1', 'false']);
    expect(page.doc.querySelector('[data-test=thin-teaching]')).to.not.equal(null);
    expect(page.doc.querySelectorAll('[data-test=rules] li').length).to.equal(9);
  });

  it('counts endorsements and announcements as teaching presence, and leaves hidden posts out of every figure and export', async () => {
    const { f, a } = await twoGroups();
    const spaceA = await follow(a[0]!, `${a[0]!.base}/modules/1/space`);
    const t = await startThread(a[0]!, spaceA, 'Stories', 'Hello! What do you do?');
    const replyId = await reply(a[1]!, t.url, 'I agree, weeknotes help.');
    const teaching = async () => {
      const rows = (await get(f, `${f.base}/console/inquiry`)).doc.querySelectorAll('[data-test=inquiry-group]');
      return rows.map((r) => r.querySelector('[data-test=teaching]')!.text).sort();
    };
    expect(await teaching()).to.deep.equal(['0', '0']);
    expect((await post(f, `${f.base}/console/moderation/posts/${t.postId}/endorse`, { endorsed: 'yes' })).status).to.equal(303);
    expect(await teaching()).to.deep.equal(['0', '1']);
    expect((await post(f, `${f.base}/console/announcements`, { audience: 'cohort', title: 'Week 1', body: 'Welcome, everyone.' })).status).to.equal(303);
    expect(await teaching()).to.deep.equal(['1', '2']);
    // the reply is hidden: no tie, no reply count, no builds-on
    const edgesBefore = (await get(f, `${f.base}/console/export/edges.csv`)).body.trim().split('\r\n');
    expect(edgesBefore).to.have.length(2);
    const hidden = await post(f, `${f.base}/console/moderation/posts/${replyId}/hide`, { reason: 'Off topic', confirmed: 'yes' });
    expect(hidden.status, hidden.body.slice(0, 300)).to.equal(303);
    expect((await get(f, `${f.base}/console/export/edges.csv`)).body.trim().split('\r\n')).to.have.length(1);
    const part = (await get(f, `${f.base}/console/export/participation.csv`)).body;
    expect(part).not.to.match(/,0,1,0,0,0,0,0,/);
    const cognitive = (await get(f, `${f.base}/console/inquiry`)).doc.querySelectorAll('[data-test=inquiry-group] [data-test=cognitive]').map((e) => e.text).sort();
    expect(cognitive).to.deep.equal(['0', '1']);
    expect((await get(f, `${f.base}/console/social`)).doc.querySelectorAll('[data-test=tie]')).to.have.length(0);
  });

  it('shows five-factor averages side by side, withholding those of fewer than three answers', async () => {
    const ls: Member[] = [];
    for (let i = 1; i <= 3; i++) ls.push(await launch(learner(i)));
    const f = await launch(fran);
    const ratings = (v: number) => Object.fromEntries(['intention', 'propensity-and-skill', 'relationship-strength', 'activity-match', 'tool-access'].map((k) => [`rating_${k}`, String(v)]));
    for (const [i, m] of ls.entries()) {
      const r = await post(m, `${m.base}/modules/1/activities/starting-five-factor-check`, { intent: 'submit', comment: '', ...ratings(i + 2) });
      expect(r.status, r.body.slice(0, 300)).to.equal(303);
    }
    const page = await get(f, `${f.base}/console/five-factor`);
    const first = page.doc.querySelector('[data-test=factor]')!;
    expect(first.querySelector('[data-test=start-mean]')!.text).to.equal('3.0'); // (2 + 3 + 4) / 3
    expect(first.querySelector('[data-test=end-mean]')!.text).to.equal('—');
    expect(page.doc.querySelector('svg[data-test=bar-chart]')).to.not.equal(null);
  });

  it('exports progress, participation and edges as CSV with formula cells guarded', async () => {
    const evil = await launch(learner(1, { name: '=HYPERLINK("http://evil.example","x")' }));
    const l2 = await launch(learner(2));
    const f = await launch(fran);
    const commons = await follow(evil, `${evil.base}/commons`);
    const t = await startThread(evil, commons, 'Hi', 'Hello, world');
    await reply(l2, t.url, 'Hello back, "friend", with a comma');
    const part = await get(f, `${f.base}/console/export/participation.csv`);
    expect(part.status).to.equal(200);
    const lines = part.body.split('\r\n');
    expect(lines[0]).to.equal('learner,group,threads started,replies,kudos given,kudos received,mentions made,activity responses submitted,modules complete,last active (UTC)');
    const evilLine = lines.find((l) => l.includes('HYPERLINK'))!;
    expect(evilLine.startsWith(`"'=HYPERLINK(""http://evil.example"",""x"")",,1,0,0,0,0,0,0,`)).to.equal(true);
    expect(lines.find((l) => l.startsWith('Quinn 2,'))).to.match(/^Quinn 2,,0,1,0,0,0,0,0,/);
    const progress = await get(f, `${f.base}/console/export/progress.csv`);
    expect(progress.body.split('\r\n')[0]).to.equal('learner,group,module 1,module 2,module 3,module 4,module 5,module 6,module 7,module 8,module 9,modules complete');
    expect(progress.body).to.contain('Quinn 2,,Not started,Opens later,');
    const edges = await get(f, `${f.base}/console/export/edges.csv`);
    expect(edges.body.split('\r\n').filter(Boolean)).to.have.length(2);
    expect(edges.body).to.match(/Learner \d,Learner \d,,,1,1,0,0/);
    expect(edges.body).not.to.contain('HYPERLINK');
    const r = await env.app.db.selectFrom('memberships').select('id').limit(1).execute();
    expect(r).to.have.length.greaterThan(0);
  });

  it('shows each group’s posts, replies and kudos on the dashboard and the report, and draws the kept table again when they change', async () => {
    const { f, a } = await twoGroups();
    // Each row of the group-health table: the group and its totals.
    const health = async (path: string) =>
      (await get(f, `${f.base}${path}`)).doc.querySelectorAll('[data-test=group-health-row]').map((r) => [r.querySelector('th')!.text.trim(), r.querySelector('[data-test=group-health-total]')!.text.trim()]);
    const space = await follow(a[0]!, `${a[0]!.base}/modules/1/space`);
    const t = await startThread(a[0]!, space, 'Ours', 'Only for us.');
    const first = await health('/console/dashboard');
    expect(first.map(([, totals]) => totals).sort()).to.deep.equal(['0 · 0 · 0', '1 · 0 · 0']);
    const ours = first.find(([, totals]) => totals === '1 · 0 · 0')![0];
    expect(await health('/console/dashboard')).to.deep.equal(first);
    await reply(a[1]!, t.url, 'Agreed.');
    for (const path of ['/console/dashboard', '/console/report']) {
      const now = await health(path);
      expect(now.find(([name]) => name === ours)![1], path).to.equal('1 · 1 · 0');
      expect(now.filter(([name]) => name !== ours).map(([, totals]) => totals), path).to.deep.equal(['0 · 0 · 0']);
    }
    // The social page and the report keep blocks of the same figures: each shows its own.
    const social = await get(f, `${f.base}/console/social`);
    expect(social.doc.querySelector('[data-test=network-table]'), 'social page').to.not.equal(null);
    const report = await get(f, `${f.base}/console/report`);
    expect(report.doc.querySelector('[data-test=network-metrics]'), 'report').to.not.equal(null);
    expect(report.doc.querySelector('[data-test=network-table]'), 'report').to.equal(null);
  });

  it('renders the printable report and the dashboard’s empty states', async () => {
    const f = await launch(fran);
    const dash = await get(f, `${f.base}/console/dashboard`);
    expect(dash.status).to.equal(200);
    expect(dash.doc.querySelector('[data-test=no-quiet]')).to.not.equal(null);
    await launch(learner(1));
    const report = await get(f, `${f.base}/console/report`);
    expect(report.status).to.equal(200);
    expect(report.doc.querySelector('link[media=print]')!.getAttribute('href')).to.equal('/public/analytics-print.css');
    expect(report.doc.querySelector('[data-test=participation]')!.text).to.contain('Quinn 1');
    const console = await get(f, `${f.base}/console`);
    expect(console.doc.querySelector('[data-test=dashboard-link]')!.getAttribute('href')).to.equal(`/cohorts/${f.cohortId}/console/dashboard`);
    expect((await get(f, `${f.base}/console/export/nothing.csv`)).status).to.equal(400);
    expect((await new LtiHttpClient().request(`${f.base}/console/dashboard`)).status).to.equal(401);
  });
});
