// The facilitator dashboard pages for a cohort of 60 learners in groups with 3,000 posts (threads
// and replies across the group spaces of nine modules), 1,000 kudos and 300 mentions, at 20
// connections. People launch and groups form through the real routes; the posts are seeded in SQL
// (the posting limits would make 3,000 posts through HTTP take minutes).
import { sql } from 'kysely';
import { LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { cohortMembers } from '../test/support/cohort-members.ts';
import { registerPlatform } from '../server/platforms/platforms.service.ts';
import { load, printLoad as print, startBenchApp } from './bench-support.ts';

const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';

export async function benchDashboard(databaseUrl: string, seconds = 10): Promise<void> {
  const app = await startBenchApp(databaseUrl);
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
  try {
    const { clientId, deploymentId } = sim.addTool({ toolUrl: app.url });
    const platform = await registerPlatform(
      { db: app.db, ltiEncryptionKey: app.config.ltiEncryptionKey! },
      { issuer: sim.issuer, clientId, name: 'Bench Moodle', product: 'moodle', authEndpoint: sim.authEndpoint, tokenEndpoint: sim.tokenEndpoint, jwksUri: sim.jwksUri, deploymentIds: [deploymentId] },
      { status: 'active', registeredVia: 'manual' },
    );
    const lms = { sim, platform, clientId, deploymentId };
    const people = cohortMembers(() => ({ app, lms }), { id: 'bench-dashboard', title: 'Bench dashboard' });
    for (let i = 1; i <= 60; i++) await people.launch({ sub: `bl${i}`, name: `Bench Learner ${i}`, roles: [LEARNER] });
    const f = await people.launch({ sub: 'bench-fac', name: 'Bench Facilitator', roles: [INSTRUCTOR] });
    await people.formGroups(f);
    await seedGroupPosts(app.db, f.cohortId, 300);
    // What autovacuum does soon after a bulk insert in production: without statistics the planner
    // takes 3,000 rows for one and nests loops.
    await sql`ANALYZE`.execute(app.db);
    const cookie = (await f.browser.cookies(app.url)).map((c) => `${c.key}=${c.value}`).join('; ');
    for (const [name, path] of [['dashboard', 'dashboard'], ['social capital', 'social'], ['community of inquiry', 'inquiry'], ['cohort report', 'report'], ['edge list CSV', 'export/edges.csv']] as const) {
      print(`${name} (60 learners, 3,000 posts), 20 conns`, await load(`${f.base}/console/${path}`, { cookie }, seconds, 20));
    }
  } finally {
    await sim.close();
    await app.close();
  }
}

/** `threads` threads of 10 posts in the cohort's group spaces (spread over six weeks), kudos and mentions among group members. */
export async function seedGroupPosts(db: import('../models/db.ts').Db, cohortId: string, threads: number): Promise<void> {
  await sql`
    INSERT INTO spaces (tenant_id, cohort_id, group_id, module_id)
    SELECT g.tenant_id, g.cohort_id, g.id, m FROM groups g CROSS JOIN generate_series(1, 9) m
    WHERE g.cohort_id = ${cohortId} ON CONFLICT DO NOTHING`.execute(db);
  await sql`
    WITH s AS (SELECT sp.tenant_id, sp.id, sp.group_id, row_number() OVER (ORDER BY sp.id) AS n FROM spaces sp WHERE sp.cohort_id = ${cohortId} AND sp.group_id IS NOT NULL),
    members AS (SELECT gm.group_id, gm.membership_id, row_number() OVER (PARTITION BY gm.group_id ORDER BY gm.membership_id) AS k, count(*) OVER (PARTITION BY gm.group_id) AS size FROM group_members gm),
    t AS (
      INSERT INTO threads (tenant_id, space_id, author_membership_id, title)
      SELECT s.tenant_id, s.id, m.membership_id, 'Thread ' || i FROM generate_series(1, ${threads}::int) i
      JOIN s ON s.n = 1 + (i % (SELECT count(*) FROM s))
      JOIN members m ON m.group_id = s.group_id AND m.k = 1 + (i % m.size)
      RETURNING tenant_id, id, space_id, author_membership_id)
    INSERT INTO posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html, created_at)
    SELECT t.tenant_id, t.id, t.space_id, COALESCE(m.membership_id, t.author_membership_id),
           CASE WHEN j % 3 = 0 THEN 'Hello! Last year I tried this. What do you think?' ELSE '> quoted\n\nBuilding on that, I agree: https://example.org explains why it matters to our team a lot.' END,
           '<p>seeded</p>', now() - (j * interval '4 days') - random() * interval '1 day'
    FROM t CROSS JOIN generate_series(0, 9) j
    JOIN spaces sp ON sp.id = t.space_id
    LEFT JOIN members m ON m.group_id = sp.group_id AND m.k = 1 + (j % m.size)`.execute(db);
  await sql`
    INSERT INTO kudos (tenant_id, post_id, from_membership_id, to_membership_id, reason)
    SELECT p.tenant_id, p.id, gm.membership_id, p.author_membership_id, 'Thanks'
    FROM (SELECT * FROM posts WHERE space_id IN (SELECT id FROM spaces WHERE cohort_id = ${cohortId}) ORDER BY id LIMIT ${Math.floor(threads * 10 / 3)}::int) p
    JOIN spaces sp ON sp.id = p.space_id
    JOIN LATERAL (SELECT membership_id FROM group_members WHERE group_id = sp.group_id AND membership_id <> p.author_membership_id ORDER BY membership_id LIMIT 1) gm ON true
    ON CONFLICT DO NOTHING`.execute(db);
  await sql`
    INSERT INTO notifications (tenant_id, membership_id, kind, actor_membership_id, thread_id, post_id)
    SELECT k.tenant_id, k.to_membership_id, 'mention', k.from_membership_id, p.thread_id, p.id
    FROM (SELECT * FROM kudos WHERE post_id IN (SELECT p.id FROM posts p JOIN spaces s ON s.id = p.space_id WHERE s.cohort_id = ${cohortId}) ORDER BY id LIMIT ${threads}::int) k JOIN posts p ON p.id = k.post_id`.execute(db);
}
