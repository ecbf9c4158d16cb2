// A space's thread list reads each thread's replies, last reply and who took part from the thread
// itself (kept by triggers on posts, migration T1700). They must stay what the posts say after every
// kind of change: a reply, a hide, an author's delete, and an erasure (posts kept under a former
// participant: the counts do not move, the people do). The thread's last_post_at (the space list's
// order) is kept in the same update: the time of its latest post, of any status.
import { expect } from 'chai';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../models/schema.ts';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { erasePerson } from '../../server/privacy/erasure.service.ts';

const ada = { sub: 'ada', name: 'Ada Lovelace', roles: [ROLES.learner] };
const bo = { sub: 'bo', name: 'Bo Brown', roles: [ROLES.learner] };
const cy = { sub: 'cy', name: 'Cy Young', roles: [ROLES.learner] };
const fran = { sub: 'fran', name: 'Fran Facilitator', roles: [ROLES.instructor] };

describe('thread activity kept on the thread (the space list’s replies, last reply and people)', () => {
  const { env, launch, get, post, follow } = cohortSuite({ context: { id: 'course-activity', title: 'Activity' } });
  const db = () => env.app.db;

  /** What the thread row keeps, beside the same figures counted from its posts now. */
  async function keptAndCounted(threadId: string) {
    const kept = await db()
      .selectFrom('threads')
      .select(['replyCount', 'lastReplyAt', 'lastReplyMembershipId', 'participantCount', 'participantIds', 'lastPostAt'])
      .where('id', '=', threadId)
      .executeTakeFirstOrThrow();
    const { rows } = await sql<{ replyCount: number; lastReplyAt: Date | null; lastReplyMembershipId: string | null; participantCount: number; participantIds: string[]; lastPostAt: Date }>`
      with v as (select * from posts where thread_id = ${threadId} and status = 'visible'),
      opening as (select id from posts where thread_id = ${threadId} order by created_at limit 1),
      replies as (select * from v where id not in (select id from opening)),
      people as (select author_membership_id as id, max(created_at) as latest from v group by author_membership_id)
      select (select count(*) from replies)::int as reply_count,
        (select max(created_at) from replies) as last_reply_at,
        (select author_membership_id from replies order by created_at desc limit 1) as last_reply_membership_id,
        (select count(*) from people)::int as participant_count,
        array(select id from people order by latest desc limit 3) as participant_ids,
        (select max(created_at) from posts where thread_id = ${threadId}) as last_post_at`.execute(db());
    return { kept, counted: rows[0]! };
  }
  async function expectKeptRight(threadId: string, what: string) {
    const { kept, counted } = await keptAndCounted(threadId);
    expect(kept, `kept figures after ${what}`).to.deep.equal(counted);
    return kept;
  }
  const listed = async (m: Awaited<ReturnType<typeof launch>>, space: string) => {
    const page = await get(m, space);
    const item = page.doc.querySelector('[data-test=thread]')!;
    return { replies: item.querySelector('[data-test=reply-count]')!.text.trim(), last: item.querySelector('[data-test=last-reply]')?.text.trim() ?? '' };
  };

  it('stays what the posts say after replies, a hide, a delete and an erasure', async () => {
    const [a, b, c, f] = [await launch(ada), await launch(bo), await launch(cy), await launch(fran)];
    const space = await follow(a, `${a.base}/commons`);
    const started = await post(a, `${space}/threads`, { title: 'What helped', body: 'A weekly note.' });
    const threadId = new URL(started.location!, env.app.url).pathname.split('/').pop()!;
    const opened = await expectKeptRight(threadId, 'the opening post');
    expect(opened).to.deep.include({ replyCount: 0, lastReplyAt: null, participantCount: 1 });

    const reply = async (m: typeof a, body: string) => {
      const r = await post(m, `${m.base}/threads/${threadId}/posts`, { body });
      expect(r.status).to.equal(303);
      return new URL(r.location!, env.app.url).searchParams.get('post')!;
    };
    const boReply = await reply(b, 'Bo: a note to myself.');
    const cyReply = await reply(c, 'Cy: I try it too.');
    await reply(a, 'Ada: thanks both.');
    const replied = await expectKeptRight(threadId, 'three replies');
    expect(replied).to.deep.include({ replyCount: 3, participantCount: 3 });
    const list = await listed(b, space);
    expect(list.replies).to.equal('3 replies');
    expect(list.last).to.match(/^last by Ada Lovelace,/);

    // A facilitator hides Bo's reply: one reply fewer; Bo no longer among those who took part.
    expect((await post(f, `${f.base}/console/moderation/posts/${boReply}/hide`, { reason: 'Off topic', confirmed: 'yes' })).status).to.equal(303);
    const hidden = await expectKeptRight(threadId, 'a hide');
    expect(hidden).to.deep.include({ replyCount: 2, participantCount: 2 });
    expect((await listed(c, space)).replies).to.equal('2 replies');

    // Cy deletes their own reply.
    expect((await post(c, `${c.base}/posts/${cyReply}/delete`, { confirmed: 'yes' })).status).to.equal(303);
    const deleted = await expectKeptRight(threadId, 'a delete');
    expect(deleted).to.deep.include({ replyCount: 1, participantCount: 1 });

    // Ada is erased (policy "keep"): her posts stay under a former participant; the figures count the same posts.
    const adaRow = await db().selectFrom('persons').select(['id', 'tenantId']).where('sub', '=', 'ada').executeTakeFirstOrThrow();
    await erasePerson({ db: db(), erasureKey: 'k' }, { by: 'tool-admin', adminUserId: '00000000-0000-4000-8000-000000000001', tenantId: adaRow.tenantId }, adaRow.id);
    const erased = await expectKeptRight(threadId, 'an erasure');
    expect(erased).to.deep.include({ replyCount: deleted.replyCount, participantCount: deleted.participantCount, lastReplyAt: deleted.lastReplyAt });
    expect(erased.lastReplyMembershipId, 'the last reply is the former participant’s now').to.not.equal(deleted.lastReplyMembershipId);
    expect((await listed(b, space)).last).to.match(/^last by A former participant/);
  });

  it('updates the thread once per reply: the figures and last_post_at together', async () => {
    const [a, b] = [await launch(ada), await launch(bo)];
    const space = await follow(a, `${a.base}/commons`);
    const started = await post(a, `${space}/threads`, { title: 'Once', body: 'Opening.' });
    const threadId = new URL(started.location!, env.app.url).pathname.split('/').pop()!;
    // Each row update of threads is counted while the reply is written.
    await sql`create table thread_updates (id uuid);
      create function count_thread_update() returns trigger language plpgsql as $$ begin insert into thread_updates values (new.id); return null; end $$;
      create trigger count_thread_update after update on threads for each row execute function count_thread_update()`.execute(db());
    try {
      expect((await post(b, `${b.base}/threads/${threadId}/posts`, { body: 'A reply.' })).status).to.equal(303);
      const { rows } = await sql<{ id: string }>`select id from thread_updates`.execute(db());
      expect(rows.map((r) => r.id)).to.deep.equal([threadId]);
    } finally {
      await sql`drop table thread_updates; drop trigger count_thread_update on threads; drop function count_thread_update()`.execute(db());
    }
    expect(await expectKeptRight(threadId, 'a reply')).to.deep.include({ replyCount: 1 });
  });

  it('keeps the figures of threads written in SQL too, in one statement for many threads', async () => {
    const [a, b] = [await launch(ada), await launch(bo)];
    const space = await follow(a, `${a.base}/commons`);
    const threadIds = [];
    for (const title of ['One', 'Two']) {
      const started = await post(a, `${space}/threads`, { title, body: `${title} opens.` });
      threadIds.push(new URL(started.location!, env.app.url).pathname.split('/').pop()!);
    }
    const bMembership = (await db().selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', 'bo').executeTakeFirstOrThrow()).id;
    await sql`
      insert into posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html, created_at)
      select t.tenant_id, t.id, t.space_id, ${bMembership}, 'seeded', '<p>seeded</p>', now() + i * interval '1 second'
      from threads t cross join generate_series(1, 4) i where t.id = any(${threadIds}::uuid[])`.execute(db());
    for (const id of threadIds) expect(await expectKeptRight(id, 'four posts each in one statement')).to.deep.include({ replyCount: 4, participantCount: 2 });
    expect((await listed(b, space)).replies).to.equal('4 replies');
  });

  it('keeps the figures right when one post lands before the thread’s last (a writer that began earlier and committed later)', async () => {
    const [a] = [await launch(ada), await launch(bo), await launch(cy)];
    const space = await follow(a, `${a.base}/commons`);
    const started = await post(a, `${space}/threads`, { title: 'Out of order', body: 'Opening.' });
    const threadId = new URL(started.location!, env.app.url).pathname.split('/').pop()!;
    const t = await db().selectFrom('threads').select(['tenantId', 'spaceId']).where('id', '=', threadId).executeTakeFirstOrThrow();
    const member = async (sub: string) => (await db().selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select('m.id').where('p.sub', '=', sub).executeTakeFirstOrThrow()).id;
    const [bId, cId] = [await member('bo'), await member('cy')];
    const one = (author: string, at: string) =>
      sql`insert into posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html, created_at)
          values (${t.tenantId}, ${threadId}, ${t.spaceId}, ${author}, 'x', '<p>x</p>', ${at}::timestamptz)`.execute(db());
    await one(bId, '2099-01-01T10:00:00Z');
    expect(await expectKeptRight(threadId, 'a reply at the end')).to.deep.include({ replyCount: 1, participantCount: 2 });
    await one(cId, '2099-01-01T09:00:00Z');
    const kept = await expectKeptRight(threadId, 'a reply before the last one');
    expect(kept).to.deep.include({ replyCount: 2, participantCount: 3, lastReplyMembershipId: bId });
  });

  it('counts both of two concurrent writes to one thread (the second waits for the first, then counts its post)', async () => {
    const a = await launch(ada);
    const space = await follow(a, `${a.base}/commons`);
    const started = await post(a, `${space}/threads`, { title: 'At once', body: 'Two replies race.' });
    const threadId = new URL(started.location!, env.app.url).pathname.split('/').pop()!;
    const t = await db().selectFrom('threads').select(['tenantId', 'spaceId', 'authorMembershipId']).where('id', '=', threadId).executeTakeFirstOrThrow();
    const insert = (ex: Kysely<Database>, body: string) =>
      sql`insert into posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html) values (${t.tenantId}, ${threadId}, ${t.spaceId}, ${t.authorMembershipId}, ${body}, ${`<p>${body}</p>`})`.execute(ex);
    await db().connection().execute(async (first) => {
      await sql`begin`.execute(first);
      await insert(first, 'first');
      await db().connection().execute(async (second) => {
        await sql`begin`.execute(second);
        const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(second)).rows[0]!.pid;
        const secondDone = insert(second, 'second').then(() => sql`commit`.execute(second));
        // The second writer's recount waits for the first's lock on the thread: commit the first then.
        for (let i = 0; i < 500; i++) {
          const { rows } = await sql<{ w: string | null }>`select wait_event_type as w from pg_stat_activity where pid = ${pid}`.execute(db());
          if (rows[0]?.w === 'Lock') break;
          await new Promise((r) => setImmediate(r));
        }
        await sql`commit`.execute(first);
        await secondDone;
      });
    });
    expect(await expectKeptRight(threadId, 'two concurrent inserts')).to.deep.include({ replyCount: 2 });
  });

  it('finishes two replies whose foreign-key checks both ran before either kept the figures (no deadlock)', async () => {
    const a = await launch(ada);
    const space = await follow(a, `${a.base}/commons`);
    const started = await post(a, `${space}/threads`, { title: 'Crossing', body: 'Two replies cross.' });
    const threadId = new URL(started.location!, env.app.url).pathname.split('/').pop()!;
    const t = await db().selectFrom('threads').select(['tenantId', 'spaceId', 'authorMembershipId']).where('id', '=', threadId).executeTakeFirstOrThrow();
    const insert = (ex: Kysely<Database>, body: string) =>
      sql`insert into posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html) values (${t.tenantId}, ${threadId}, ${t.spaceId}, ${t.authorMembershipId}, ${body}, ${`<p>${body}</p>`})`.execute(ex);
    await db().connection().execute(async (first) => {
      await sql`begin`.execute(first);
      await db().connection().execute(async (second) => {
        await sql`begin`.execute(second);
        // The second reply's foreign-key check on its thread (FOR KEY SHARE) has run when the first
        // reply's trigger locks the thread: that lock must not wait for the check's.
        await sql`select 1 from threads where tenant_id = ${t.tenantId} and id = ${threadId} for key share`.execute(second);
        const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(first)).rows[0]!.pid;
        let firstDone = false;
        const firstWrite = insert(first, 'first').then(() => (firstDone = true));
        for (let i = 0; i < 500 && !firstDone; i++) {
          const { rows } = await sql<{ w: string | null }>`select wait_event_type as w from pg_stat_activity where pid = ${pid}`.execute(db());
          if (rows[0]?.w === 'Lock') break;
          await new Promise((r) => setImmediate(r));
        }
        const secondWrite = insert(second, 'second');
        await firstWrite;
        await sql`commit`.execute(first);
        await secondWrite;
        await sql`commit`.execute(second);
      });
    });
    expect(await expectKeptRight(threadId, 'two crossing inserts')).to.deep.include({ replyCount: 2 });
  });
});

