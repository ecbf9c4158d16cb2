// Moderation over real HTTP: flags and the queue, every facilitator action with exactly one audit
// log row in its transaction (and neither change nor row when the transaction fails), hidden posts
// out of learners' sight (pages, the live-update fragment, notifications), locks, pins, mutes,
// announcements on the hub and by email, the audit log's filters, and who may do what.
import { expect } from 'chai';
import { sql } from 'kysely';
import { LtiPlatformSimulator, type SimUser } from '../support/lti-platform-simulator.ts';
import { connectPlatform, ROLES, type ConnectedPlatform } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { requestStatements, statementsDuring } from '../support/statements-during.ts';
import { registerAnnouncementEmails } from '../../server/moderation/announcements.service.ts';
import { sendEmailDigests } from '../../server/notifications/email-digest.ts';

const ann: SimUser = { sub: 'ann', name: 'Ann Author', email: 'ann@example.org', roles: [ROLES.learner] };
const bob: SimUser = { sub: 'bob', name: 'Bob Reader', email: 'bob@example.org', roles: [ROLES.learner] };
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };
const learner = (i: number): SimUser => ({ sub: `l${i}`, name: `Lee ${i}`, email: `l${i}@example.org`, roles: [ROLES.learner] });

describe('moderation', () => {
  const { env, launch, get, post, follow, formGroups } = cohortSuite({ context: { id: 'course-m', title: 'Moderated' } });

  /** Ann posts a thread in the commons (mentioning Bob); Bob and Fran are there too. */
  async function commonsThread(body = 'My **plan** for the week, @bobreader.') {
    const a = await launch(ann);
    const b = await launch(bob);
    const f = await launch(fran);
    const space = await follow(a, `${a.base}/commons`);
    const created = await post(a, `${space}/threads`, { title: 'Weekly plans', body });
    expect(created.status, created.body.slice(0, 300)).to.equal(303);
    const thread = new URL(created.location!, env.app.url).href;
    const postId = (await get(a, thread)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    const threadId = new URL(thread).pathname.split('/')[4]!;
    return { a, b, f, space, thread, postId, threadId };
  }
  const mod = (m: Member) => `${m.base}/console/moderation`;
  const auditRows = () => env.app.db.selectFrom('moderationActions').selectAll().orderBy('createdAt').execute();
  const postRow = (id: string) => env.app.db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /** Runs `act`, then expects exactly one new audit row, for `action`. */
  async function expectOneRow(action: string, act: () => Promise<{ status: number; body: string }>) {
    const before = (await auditRows()).length;
    const r = await act();
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    const rows = await auditRows();
    expect(rows.length, `${action} writes one row`).to.equal(before + 1);
    expect(rows.at(-1)!.action).to.equal(action);
    return rows.at(-1)!;
  }

  it('takes a flag from any member to the queue with its context, notifies the facilitators (in-app), and refuses a second open flag (409)', async () => {
    const { b, f, postId } = await commonsThread();
    const flagged = await post(b, `${b.base}/posts/${postId}/flag`, { flagReason: 'Shares a colleague’s name' });
    expect(flagged.status).to.equal(303);
    expect((await get(b, new URL(flagged.location!, env.app.url).href)).doc.querySelector('[data-test=flagged]')).to.not.equal(null); // told it went through
    expect((await post(b, `${b.base}/posts/${postId}/flag`, { flagReason: 'again' })).status).to.equal(409);
    const queue = await get(f, mod(f));
    expect(queue.status).to.equal(200);
    const item = queue.doc.querySelector('[data-test=queue-item]')!;
    expect(item.getAttribute('data-post-id')).to.equal(postId);
    expect(item.text).to.contain('Weekly plans').and.contain('Cohort commons').and.contain('Ann Author').and.contain('Shares a colleague’s name').and.contain('My **plan**');
    expect(item.querySelector('[data-test=flag-count]')!.text).to.equal('1 flag');
    const notes = await get(f, `${f.base}/notifications`);
    expect(notes.doc.querySelector('[data-test=notification]')!.text).to.contain('Bob Reader flagged a post in “Weekly plans”');
    // a flag is not a moderation action: no audit row
    expect(await auditRows()).to.have.length(0);
  });

  it('keeps what was typed when a flag is refused (400), and changes nothing', async () => {
    const { b, postId } = await commonsThread();
    const long = 'x'.repeat(600);
    const r = await post(b, `${b.base}/posts/${postId}/flag`, { flagReason: long });
    expect(r.status).to.equal(400);
    expect(r.doc.querySelector('[data-test=flag-error]')!.text).to.contain('1 to 500');
    expect(r.doc.querySelector('textarea[name=flagReason]')!.text).to.equal(long);
    expect(await env.app.db.selectFrom('postFlags').selectAll().execute()).to.have.length(0);
  });

  it('hides a post only after a confirmation with a reason; learners see “hidden by a facilitator”, the author sees the post and the reason', async () => {
    const { a, b, f, thread, postId } = await commonsThread();
    await post(b, `${b.base}/posts/${postId}/flag`, { flagReason: 'Off topic' });
    expect((await get(b, `${b.base}/notifications`)).doc.querySelectorAll('[data-test=notification]')).to.have.length(1); // the mention
    expect((await get(b, b.base)).doc.querySelector('[data-test=unread-count]')?.text).to.equal('1');
    // first step: a confirmation page, nothing changed
    const confirm = await post(f, `${mod(f)}/posts/${postId}/hide`, { reason: 'Names a colleague', from: 'queue' });
    expect(confirm.status).to.equal(200);
    expect(confirm.doc.querySelector('[data-test=post-excerpt]')!.text).to.contain('My **plan**');
    expect(confirm.doc.querySelector('textarea[name=reason]')!.text).to.equal('Names a colleague');
    expect((await postRow(postId)).status).to.equal('visible');
    // confirmed without a reason: 400, kept, nothing changed
    const noReason = await post(f, `${mod(f)}/posts/${postId}/hide`, { reason: '  ', confirmed: 'yes' });
    expect(noReason.status).to.equal(400);
    expect(noReason.doc.querySelector('[data-test=moderation-error]')).to.not.equal(null);
    expect((await postRow(postId)).status).to.equal('visible');
    expect(await auditRows()).to.have.length(0);
    const row = await expectOneRow('hide', () => post(f, `${mod(f)}/posts/${postId}/hide`, { reason: 'Names a colleague', confirmed: 'yes', from: 'queue' }));
    expect(row).to.include({ targetKind: 'post', targetId: postId, reason: 'Names a colleague' });
    expect((await postRow(postId)).status).to.equal('hidden');
    // the flag is settled: the queue is empty
    expect((await get(f, mod(f))).doc.querySelector('[data-test=queue-empty]')).to.not.equal(null);
    // another learner: placeholder, no body, not in the fragment, the mention gone from notifications
    const seen = await get(b, thread);
    expect(seen.doc.querySelector('[data-test=post-placeholder]')!.text).to.contain('hidden by a facilitator');
    expect(seen.body).not.to.contain('<strong>plan</strong>');
    expect(seen.body).not.to.contain('Names a colleague');
    expect((await get(b, `${b.base}/posts/${postId}/fragment`)).status).to.equal(404);
    const notes = await get(b, `${b.base}/notifications`);
    expect(notes.doc.querySelectorAll('[data-test=notification]')).to.have.length(0);
    expect(notes.doc.querySelector('[data-test=unread-count]')).to.equal(null); // the header counts what the list shows
    // the author: the post and the reason; the facilitator: the post, and can restore
    const own = await get(a, thread);
    expect(own.doc.querySelector('[data-test=post-body]')!.innerHTML).to.contain('<strong>plan</strong>');
    expect(own.doc.querySelector('[data-test=moderation-notice]')!.text).to.contain('Hidden by a facilitator: Names a colleague');
    expect((await get(a, `${a.base}/posts/${postId}/fragment`)).status).to.equal(200);
    const facing = await get(f, thread);
    expect(facing.doc.querySelector('[data-test=restore]')).to.not.equal(null);
    await expectOneRow('restore', () => post(f, `${mod(f)}/posts/${postId}/restore`, {}));
    expect((await get(b, thread)).doc.querySelector('[data-test=post-body]')!.innerHTML).to.contain('<strong>plan</strong>');
  });

  it('writes exactly one audit row for each of delete, edit, endorse, pin, lock, their undoing, and dismissing a flag', async () => {
    const { a, b, f, space, thread, postId, threadId } = await commonsThread();
    // edit: history kept, visible mark
    await expectOneRow('edit', () => post(f, `${mod(f)}/posts/${postId}/edit`, { body: 'My plan for the week.', reason: 'Removed a mention' }));
    expect(await env.app.db.selectFrom('postRevisions').select('bodySource').where('postId', '=', postId).execute()).to.deep.equal([{ bodySource: 'My **plan** for the week, @bobreader.' }]);
    expect((await get(b, thread)).doc.querySelector('[data-test=edited-by-facilitator]')).to.not.equal(null);
    // endorse / unendorse
    await expectOneRow('endorse', () => post(f, `${mod(f)}/posts/${postId}/endorse`, { endorsed: 'yes' }));
    expect((await get(b, thread)).doc.querySelector('[data-test=endorsed]')!.text).to.contain('Endorsed');
    expect((await post(f, `${mod(f)}/posts/${postId}/endorse`, { endorsed: 'yes' })).status).to.equal(409);
    await expectOneRow('unendorse', () => post(f, `${mod(f)}/posts/${postId}/endorse`, { endorsed: 'no' }));
    // pin: first in the space list even when another thread is newer
    await post(b, `${space}/threads`, { title: 'Newer thread', body: 'Hello' });
    expect((await get(b, space)).doc.querySelector('[data-test=thread] a')!.text).to.equal('Newer thread');
    await expectOneRow('pin', () => post(f, `${mod(f)}/threads/${threadId}/pin`, {}));
    const pinned = (await get(b, space)).doc.querySelector('[data-test=thread]')!;
    expect(pinned.querySelector('a')!.text).to.equal('Weekly plans');
    expect(pinned.getAttribute('data-pinned')).to.equal('true');
    await expectOneRow('unpin', () => post(f, `${mod(f)}/threads/${threadId}/unpin`, {}));
    // lock: a reply is a 409 with a message; the form is replaced by a notice
    await expectOneRow('lock', () => post(f, `${mod(f)}/threads/${threadId}/lock`, {}));
    const refused = await post(b, `${thread}/posts`, { body: 'Late reply' });
    expect(refused.status).to.equal(409);
    expect(refused.doc.querySelector('[data-test=error-message]')!.text).to.contain('locked');
    const locked = await get(b, thread);
    expect(locked.doc.querySelector('[data-test=thread-locked]')).to.not.equal(null);
    expect(locked.doc.querySelector('#reply-body')).to.equal(null);
    await expectOneRow('unlock', () => post(f, `${mod(f)}/threads/${threadId}/unlock`, {}));
    expect((await post(b, `${thread}/posts`, { body: 'Now it works' })).status).to.equal(303);
    // dismiss a flag
    await post(b, `${b.base}/posts/${postId}/flag`, { flagReason: 'Not sure about this' });
    const flag = await env.app.db.selectFrom('postFlags').selectAll().executeTakeFirstOrThrow();
    await expectOneRow('dismiss-flag', () => post(f, `${mod(f)}/flags/${flag.id}/dismiss`, {}));
    expect((await post(f, `${mod(f)}/flags/${flag.id}/dismiss`, {})).status).to.equal(409);
    // delete: confirmation, then removed with the reason for its author
    expect((await post(f, `${mod(f)}/posts/${postId}/delete`, { reason: 'Duplicate' })).status).to.equal(200);
    expect((await postRow(postId)).status).to.equal('visible');
    await expectOneRow('delete', () => post(f, `${mod(f)}/posts/${postId}/delete`, { reason: 'Duplicate', confirmed: 'yes' }));
    expect((await get(b, thread)).doc.querySelector('[data-test=post-placeholder]')!.text).to.contain('removed by a facilitator');
    expect((await get(a, thread)).doc.querySelector('[data-test=moderation-notice]')!.text).to.contain('Removed by a facilitator: Duplicate');
    expect((await auditRows()).map((r) => r.action)).to.deep.equal(['edit', 'endorse', 'unendorse', 'pin', 'unpin', 'lock', 'unlock', 'dismiss-flag', 'delete']);
  });

  it('leaves neither the change nor the audit row when the action’s transaction fails', async () => {
    const { b, f, postId } = await commonsThread();
    await post(b, `${b.base}/posts/${postId}/flag`, { flagReason: 'Off topic' });
    const members = await get(f, `${mod(f)}/members`);
    const bobId = members.doc.querySelectorAll('[data-test=mute-row]').find((r) => r.text.includes('Bob Reader'))!.getAttribute('data-membership-id')!;
    // the audit row's insert fails (the last step): the change made before it must be undone
    await sql`CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`.execute(env.app.db);
    await sql`CREATE TRIGGER fail_audit BEFORE INSERT ON moderation_actions FOR EACH ROW EXECUTE FUNCTION fail_audit()`.execute(env.app.db);
    try {
      expect((await post(f, `${mod(f)}/posts/${postId}/hide`, { reason: 'Names a colleague', confirmed: 'yes' })).status).to.equal(500);
      expect((await post(f, `${mod(f)}/members/${bobId}/mute`, { period: '1d', reason: 'Cooling off' })).status).to.equal(500);
    } finally {
      await sql`DROP TRIGGER fail_audit ON moderation_actions`.execute(env.app.db);
      await sql`DROP FUNCTION fail_audit()`.execute(env.app.db);
    }
    expect(await postRow(postId)).to.include({ status: 'visible', moderationReason: null });
    expect(await env.app.db.selectFrom('postFlags').select('status').execute()).to.deep.equal([{ status: 'open' }]);
    expect(await env.app.db.selectFrom('memberMutes').selectAll().execute()).to.have.length(0);
    expect(await auditRows()).to.have.length(0);
    // a constraint violation in the change itself (a thread whose lock fails): no row either
    await sql`ALTER TABLE threads ADD CONSTRAINT no_locks CHECK (locked_at IS NULL)`.execute(env.app.db);
    try {
      const threadId = (await postRow(postId)).threadId;
      expect((await post(f, `${mod(f)}/threads/${threadId}/lock`, {})).status).to.equal(500);
    } finally {
      await sql`ALTER TABLE threads DROP CONSTRAINT no_locks`.execute(env.app.db);
    }
    expect(await auditRows()).to.have.length(0);
  });

  it('mutes a member for a period: they read but every posting route is 403 saying until when; unmuting lets them post again', async () => {
    const { a, b, f, space, thread, postId } = await commonsThread();
    const rows = (await get(f, `${mod(f)}/members`)).doc.querySelectorAll('[data-test=mute-row]');
    const bobId = rows.find((r) => r.text.includes('Bob Reader'))!.getAttribute('data-membership-id')!;
    const franId = rows.find((r) => r.text.includes('Fran Facilitator'))!.getAttribute('data-membership-id')!;
    // bad input: 400, the reason kept, nothing changed
    const bad = await post(f, `${mod(f)}/members/${bobId}/mute`, { period: 'forever', reason: 'Shouting' });
    expect(bad.status).to.equal(400);
    expect(bad.doc.querySelector(`#mute-reason-${bobId}`)!.getAttribute('value')).to.equal('Shouting');
    expect((await post(f, `${mod(f)}/members/${franId}/mute`, { period: '1d', reason: 'x' })).status).to.equal(400);
    const row = await expectOneRow('mute', () => post(f, `${mod(f)}/members/${bobId}/mute`, { period: '3d', reason: 'Shouting' }));
    expect(row.reason).to.equal('3 days: Shouting');
    expect(row.subjectMembershipId).to.equal(bobId);
    expect((await get(b, thread)).status).to.equal(200);
    for (const [url, form] of [
      [`${space}/threads`, { title: 'Muted?', body: 'Hello' }],
      [`${thread}/posts`, { body: 'Hello' }],
      [`${b.base}/posts/${postId}/kudos`, { reason: 'Nice' }],
    ] as const) {
      const r = await post(b, url, form);
      expect(r.status, url).to.equal(403);
      expect(r.doc.querySelector('[data-test=error-message]')!.text).to.match(/muted you in this cohort until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    }
    expect((await post(a, `${thread}/posts`, { body: 'Ann is not muted' })).status).to.equal(303);
    await expectOneRow('unmute', () => post(f, `${mod(f)}/members/${bobId}/unmute`, {}));
    expect((await post(b, `${thread}/posts`, { body: 'Back' })).status).to.equal(303);
    // until unmuted: no end date on the page
    await post(f, `${mod(f)}/members/${bobId}/mute`, { period: 'until-unmuted', reason: 'Again' });
    const r = await post(b, `${thread}/posts`, { body: 'Hello' });
    expect(r.doc.querySelector('[data-test=error-message]')!.text).to.contain('until a facilitator unmutes you');
  });

  it('shows an announcement on the hub of the members it is for: the whole cohort, or one group', async () => {
    const learners = [];
    for (let i = 1; i <= 6; i++) learners.push(await launch(learner(i)));
    const f = await launch(fran);
    const groupOf = await formGroups(f);
    const g1 = groupOf.get('l1')!;
    const inG1 = learners.filter((_, i) => groupOf.get(`l${i + 1}`) === g1);
    const notInG1 = learners.filter((_, i) => groupOf.get(`l${i + 1}`) !== g1);
    // bad input: 400, what was typed kept
    const bad = await post(f, `${f.base}/console/announcements`, { audience: 'cohort', title: '', body: 'Body kept' });
    expect(bad.status).to.equal(400);
    expect(bad.doc.querySelector('textarea[name=body]')!.text).to.equal('Body kept');
    expect((await post(f, `${f.base}/console/announcements`, { audience: '00000000-0000-4000-8000-000000000000', title: 'T', body: 'B' })).status).to.equal(400);
    expect(await env.app.db.selectFrom('announcements').selectAll().execute()).to.have.length(0);
    await expectOneRow('announce', () => post(f, `${f.base}/console/announcements`, { audience: 'cohort', title: 'Welcome all', body: 'Week one starts.' }));
    await expectOneRow('announce', () => post(f, `${f.base}/console/announcements`, { audience: g1, title: 'Group one only', body: 'Meet Thursday.' }));
    const titles = async (m: Member) => (await get(m, m.base)).doc.querySelectorAll('[data-test=hub-announcement] strong').map((e) => e.text);
    expect(await titles(inG1[0]!)).to.deep.equal(['Group one only', 'Welcome all']);
    expect(await titles(notInG1[0]!)).to.deep.equal(['Welcome all']);
    // A facilitator's hub shows every group's, as their announcements page does.
    expect(await titles(f)).to.deep.equal(['Group one only', 'Welcome all']);
    // Read warm (the session, the launch and the schedule are kept in memory), the hub is one statement, its announcements included.
    const { statements, result: hub } = await statementsDuring(() => get(inG1[0]!, inG1[0]!.base));
    expect(hub.status).to.equal(200);
    expect(requestStatements(statements), 'the hub’s statements').to.have.length(1);
  });

  it('filters the audit log by action, by person and by date; a bad date is a 400 that keeps the filters', async () => {
    const { b, f, postId, threadId } = await commonsThread();
    await post(f, `${mod(f)}/threads/${threadId}/pin`, {});
    await post(f, `${mod(f)}/posts/${postId}/hide`, { reason: 'Off topic', confirmed: 'yes' });
    const rows = (await get(f, `${mod(f)}/members`)).doc.querySelectorAll('[data-test=mute-row]');
    const bobId = rows.find((r) => r.text.includes('Bob Reader'))!.getAttribute('data-membership-id')!;
    await post(f, `${mod(f)}/members/${bobId}/mute`, { period: '1d', reason: 'Cooling off' });
    const actions = async (query: string) => (await get(f, `${mod(f)}/log${query}`)).doc.querySelectorAll('[data-test=log-row]').map((r) => r.getAttribute('data-action'));
    expect(await actions('')).to.deep.equal(['mute', 'hide', 'pin']);
    expect(await actions('?action=hide')).to.deep.equal(['hide']);
    expect(await actions(`?person=${bobId}`)).to.deep.equal(['mute']);
    const today = (await auditRows())[0]!.createdAt.toISOString().slice(0, 10);
    expect(await actions(`?from=${today}&to=${today}`)).to.have.length(3);
    expect(await actions('?to=2000-01-01')).to.deep.equal([]);
    const bad = await get(f, `${mod(f)}/log?from=yesterday&action=hide`);
    expect(bad.status).to.equal(400);
    expect(bad.doc.querySelector('#from')!.getAttribute('value')).to.equal('yesterday');
    expect(bad.doc.querySelector('#action option[selected]')!.getAttribute('value')).to.equal('hide');
    expect((await get(b, `${b.base}/console/moderation/log`)).status).to.equal(403);
  });

  it('answers 403 to a learner on every moderation route, 404 to another cohort’s or tenant’s facilitator, and changes nothing', async () => {
    const { b, f, postId, threadId } = await commonsThread();
    await post(b, `${b.base}/posts/${postId}/flag`, { flagReason: 'Off topic' });
    const flagId = (await env.app.db.selectFrom('postFlags').select('id').executeTakeFirstOrThrow()).id;
    const bobId = (await get(f, `${mod(f)}/members`)).doc.querySelectorAll('[data-test=mute-row]').find((r) => r.text.includes('Bob Reader'))!.getAttribute('data-membership-id')!;
    const gets = ['/console/moderation', '/console/moderation/log', '/console/moderation/members', '/console/announcements', `/console/moderation/posts/${postId}/edit`];
    const posts: Array<[string, Record<string, string>]> = [
      [`/console/moderation/posts/${postId}/hide`, { reason: 'r', confirmed: 'yes' }],
      [`/console/moderation/posts/${postId}/delete`, { reason: 'r', confirmed: 'yes' }],
      [`/console/moderation/posts/${postId}/restore`, {}],
      [`/console/moderation/posts/${postId}/edit`, { body: 'changed', reason: 'r' }],
      [`/console/moderation/posts/${postId}/endorse`, { endorsed: 'yes' }],
      ...(['pin', 'unpin', 'lock', 'unlock'] as const).map((c): [string, Record<string, string>] => [`/console/moderation/threads/${threadId}/${c}`, {}]),
      [`/console/moderation/flags/${flagId}/dismiss`, {}],
      [`/console/moderation/members/${bobId}/mute`, { period: '1d', reason: 'r' }],
      [`/console/moderation/members/${bobId}/unmute`, {}],
      ['/console/announcements', { audience: 'cohort', title: 't', body: 'b' }],
    ];
    for (const path of gets) expect((await get(b, `${b.base}${path}`)).status, path).to.equal(403);
    for (const [path, form] of posts) expect((await post(b, `${b.base}${path}`, form)).status, path).to.equal(403);
    const sim2 = await LtiPlatformSimulator.start({ kind: 'canvas' });
    try {
      const lms2: ConnectedPlatform = await connectPlatform(env.app, sim2);
      const others = [await launch({ ...fran, sub: 'other-fac' }, { id: 'course-other', title: 'Other' }), await launch(fran, { id: 'course-m', title: 'Same id, other tenant' }, lms2)];
      for (const other of others) {
        for (const path of gets.slice(4)) expect((await get(other, `${other.base}${path}`)).status, path).to.equal(404);
        for (const [path, form] of posts.slice(0, -1)) expect((await post(other, `${other.base}${path}`, form)).status, path).to.equal(404);
        // their own queue and log show nothing of this cohort
        expect((await get(other, `${other.base}/console/moderation`)).doc.querySelector('[data-test=queue-empty]')).to.not.equal(null);
        expect((await get(other, `${other.base}/console/moderation/log`)).body).not.to.contain('Weekly plans');
      }
    } finally {
      await sim2.close();
    }
    expect(await postRow(postId)).to.include({ status: 'visible', endorsedAt: null, facilitatorEditedAt: null });
    expect(await auditRows()).to.have.length(0);
    expect(await env.app.db.selectFrom('memberMutes').selectAll().execute()).to.have.length(0);
  });
});

describe('announcement emails (pg-boss job)', () => {
  const { env, smtp, queues, launch, post, get, follow } = cohortSuite({ context: { id: 'course-e', title: 'Emailed' }, smtp: true, queues: 1 });
  before(() => registerAnnouncementEmails(queues[0]!, env.app.emailDeps, { pollingIntervalSeconds: 0.5 }));

  it('emails a cohort announcement once to each learner with an LMS address who did not opt out', async () => {
    await launch(ann);
    await launch(bob);
    await launch({ sub: 'cy', name: 'Cy Private', roles: [ROLES.learner] });
    const f = await launch(fran);
    await env.app.db.insertInto('emailOptOuts').values({ tenantId: (await env.app.db.selectFrom('persons').select('tenantId').executeTakeFirstOrThrow()).tenantId, personId: (await env.app.db.selectFrom('persons').select('id').where('sub', '=', 'ann').executeTakeFirstOrThrow()).id, topic: 'announcements' }).onConflict((c) => c.doNothing()).execute();
    // wait for this announcement's job to finish (not for a time): then every recipient has been handled.
    // The pgboss schema outlives resetDatabase, so other suites' completed jobs are counted out.
    const done = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'announcement-email' AND state = 'completed'`.execute(env.app.db)).rows[0]!.n;
    const before = await done();
    expect((await post(f, `${f.base}/console/announcements`, { audience: 'cohort', title: 'Kick-off call', body: 'Thursday at 10.' })).status).to.equal(303);
    for (let i = 0; i < 200 && (await done()) === before; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await done()).to.equal(before + 1);
    const toBob = smtp.to('bob@example.org');
    expect(toBob).to.have.length(1);
    expect(toBob[0]!.subject).to.equal('Emailed: Kick-off call');
    expect(toBob[0]!.text).to.contain('Thursday at 10.').and.contain('/email/preferences/');
    expect(smtp.to('ann@example.org')).to.have.length(0);
    expect(smtp.messages).to.have.length(1);
    expect(await env.app.db.selectFrom('announcementEmails').selectAll().execute()).to.have.length(1);
  });

  it('emails a facilitator the flags in the daily digest, in the words of the in-app list', async () => {
    const a = await launch(ann);
    const b = await launch(bob);
    const f = await launch({ ...fran, email: 'fran@example.org' });
    const created = await post(a, `${await follow(a, `${a.base}/commons`)}/threads`, { title: 'Plans', body: 'Mine' });
    const postId = (await get(a, new URL(created.location!, env.app.url).href)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    expect((await post(b, `${b.base}/posts/${postId}/flag`, { flagReason: 'Off topic' })).status).to.equal(303);
    const inApp = (await get(f, `${f.base}/notifications`)).doc.querySelector('[data-test=notification] a')!.text;
    await sendEmailDigests(env.app.emailDeps, new Date(Date.now() + 60_000));
    const toFran = smtp.to('fran@example.org');
    expect(toFran).to.have.length(1);
    expect(toFran[0]!.text).to.contain(`${inApp} (Emailed)`).and.contain(`/cohorts/${f.cohortId}/console/moderation#post-${postId}`);
  });
});
