// Pages at 1 k and at 1 M posts, each beside a reference page measured in the same run: Express 5 +
// express-handlebars + pg rendering the same 50 posts with one query. Prints, per page, throughput
// as a ratio to the reference, p50 and p99 (autocannon in a second process; at 50 connections, then
// for one reader at a time), then the EXPLAIN summary of every query each page runs at 1 M posts
// (bench/page-queries.ts), flagging sequential scans of tables over 10 k rows and prepared statements
// whose generic plan is over 3× their custom one. The 1 M posts are seeded in SQL across hundreds of
// tenants and cohorts, then VACUUMed and ANALYZEd.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { engine } from 'express-handlebars';
import pg from 'pg';
import { sql } from 'kysely';
import { LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../test/support/lti-fixtures.ts';
import { cohortMembers, type Member } from '../test/support/cohort-members.ts';
import type { Db } from '../models/db.ts';
import { load, median, startBenchApp, type Load } from './bench-support.ts';
import { postgresCpuSeconds } from './process-stats.ts';
import { capturingServer, explainPage, queriesOf } from './page-queries.ts';
import { seedGroupPosts } from './dashboard.bench.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
export const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 2);
/** How many times each page is measured beside the reference (the median is reported). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** The reference: one query, one template, no session. */
export async function startReference(databaseUrl: string, tenantId: string, threadId: string): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
  const app = express();
  app.engine('hbs', engine({ extname: '.hbs', defaultLayout: false }));
  app.set('view engine', 'hbs');
  app.set('views', path.join(here, 'bare'));
  app.enable('view cache');
  app.get('/', async (_req, res) => {
    const { rows } = await pool.query<{ id: string; body_html: string; created_at: Date; name: string }>(
      `SELECT p.id, p.body_html, p.created_at, pe.name FROM posts p
       JOIN memberships m ON m.tenant_id = p.tenant_id AND m.id = p.author_membership_id
       JOIN persons pe ON pe.tenant_id = m.tenant_id AND pe.id = m.person_id
       WHERE p.tenant_id = $1 AND p.thread_id = $2 ORDER BY p.created_at`,
      [tenantId, threadId],
    );
    res.render('thread', { title: 'Reference thread', posts: rows.map((r) => ({ id: r.id, bodyHtml: r.body_html, name: r.name, iso: r.created_at.toISOString(), date: r.created_at.toDateString() })) });
  });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await pool.end();
    },
  };
}

/** ~`posts` posts across `tenants` other tenants and `ownCohorts` (as many) more cohorts in the bench tenant, 50-post threads, revisions and kudos. */
export async function seedScale(rawDb: Db, platformId: string, benchTenantId: string, tenants: number, posts: number, ownCohorts = tenants): Promise<void> {
  const cohorts = tenants + ownCohorts;
  const db = {
    async run(q: { execute(d: Db): Promise<unknown> }, what: string) {
      const t0 = performance.now();
      await q.execute(rawDb);
      if (process.env.BENCH_VERBOSE) console.log(`  seeded ${what} in ${(performance.now() - t0).toFixed(0)} ms`);
    },
  };
  const threadsPerCohort = Math.max(1, Math.round(posts / cohorts / 50));
  await db.run(sql`INSERT INTO tenants (platform_id, deployment_id, status) SELECT ${platformId}, 'scale-' || i, 'active' FROM generate_series(1, ${tenants}::int) i`, 'tenants');
  await db.run(sql`
    INSERT INTO cohorts (tenant_id, context_id, title)
    SELECT id, 'scale-ctx-' || deployment_id, 'Scale cohort' FROM tenants WHERE deployment_id LIKE 'scale-%'
    UNION ALL SELECT ${benchTenantId}::uuid, 'scale-ctx-b' || i, 'Scale cohort' FROM generate_series(1, ${ownCohorts}::int) i`, 'cohorts');
  await db.run(sql`
    INSERT INTO persons (tenant_id, sub, name)
    SELECT c.tenant_id, c.context_id || '-p' || i, 'Person ' || i FROM cohorts c CROSS JOIN generate_series(1, 20) i WHERE c.context_id LIKE 'scale-ctx-%'`, 'persons');
  await db.run(sql`
    INSERT INTO memberships (tenant_id, cohort_id, person_id, role)
    SELECT c.tenant_id, c.id, p.id, 'learner' FROM cohorts c
    JOIN persons p ON p.tenant_id = c.tenant_id AND p.sub LIKE c.context_id || '-p%'
    WHERE c.context_id LIKE 'scale-ctx-%'`, 'memberships');
  await db.run(sql`INSERT INTO spaces (tenant_id, cohort_id) SELECT tenant_id, id FROM cohorts WHERE context_id LIKE 'scale-ctx-%'`, 'spaces');
  await db.run(sql`
    WITH mem AS (SELECT cohort_id, array_agg(id ORDER BY id) AS ids FROM memberships GROUP BY cohort_id)
    INSERT INTO threads (tenant_id, space_id, author_membership_id, title)
    SELECT s.tenant_id, s.id, mem.ids[1 + i % 20], 'Scale thread ' || i
    FROM cohorts c JOIN spaces s ON s.tenant_id = c.tenant_id AND s.cohort_id = c.id
    JOIN mem ON mem.cohort_id = c.id CROSS JOIN generate_series(1, ${threadsPerCohort}::int) i
    WHERE c.context_id LIKE 'scale-ctx-%'`, 'threads');
  await db.run(sql`
    WITH mem AS (SELECT cohort_id, array_agg(id ORDER BY id) AS ids FROM memberships GROUP BY cohort_id)
    INSERT INTO posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html, created_at)
    SELECT t.tenant_id, t.id, t.space_id, mem.ids[1 + j % 20],
           'Seeded post ' || j || '. What worked for me this week: a short note at the end of each day about one thing I learned.',
           '<p>Seeded post ' || j || '. What worked for me this week: a short note at the end of each day about one thing I learned.</p>',
           now() - j * interval '1 hour'
    FROM threads t JOIN spaces s ON s.tenant_id = t.tenant_id AND s.id = t.space_id
    JOIN cohorts c ON c.tenant_id = s.tenant_id AND c.id = s.cohort_id
    JOIN mem ON mem.cohort_id = c.id CROSS JOIN generate_series(1, 50) j
    WHERE c.context_id LIKE 'scale-ctx-%'`, 'posts');
  // Statistics first: planned from the near-empty tables' figures, the joins below nest loops over 1 M rows.
  await db.run(sql`ANALYZE`, 'analyze');
  // Every tenth post edited once; every fifth given kudos by the next member.
  await db.run(sql`
    INSERT INTO post_revisions (tenant_id, post_id, body_source, body_html, replaced_by_membership_id)
    SELECT tenant_id, id, body_source, body_html, author_membership_id FROM posts WHERE body_source LIKE 'Seeded post %0.%'`, 'revisions');
  // Marked edited, as an edit marks them (the thread page counts revisions only of edited posts).
  await db.run(sql`UPDATE posts SET edited_at = created_at + interval '1 minute' WHERE body_source LIKE 'Seeded post %0.%'`, 'edited');
  await db.run(sql`
    WITH mem AS (SELECT cohort_id, array_agg(id ORDER BY id) AS ids FROM memberships GROUP BY cohort_id)
    INSERT INTO kudos (tenant_id, post_id, from_membership_id, to_membership_id, reason)
    SELECT p.tenant_id, p.id, mem.ids[1 + (array_position(mem.ids, p.author_membership_id) % 20)], p.author_membership_id, 'Thanks'
    FROM posts p JOIN spaces s ON s.tenant_id = p.tenant_id AND s.id = p.space_id
    JOIN cohorts c ON c.tenant_id = s.tenant_id AND c.id = s.cohort_id
    JOIN mem ON mem.cohort_id = c.id
    WHERE c.context_id LIKE 'scale-ctx-%' AND (p.body_source LIKE 'Seeded post %5.%' OR p.body_source LIKE 'Seeded post %0.%')
    ON CONFLICT DO NOTHING`, 'kudos');
  // Vacuumed as well as analyzed, as a table in service is: left to autovacuum, the vacuum of the
  // freshly loaded posts (400 MB at 1 M) ran during the first pages measured after seeding and took
  // their CPU (the group space measured 0.43-0.47 of the reference at 1 M, 0.59-0.68 at 33 k).
  await db.run(sql`VACUUM (ANALYZE)`, 'vacuum and analyze');
  // The seed's dirty pages written out now, not by a checkpoint in the middle of the first page's load.
  await db.run(sql`CHECKPOINT`, 'checkpoint');
}

interface PageUnderTest {
  name: string;
  url: string;
  cookie: string;
}

/** Waits until the app's backlog from the last load has drained: no other query running on the database. */
// Requests a load left in flight go on after autocannon stops (rendering between their queries), and
// their queries would be captured as the next page's: idle means no active query for a whole second.
async function idle(pool: pg.Pool): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 600 && quiet < 5; i++) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`);
    quiet = rows[0]!.n === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A load with the CPU it cost per request: this process (the app under test, or the reference: both
 * run here; autocannon runs in its own) and PostgreSQL. On a shared machine whose speed drifts from
 * one run to the next, these say more than req/s; `cpu ratio` is the reference's CPU per request
 * over the page's.
 */
type CpuLoad = Load & { nodeMs: number; pgMs: number | undefined };

async function loadWithCpu(url: string, headers: Record<string, string>, seconds: number, pgDataDir: string | undefined): Promise<CpuLoad> {
  const pgSeconds = () => (pgDataDir ? postgresCpuSeconds(pgDataDir) : undefined);
  const node0 = process.cpuUsage();
  const pg0 = pgSeconds();
  const l = await load(url, headers, seconds, CONNECTIONS);
  const node = process.cpuUsage(node0);
  const pg1 = pgSeconds();
  const per = Math.max(1, l.requests);
  return { ...l, nodeMs: (node.user + node.system) / 1000 / per, pgMs: pg0 === undefined || pg1 === undefined ? undefined : ((pg1 - pg0) * 1000) / per };
}

/** The server's data directory when it is on this machine (the embedded one), so its CPU can be read from /proc. */
async function localDataDirectory(pool: pg.Pool): Promise<string | undefined> {
  const dir = (await pool.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
  try {
    postgresCpuSeconds(dir);
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * Each page beside the reference, measured in turns: `ROUNDS` times the reference, then the page, so
 * that each page's ratio is to a reference measured seconds before it, and the median of its rounds
 * is the one reported. This VM's speed drifts by 20 % within a minute and a load now and then falls
 * into a stall (one page at half its rate, its p99 ten times its p50): compared once with a reference
 * measured a minute away, a page's ratio moved by 0.15 from one run to the next.
 */
async function round(label: string, reference: string, pages: PageUnderTest[], seconds: number, pool: pg.Pool): Promise<void> {
  const pgDataDir = await localDataDirectory(pool);
  // One reader at a time, for a few seconds: the latency of a page on an otherwise idle machine.
  const oneReader = (url: string, headers: Record<string, string>) => load(url, headers, Math.min(seconds, 4), 1);
  // Each load is measured warm: a page's code optimised, its statements prepared on every pooled
  // connection, as in service. Cold, the first round ran each page's first seconds unoptimised.
  const warm = (url: string, headers: Record<string, string>) => load(url, headers, WARM_SECONDS, CONNECTIONS);
  // Right after seeding, the checkpointer's writes fell into the first loads (2.5 ms of PostgreSQL CPU
  // per request instead of 0.7): the seed's writes go out first, on a quiet server.
  await pool.query('CHECKPOINT');
  await idle(pool);
  await warm(reference, {});
  const refAlone = await oneReader(reference, {});
  const cpuOf = (l: { nodeMs: number; pgMs: number | undefined }) => l.nodeMs + (l.pgMs ?? 0);
  const references: CpuLoad[] = [];
  const row = (name: string, l: CpuLoad, one: Load, ratio: string, ref: CpuLoad, spread: string) =>
    console.log(
      `${label.padEnd(5)} ${name.padEnd(46)} ${ratio.padStart(6)}  ${l.rps.toFixed(0).padStart(6)} req/s  p50 ${String(l.p50).padStart(5)} ms  p99 ${String(l.p99).padStart(5)} ms  non-2xx ${l.non2xx + one.non2xx}  errors ${l.errors + one.errors}` +
        `  1 reader: p50 ${one.p50} ms p99 ${one.p99} ms` +
        `  CPU/request: node ${l.nodeMs.toFixed(2)} ms, PostgreSQL ${l.pgMs?.toFixed(2) ?? '?'} ms, cpu ratio ${(cpuOf(ref) / cpuOf(l)).toFixed(2)}  ${spread}`,
    );
  for (const p of pages) {
    // One request first, alone: a page that cannot answer shows here rather than as 0 req/s.
    await idle(pool);
    const t0 = performance.now();
    const probe = await fetch(p.url, { headers: { cookie: p.cookie }, redirect: 'manual', signal: AbortSignal.timeout(30_000) }).then((r) => String(r.status), (e: Error) => e.name);
    const alone = performance.now() - t0;
    if (probe !== '200') console.log(`      ${p.name}: alone ${probe} after ${alone.toFixed(0)} ms`);
    await warm(p.url, { cookie: p.cookie });
    const turns: Array<{ ref: CpuLoad; page: CpuLoad; ratio: number }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      await idle(pool);
      const ref = await loadWithCpu(reference, {}, seconds, pgDataDir);
      await idle(pool);
      const page = await loadWithCpu(p.url, { cookie: p.cookie }, seconds, pgDataDir);
      references.push(ref);
      turns.push({ ref, page, ratio: page.rps / ref.rps });
    }
    const one = await oneReader(p.url, { cookie: p.cookie });
    // The round whose ratio is the median one, as measured (its req/s, latencies and CPU).
    const mid = turns.find((t) => t.ratio === median(turns.map((x) => x.ratio)))!;
    row(`${p.name} (alone ${alone.toFixed(0)} ms)`, mid.page, one, mid.ratio.toFixed(2), mid.ref, `rounds: ${turns.map((t) => t.ratio.toFixed(2)).join(' ')}`);
  }
  const rps = references.map((r) => r.rps);
  const ref = references.find((r) => r.rps === median(rps))!;
  row('reference (50 posts, 1 query), median load', ref, refAlone, '1.00', ref, `its ${rps.length} loads: ${Math.min(...rps).toFixed(0)}–${Math.max(...rps).toFixed(0)} req/s`);
}

export async function launchMany(people: ReturnType<typeof cohortMembers>, context: string, learners: number): Promise<Member> {
  for (let i = 0; i < learners; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, learners - i) }, (_, k) => people.launch({ sub: `${context}-l${i + k}`, name: `Learner ${i + k}`, roles: [ROLES.learner] }, { id: context })));
  }
  const f = await people.launch({ sub: `${context}-f`, name: 'Facilitator', roles: [ROLES.instructor] }, { id: context });
  await people.formGroups(f);
  return f;
}

/**
 * The bench thread of 50 posts in `spaceUrl`, which the reference page renders too: the opening post
 * through the route (as a person writes it), 49 replies in SQL.
 */
export async function seedBenchThread(db: Db, people: ReturnType<typeof cohortMembers>, author: Member, spaceUrl: string): Promise<{ thread: string; threadId: string; tenantId: string }> {
  const opened = await people.post(author, `${spaceUrl}/threads`, { title: 'What helped this week', body: 'Opening post of the bench thread.' });
  if (!opened.location) throw new Error(`starting the thread: ${opened.status}`);
  const thread = new URL(opened.location, spaceUrl).href.replace(/#.*/, '');
  const threadId = new URL(thread).pathname.split('/').at(-1)!;
  const { tenantId } = await db.selectFrom('cohorts').select('tenantId').where('id', '=', author.cohortId).executeTakeFirstOrThrow();
  await sql`
    INSERT INTO posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html, created_at)
    SELECT t.tenant_id, t.id, t.space_id, t.author_membership_id, 'Reply ' || j || '. What worked for me this week: a **short note**.',
           '<p>Reply ' || j || '. What worked for me this week: a <strong>short note</strong>.</p>', now() + j * interval '1 second'
    FROM threads t CROSS JOIN generate_series(1, 49) j WHERE t.tenant_id = ${tenantId} AND t.id = ${threadId}`.execute(db);
  return { thread, threadId, tenantId };
}

/**
 * A thread-page bench: the app, a simulated Moodle, learner `<cohort>-l0` (the reader) with the bench
 * thread of 50 posts in the commons or, with `group`, in the group space of module 1 (that many
 * learners launched and grouped first), and the reference page over the same posts. `close` stops them.
 */
export async function startThreadBench(databaseUrl: string, cohort: string, opts: { group?: number } = {}) {
  const app = await startBenchApp(databaseUrl);
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
  const stop = async () => {
    await sim.close();
    await app.close();
  };
  try {
    const lms = await connectPlatform(app, sim);
    const people = cohortMembers(() => ({ app, lms }), { id: cohort });
    if (opts.group) await launchMany(people, cohort, opts.group);
    const reader = await people.launch({ sub: `${cohort}-l0`, name: 'Learner 0', roles: [ROLES.learner] }, { id: cohort });
    const space = await people.follow(reader, `${reader.base}/${opts.group ? 'modules/1/space' : 'commons'}`);
    const seeded = await seedBenchThread(app.db, people, reader, space);
    const reference = await startReference(databaseUrl, seeded.tenantId, seeded.threadId);
    const cookie = await reader.browser.cookieHeader(app.url);
    return { app, lms, people, reader, ...seeded, reference, cookie, close: async () => (await reference.close(), await stop()) };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function benchScale(databaseUrl: string, seconds = Number(process.env.BENCH_SECONDS ?? 5), posts = Number(process.env.BENCH_POSTS ?? 1_000_000)): Promise<void> {
  const app = await startBenchApp(databaseUrl, { server: capturingServer() });
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
  const explainPool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  let reference: Awaited<ReturnType<typeof startReference>> | undefined;
  try {
    const lms = await connectPlatform(app, sim);
    const people = cohortMembers(() => ({ app, lms }), { id: 'scale-60' });
    const f60 = await launchMany(people, 'scale-60', 60);
    const f600 = await launchMany(people, 'scale-600', Number(process.env.BENCH_BIG_COHORT ?? 600));
    const reader = await people.launch({ sub: 'scale-60-l0', name: 'Learner 0', roles: [ROLES.learner] }, { id: 'scale-60' });
    // The reader's group space with one thread of 50 posts: the opening post through the route, 49 replies in SQL.
    const space = await people.follow(reader, `${reader.base}/modules/1/space`);
    const { thread, threadId, tenantId } = await seedBenchThread(app.db, people, reader, space);
    await seedGroupPosts(app.db, f60.cohortId, 300);
    await seedGroupPosts(app.db, f600.cohortId, 3000);
    // As the large round's tables are (seedScale): a table in service is vacuumed. Analyzed only, the
    // small round read freshly written rows (hint bits set on first read, no visibility map) and
    // measured lower than the large one, the opposite of what it is there to show.
    await sql`VACUUM (ANALYZE)`.execute(app.db);
    reference = await startReference(databaseUrl, tenantId, threadId);
    const rc = await reader.browser.cookieHeader(app.url);
    const allPages: Array<PageUnderTest & { key: string }> = [
      { key: 'thread', name: 'thread with 50 posts', url: thread, cookie: rc },
      { key: 'space', name: 'group space', url: space, cookie: rc },
      { key: 'hub', name: 'cohort hub', url: reader.base, cookie: rc },
      { key: 'module', name: 'module 1 page', url: `${reader.base}/modules/1`, cookie: rc },
      // What every signed-in page pays before its own work: the whole stack and layout, one small query.
      { key: 'floor', name: 'signed-in floor (notifications, none)', url: `${reader.base}/notifications`, cookie: rc },
      { key: 'dashboard60', name: 'dashboard, 60 learners', url: `${f60.base}/console/dashboard`, cookie: await f60.browser.cookieHeader(app.url) },
      { key: 'dashboard600', name: 'dashboard, 600 learners', url: `${f600.base}/console/dashboard`, cookie: await f600.browser.cookieHeader(app.url) },
    ];
    // BENCH_SCALE_PAGES=module,floor: only those (a page's figures again, without the whole run).
    const only = process.env.BENCH_SCALE_PAGES?.split(',').map((k) => k.trim());
    const pages = only ? allPages.filter((p) => only.includes(p.key)) : allPages;
    if (pages.length === 0) throw new Error(`BENCH_SCALE_PAGES names none of ${allPages.map((p) => p.key).join(', ')}`);
    for (const p of pages) {
      const r = await fetch(p.url, { headers: { cookie: p.cookie }, redirect: 'manual' });
      if (r.status !== 200) throw new Error(`${p.name}: ${r.status}`);
    }
    const count = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM posts`.execute(app.db)).rows[0]!.n);
    console.log(`\nPages beside the reference, ${CONNECTIONS} connections, ${seconds} s each load (ratio = page req/s ÷ the reference's, measured just before it; ${ROUNDS} rounds per page, the median round shown)`);
    const small = await count();
    await round(`${(small / 1000).toFixed(0)}k`, reference.url, pages, seconds, explainPool);
    const started = performance.now();
    await seedScale(app.db, lms.platform.id, tenantId, 200, posts);
    const large = await count();
    console.log(`(seeded to ${large} posts across 200 more tenants and 400 more cohorts in ${((performance.now() - started) / 1000).toFixed(0)} s, VACUUMed and ANALYZEd)`);
    await round(`${(large / 1e6).toFixed(1)}M`, reference.url, pages, seconds, explainPool);

    console.log(`\nEXPLAIN of every query each page runs at ${large} posts (!! = sequential scan of a table over 10 k rows, or a prepared statement's generic plan over 3× its custom one)`);
    let flagged = 0;
    for (const p of pages) {
      await idle(explainPool);
      flagged += await explainPage(explainPool, p.name, await queriesOf(p));
    }
    console.log(`\n${flagged} queries with a sequential scan of a table over 10 k rows or a slow generic plan`);
  } finally {
    await reference?.close();
    await explainPool.end();
    await sim.close();
    await app.close();
  }
}
