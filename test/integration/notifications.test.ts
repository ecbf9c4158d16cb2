// Notifications of replies and kudos over real HTTP: grouped by thread in the list and the digest,
// never for one's own action, never to someone who no longer sees the space, not for a hidden post.
import { expect } from 'chai';
import { sql } from 'kysely';
import { type SimUser } from '../support/lti-platform-simulator.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { sendEmailDigests } from '../../server/notifications/email-digest.ts';
import { findMembershipStanding, UNREAD_COUNT_CAP } from '../../models/cohorts.queries.ts';

const learner = (i: number): SimUser => ({ sub: `n${i}`, name: `Noor ${i}`, email: `n${i}@example.org`, roles: [ROLES.learner] });
const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('notifications of replies and kudos', () => {
  const { env, launch, get, post, formGroups, follow, smtp } = cohortSuite({ context: { id: 'course-n', title: 'Notified' }, smtp: true });

  /** Six learners in two groups of three; `a` and `b` keep the learners' order. */
  async function twoGroups() {
    const learners = [];
    for (let i = 1; i <= 6; i++) learners.push(await launch(learner(i)));
    const groupOfSub = await formGroups(await launch(fran));
    const a = learners.filter((_, i) => groupOfSub.get(`n${i + 1}`) === groupOfSub.get('n1'));
    const b = learners.filter((_, i) => groupOfSub.get(`n${i + 1}`) !== groupOfSub.get('n1'));
    return { a, b };
  }
  /** The names of group A's members, in the order of `a`. */
  async function namesOfA() {
    const placed = await env.app.db.selectFrom('groupMembers as gm').innerJoin('memberships as m', 'm.id', 'gm.membershipId').innerJoin('persons as p', 'p.id', 'm.personId').select(['p.sub', 'p.name', 'gm.groupId']).execute();
    const groupA = placed.find((x) => x.sub === 'n1')!.groupId;
    return placed.filter((x) => x.groupId === groupA).sort((p, q) => Number(p.sub.slice(1)) - Number(q.sub.slice(1))).map((x) => x.name!);
  }
  async function startThread(m: Member, title: string, body: string) {
    const space = await follow(m, `${m.base}/modules/1/space`);
    const r = await post(m, `${space}/threads`, { title, body });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    const thread = new URL(r.location!, env.app.url).href.replace(/#.*/, '');
    const firstPost = (await get(m, thread)).doc.querySelector('[data-test=post]')!.getAttribute('data-post-id')!;
    return { thread, firstPost };
  }
  async function reply(m: Member, thread: string, body: string, parentPostId?: string) {
    const r = await post(m, `${thread}/posts`, parentPostId ? { body, parentPostId } : { body });
    expect(r.status, r.body.slice(0, 300)).to.equal(303);
    return new URL(r.location!, env.app.url).hash.replace('#post-', '');
  }
  const listOf = async (m: Member) =>
    (await get(m, `${m.base}/notifications`)).doc.querySelectorAll('[data-test=notification] a').map((a) => ({ text: a.text, href: a.getAttribute('href')! }));

  it('tells the thread’s starter and the replied-to author of replies, grouped by thread, and the author of kudos; never the actor', async () => {
    const { a } = await twoGroups();
    const [sam, ria, kit] = [a[0]!, a[1]!, a[2]!];
    const { thread, firstPost } = await startThread(sam, 'Hello from Sam', 'Glad to be here.');
    const firstReply = await reply(ria, thread, 'Hi Sam!');
    await reply(ria, thread, 'And another thought.');
    await reply(sam, thread, 'Thanks both.'); // Sam's own reply tells Sam nothing
    await reply(kit, thread, 'Answering Ria.', firstReply);
    expect((await post(ria, `${ria.base}/posts/${firstPost}/kudos`, { reason: 'A warm start' })).status).to.equal(303);

    const [, riaName, kitName] = await namesOfA();
    const samList = await listOf(sam);
    expect(samList.map((n) => n.text)).to.have.members([`3 replies in “Hello from Sam”`, `${riaName} gave kudos for your post in “Hello from Sam”`]);
    const replies = samList.find((n) => n.text.startsWith('3 replies'))!;
    expect(replies.href).to.equal(`${new URL(thread).pathname}?post=${firstReply}#post-${firstReply}`); // reading starts at the first reply, on its page
    // Ria hears of Kit's answer to her reply; Kit, who only replied, and nobody else hears anything.
    expect((await listOf(ria)).map((n) => n.text)).to.deep.equal([`${kitName} replied in “Hello from Sam”`]);
    expect(await listOf(kit)).to.deep.equal([]);
    const rows = await env.app.db.selectFrom('notifications').select(['membershipId', 'actorMembershipId', 'kind']).execute();
    expect(rows.filter((r) => r.membershipId === r.actorMembershipId)).to.deep.equal([]);
  });

  it('counts unread notifications in the header up to 99, then shows “99+” (the count stops at the cap, however many piled up)', async () => {
    const { a } = await twoGroups();
    const [sam, ria] = [a[0]!, a[1]!];
    const { thread } = await startThread(sam, 'Busy thread', 'Lots to say.');
    await reply(ria, thread, 'First!');
    const badge = async () => (await get(sam, sam.base)).doc.querySelector('[data-test=unread-count]')?.text;
    expect(await badge()).to.equal('1');
    // More unread notifications of that reply, as if many had come: 99 in all, then 100.
    const pile = async (n: number) => sql`
      INSERT INTO notifications (tenant_id, membership_id, kind, actor_membership_id, thread_id, post_id)
      SELECT tenant_id, membership_id, kind, actor_membership_id, thread_id, post_id
      FROM (SELECT * FROM notifications WHERE kind = 'reply' LIMIT 1) one, generate_series(1, ${n})`.execute(env.app.db);
    await pile(98);
    expect(await badge()).to.equal('99');
    await pile(1);
    expect(await badge()).to.equal('99+');
    await sql`UPDATE notifications SET read_at = now() WHERE id IN (SELECT id FROM notifications WHERE read_at IS NULL LIMIT 1)`.execute(env.app.db);
    expect(await badge(), '99 unread again').to.equal('99');
    // However many pile up, the count itself stops at the cap.
    await pile(500);
    const { tenantId, membershipId } = (await env.app.db.selectFrom('notifications').select(['tenantId', 'membershipId']).where('kind', '=', 'reply').executeTakeFirstOrThrow());
    expect((await findMembershipStanding(env.app.db, tenantId, membershipId))!.unreadNotifications).to.equal(UNREAD_COUNT_CAP);
    expect(await badge()).to.equal('99+');
  });

  it('does not tell someone who no longer sees the space, nor of a reply hidden since', async () => {
    const { a } = await twoGroups();
    const [sam, ria] = [a[0]!, a[1]!];
    const { thread } = await startThread(sam, 'Before I moved', 'Hello.');
    // Sam moves to the other group: Sam can no longer see this space.
    const samId = (await env.app.db.selectFrom('threads').select('authorMembershipId').executeTakeFirstOrThrow()).authorMembershipId;
    const otherGroup = (await env.app.db.selectFrom('groupMembers as gm').select('gm.groupId').where('gm.groupId', 'not in', env.app.db.selectFrom('groupMembers').select('groupId').where('membershipId', '=', samId)).executeTakeFirstOrThrow()).groupId;
    await env.app.db.updateTable('groupMembers').set({ groupId: otherGroup }).where('membershipId', '=', samId).execute();
    await reply(ria, thread, 'Where did Sam go?');
    expect(await env.app.db.selectFrom('notifications').select('id').execute()).to.deep.equal([]);
    expect(await listOf(sam)).to.deep.equal([]);

    // Ria starts a thread; Kit replies; a facilitator hides the reply: Ria is not shown it.
    const kit = a[2]!;
    const second = await startThread(ria, 'Still here', 'Hi.');
    const hidden = await reply(kit, second.thread, 'Something off-topic');
    expect((await listOf(ria)).map((n) => n.text)).to.have.length(1);
    await env.app.db.updateTable('posts').set({ status: 'hidden' }).where('id', '=', hidden).execute();
    expect(await listOf(ria)).to.deep.equal([]);
  });

  it('groups the email digest the same way', async () => {
    const { a } = await twoGroups();
    const [sam, ria, kit] = [a[0]!, a[1]!, a[2]!];
    const { thread } = await startThread(sam, 'Hello from Sam', 'Glad to be here.');
    await reply(ria, thread, 'One.');
    await reply(kit, thread, 'Two.');
    await sendEmailDigests(env.app.emailDeps, new Date(Date.now() + 1000));
    const [mail] = smtp.to('n1@example.org');
    expect(mail, 'Sam gets a digest').to.not.equal(undefined);
    expect(mail!.text).to.contain('2 replies in “Hello from Sam” (Notified)');
  });

  it('tells a person asked to be a partner, and the plan’s owner of a partner’s comment, once (the plan email already went)', async () => {
    const { a } = await twoGroups();
    const [sam, ria] = [a[0]!, a[1]!];
    const [samName, riaName] = await namesOfA();
    const plan = { intent: 'draft', g1_title: 'Ask sooner', visibility: 'group' };
    expect((await post(sam, `${sam.base}/action-plan`, plan)).status).to.equal(303);
    const own = await get(sam, `${sam.base}/action-plan`);
    const riaId = own.doc.querySelectorAll('[data-test=candidate]').map((c) => c.getAttribute('value')!);
    const planId = (await env.app.db.selectFrom('actionPlans').select('id').executeTakeFirstOrThrow()).id;
    const riaMembership = (await env.app.db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.name', '=', riaName!).executeTakeFirstOrThrow()).id;
    expect(riaId).to.include(riaMembership);
    expect((await post(sam, `${sam.base}/action-plan/partners`, { partner: riaMembership })).status).to.equal(303);
    expect(await listOf(ria)).to.deep.equal([{ text: `${samName} asked you to be their accountability partner`, href: `/cohorts/${ria.cohortId}/action-plans/${planId}` }]);
    expect((await post(ria, `${ria.base}/action-plans/${planId}/answer`, { answer: 'accept' })).status).to.equal(303);
    expect((await post(ria, `${ria.base}/action-plans/${planId}/comments`, { body: 'Fridays work for me' })).status).to.equal(303);
    expect((await post(ria, `${ria.base}/action-plans/${planId}/comments`, { body: 'And Mondays' })).status).to.equal(303);
    expect((await post(sam, `${sam.base}/action-plans/${planId}/comments`, { body: 'Thanks!' })).status).to.equal(303); // the owner's own reply tells nobody here
    expect((await listOf(sam)).map((n) => n.text)).to.deep.equal(['2 comments on your action plan']);
    // The plan's emails already told them: the digest does not repeat it.
    await sendEmailDigests(env.app.emailDeps, new Date(Date.now() + 1000));
    expect(smtp.messages.filter((m) => m.subject.startsWith('Circlework:'))).to.deep.equal([]);
  });
});
