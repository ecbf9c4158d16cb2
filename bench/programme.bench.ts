// The programme view (/programme) for a tenant of BENCH_PROGRAMME_COHORTS (50) cohorts of 60 learners,
// each with groups formed through the real routes and 3,000 posts seeded in SQL, half its learners
// having completed every module. The programme-snapshots job's run over every cohort is timed (what
// the background pays); then p50/p99 at 1 and 20 connections from a programme lead's session, over
// the kept snapshots, beside the bare reference page; then the EXPLAIN (ANALYZE) of the page's query.
import { sql } from 'kysely';
import { LtiPlatformSimulator } from '../test/support/lti-platform-simulator.ts';
import { connectPlatform, ROLES } from '../test/support/lti-fixtures.ts';
import { cohortMembers } from '../test/support/cohort-members.ts';
import { load, startBenchApp } from './bench-support.ts';
import { launchMany } from './scale.bench.ts';
import { seedGroupPosts } from './dashboard.bench.ts';
import { programmeSnapshotsQuery } from '../models/programme.queries.ts';
import { refreshProgrammeSnapshots } from '../server/programme/programme-snapshots.ts';
import { loadWorkshop } from '../server/modules/workshop-files.ts';

export async function benchProgramme(databaseUrl: string, seconds = Number(process.env.BENCH_SECONDS ?? 5)): Promise<void> {
  const cohortCount = Number(process.env.BENCH_PROGRAMME_COHORTS ?? 50);
  const connections = Number(process.env.BENCH_DASHBOARD_CONNECTIONS ?? 20);
  const app = await startBenchApp(databaseUrl);
  const sim = await LtiPlatformSimulator.start({ kind: 'moodle', name: 'Bench Moodle' });
  try {
    const lms = await connectPlatform(app, sim);
    const people = cohortMembers(() => ({ app, lms }), { id: 'prog-1' });
    const started = performance.now();
    for (let k = 1; k <= cohortCount; k++) {
      const f = await launchMany(people, `prog-${k}`, 60);
      await seedGroupPosts(app.db, f.cohortId, 300);
      await sql`
        INSERT INTO module_completions (tenant_id, membership_id, module_id, cohort_id)
        SELECT m.tenant_id, m.id, mod, m.cohort_id FROM memberships m CROSS JOIN generate_series(1, 9) mod
        WHERE m.cohort_id = ${f.cohortId} AND m.role = 'learner' AND get_byte(decode(md5(m.id::text), 'hex'), 0) % 2 = 0
        ON CONFLICT DO NOTHING`.execute(app.db);
    }
    await sql`ANALYZE`.execute(app.db);
    const lead = await people.launch({ sub: 'bench-lead', name: 'Programme Lead', roles: ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator', ROLES.instructor] }, { id: 'prog-1' });
    const { tenantId } = await app.db.selectFrom('cohorts').select('tenantId').where('id', '=', lead.cohortId).executeTakeFirstOrThrow();
    const posts = (await sql<{ n: string }>`SELECT count(*) AS n FROM posts WHERE tenant_id = ${tenantId}`.execute(app.db)).rows[0]!.n;
    console.log(`\nProgramme view: ${cohortCount} cohorts of 60 learners, ${Number(posts).toLocaleString('en')} posts (seeded in ${((performance.now() - started) / 1000).toFixed(0)} s); ${seconds} s per figure`);
    const job = performance.now();
    const run = await refreshProgrammeSnapshots({ db: app.db, workshop: loadWorkshop(), now: () => new Date() });
    console.log(`programme-snapshots job over every cohort: ${run.refreshed} refreshed, ${run.failed} failed in ${((performance.now() - job) / 1000).toFixed(1)} s`);
    const cookie = await lead.browser.cookieHeader(app.url);
    const url = `${app.url}/programme`;
    const t0 = performance.now();
    const first = await fetch(url, { headers: { cookie } });
    await first.arrayBuffer();
    if (first.status !== 200) throw new Error(`programme: ${first.status}`);
    console.log(`first request: ${(performance.now() - t0).toFixed(0)} ms`);
    const reference = `${app.url}/healthz`;
    for (const [name, u, h] of [['bare reference (/healthz)', reference, {}], ['programme view', url, { cookie }], ['programme CSV', `${url}/programme.csv`, { cookie }]] as const) {
      const one = await load(u, h, seconds, 1);
      const many = await load(u, h, seconds, connections);
      console.log(`${name.padEnd(28)} 1 conn: p50 ${String(one.p50).padStart(4)} p99 ${String(one.p99).padStart(4)} ms ${one.rps.toFixed(0).padStart(4)} req/s · ${connections} conns: p50 ${String(many.p50).padStart(4)} p99 ${String(many.p99).padStart(4)} ms ${many.rps.toFixed(0).padStart(4)} req/s · non-2xx ${one.non2xx + many.non2xx} errors ${one.errors + many.errors}`);
    }
    const q = programmeSnapshotsQuery(app.db, tenantId).compile();
    const plan = await sql.raw<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql.replace(/\$(\d+)/g, (_: string, i: string) => `'${String(q.parameters[Number(i) - 1])}'`)}`).execute(app.db);
    console.log(`\nEXPLAIN ANALYZE of the programme view's query:\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  } finally {
    await sim.close();
    await app.close();
  }
}
