// The membership standing's unread count (read again after every notification a member gets) costs
// in proportion to that member's unread notifications, never to the posts in the database: each
// notification's post is looked up by its key. With EXISTS, PostgreSQL planned a hash of every
// visible post in the database (0.8 ms with 3,000 posts, 16 % of PostgreSQL's time in the soak).
import { expect } from 'chai';
import { sql, CompiledQuery } from 'kysely';
import { cohortSuite } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { findMembershipStanding, membershipStandingQuery } from '../../models/cohorts.queries.ts';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

describe('the membership standing’s unread count', () => {
  const { env, launch, follow, post } = cohortSuite({ context: { id: 'standing-query', title: 'Standing' } });

  it('looks up each unread notification’s post by its key, however many posts and notifications others have', async () => {
    const ann = await launch({ sub: 'ann', name: 'Ann', roles: [ROLES.learner] });
    await launch({ sub: 'ben', name: 'Ben', roles: [ROLES.learner] });
    const space = await follow(ann, `${ann.base}/commons`);
    expect((await post(ann, `${space}/threads`, { title: 'Busy', body: 'First' })).status).to.equal(303);
    const db = env.app.db;
    const member = (sub: string) => db.selectFrom('memberships as m').innerJoin('persons as p', 'p.id', 'm.personId').select(['m.id', 'm.tenantId']).where('p.sub', '=', sub).executeTakeFirstOrThrow();
    const [a, b] = [await member('ann'), await member('ben')];
    // 3,000 posts by Ben; Ben has 18,000 notifications, Ann 60 (interleaved, as they arrive).
    await sql`INSERT INTO posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html)
      SELECT tenant_id, thread_id, space_id, ${b.id}, 'Reply ' || g, '<p>Reply</p>' FROM posts, generate_series(1, 3000) g WHERE tenant_id = ${a.tenantId}`.execute(db);
    for (let i = 0; i < 60; i++) {
      await sql`INSERT INTO notifications (tenant_id, membership_id, kind, actor_membership_id, thread_id, post_id)
        SELECT tenant_id, ${b.id}, 'reply', ${a.id}, thread_id, id FROM posts WHERE tenant_id = ${a.tenantId} ORDER BY random() LIMIT 300`.execute(db);
      await sql`INSERT INTO notifications (tenant_id, membership_id, kind, actor_membership_id, thread_id, post_id)
        SELECT tenant_id, ${a.id}, 'reply', ${b.id}, thread_id, id FROM posts WHERE tenant_id = ${a.tenantId} AND author_membership_id = ${b.id}
        ORDER BY id OFFSET ${i} LIMIT 1`.execute(db);
    }
    await sql`ANALYZE posts, notifications`.execute(db);

    const compiled = membershipStandingQuery(db, a.tenantId, a.id).compile();
    const [explained] = (await db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${compiled.sql}`, [...compiled.parameters]))).rows;
    const nodes = nodesOf(explained!['QUERY PLAN'][0]!.Plan);
    const scans = nodes.filter((n) => n['Relation Name']).map((n) => `${n['Node Type']} on ${n['Relation Name']}`);
    expect(scans, scans.join('; ')).to.not.include('Seq Scan on posts');
    expect(scans.filter((s) => s.endsWith(' on posts')), scans.join('; ')).to.not.be.empty;

    // And it still counts what it should: a notification of a post hidden since is not counted.
    expect((await findMembershipStanding(db, a.tenantId, a.id))!.unreadNotifications).to.equal(60);
    await sql`UPDATE posts SET status = 'hidden' WHERE id = (SELECT post_id FROM notifications WHERE membership_id = ${a.id} LIMIT 1)`.execute(db);
    expect((await findMembershipStanding(db, a.tenantId, a.id))!.unreadNotifications).to.equal(59);
  });
});
