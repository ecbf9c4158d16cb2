// The facilitator's pages (the console with its needs-attention list, dashboard, social capital, Community of Inquiry, printable report, the
// three CSV exports) for a cohort of 60 learners (3,000 posts) and one of 600 (30,000 posts), in a
// tenant that holds ~1 M posts in all (BENCH_POSTS, seeded in SQL across other cohorts, plus a few
// other tenants), ANALYZEd. Per page: the first request after a change in the cohort (it computes
// the kept figures again), then p50/p99 at 1 connection and at BENCH_DASHBOARD_CONNECTIONS (20),
// all from one facilitator's session. People launch
// and groups form through the real routes; the posts are seeded in SQL (the posting limits would make
// them take minutes through HTTP).
import { sql } from 'kysely';
import { LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { connectPlatform } from '../test/support/lti-fixtures.ts';
import { cohortMembers, type Member } from '../test/support/cohort-members.ts';
import { load, startBenchApp } from './bench-support.ts';
import { launchMany, seedScale, WARM_SECONDS } from './scale.bench.ts';

/** What Chromium sends: the load asks for pages as a browser does. */
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

const PAGES = [
  ['console (needs attention)', ''],
  ['dashboard', 'dashboard'],
  ['social capital', 'social'],
  ['community of inquiry', 'inquiry'],
  ['printable report', 'report'],
  ['progress CSV', 'export/progress.csv'],
  ['participation CSV', 'export/participation.csv'],
  ['edge list CSV', 'export/edges.csv'],
] as const;

export async function benchDashboard(databaseUrl: string, seconds = Number(process.env.BENCH_SECONDS ?? 5), posts = Number(process.env.BENCH_POSTS ?? 1_000_000)): Promise<void> {
  const connections = Number(process.env.BENCH_DASHBOARD_CONNECTIONS ?? 20);
  const app = await startBenchApp(databaseUrl);
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
  try {
    const lms = await connectPlatform(app, sim);
    const people = cohortMembers(() => ({ app, lms }), { id: 'dash-60' });
    const cohorts: Array<{ learners: number; f: Member }> = [];
    for (const [learners, threads] of [[60, 300], [Number(process.env.BENCH_BIG_COHORT ?? 600), 3000]] as const) {
      const f = await launchMany(people, `dash-${learners}`, learners);
      await seedGroupPosts(app.db, f.cohortId, threads);
      cohorts.push({ learners, f });
    }
    const { tenantId } = await app.db.selectFrom('cohorts').select('tenantId').where('id', '=', cohorts[0]!.f.cohortId).executeTakeFirstOrThrow();
    const started = performance.now();
    // 95 % of the posts in the cohorts' own tenant, the rest in 20 others.
    await seedScale(app.db, lms.platform.id, tenantId, 20, posts, 380);
    const counts = (await sql<{ all: string; ours: string }>`SELECT count(*) AS all, count(*) FILTER (WHERE tenant_id = ${tenantId}) AS ours FROM posts`.execute(app.db)).rows[0]!;
    console.log(`\nFacilitator pages: ${Number(counts.all).toLocaleString('en')} posts, ${Number(counts.ours).toLocaleString('en')} in the cohorts' tenant (seeded in ${((performance.now() - started) / 1000).toFixed(0)} s, ANALYZEd); ${seconds} s per figure`);
    for (const { learners, f } of cohorts) {
      const cookie = await f.browser.cookieHeader(app.url);
      // BENCH_DASHBOARD_PAGES=console,dashboard measures only those (by the path's first word, "console" for the console itself)
      const only = process.env.BENCH_DASHBOARD_PAGES?.split(',');
      for (const [name, path] of PAGES.filter(([, p]) => !only || only.includes(p.split('/')[0] || 'console'))) {
        const url = path ? `${f.base}/console/${path}` : `${f.base}/console`;
        // The last load's requests drained first (a request still in flight would be timed too), then a change counted.
        await drained(app.db);
        await sql`INSERT INTO cohort_figure_changes (tenant_id, cohort_id, xid) SELECT tenant_id, id, pg_current_xact_id() FROM cohorts WHERE id = ${f.cohortId}`.execute(app.db);
        const t0 = performance.now();
        const first = await fetch(url, { headers: { cookie }, redirect: 'manual' });
        await first.arrayBuffer();
        const firstMs = performance.now() - t0;
        if (first.status !== 200) throw new Error(`${name}: ${first.status}`);
        // As a browser asks: a big page in parts goes compressed (page-parts.ts).
        const headers = { cookie, 'accept-encoding': BROWSER_ACCEPT_ENCODING };
        const one = await load(url, headers, seconds, 1);
        // A warm-up at the connections measured, not counted, as the scale bench does.
        await load(url, headers, WARM_SECONDS, connections);
        const many = await load(url, headers, seconds, connections);
        const sent = await fetch(url, { headers, redirect: 'manual' });
        const bytes = (await sent.arrayBuffer()).byteLength;
        const encoded = sent.headers.get('content-encoding') ? ` (${(Number(sent.headers.get('content-length')) / 1024).toFixed(0)} kB ${sent.headers.get('content-encoding')})` : '';
        console.log(
          `${`${name}, ${learners} learners`.padEnd(36)} ${(bytes / 1024).toFixed(0).padStart(5)} kB${encoded} · first ${firstMs.toFixed(0).padStart(5)} ms · 1 conn: p50 ${String(one.p50).padStart(4)} p99 ${String(one.p99).padStart(4)} ms ${one.rps.toFixed(0).padStart(4)} req/s · ${connections} conns: p50 ${String(many.p50).padStart(4)} p99 ${String(many.p99).padStart(4)} ms ${many.rps.toFixed(0).padStart(4)} req/s · non-2xx ${one.non2xx + many.non2xx} errors ${one.errors + many.errors}`,
        );
      }
    }
  } finally {
    await sim.close();
    await app.close();
  }
}

/** Waits until no other query has run on the database for three polls in a row. */
async function drained(db: import('../models/db.ts').Db): Promise<void> {
  for (let quiet = 0, i = 0; quiet < 3 && i < 600; i++) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`.execute(db);
    quiet = rows[0]!.n === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
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
