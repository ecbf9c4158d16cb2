// Retention per tenant: exactly the expired cohorts go (a week after their facilitators' one warning),
// nothing else (one day short, a later check-in, another tenant); a run killed halfway (kill -9 in a
// child process, after its progress shows some chunks done) finishes when run again, with the same
// result as a run never interrupted; the admin console sets it and shows what goes when.
import { expect } from 'chai';
import path from 'node:path';
import { parse } from 'node-html-parser';
import { sql } from 'kysely';
import { cohortSuite } from '../support/cohort-members.ts';
import { connectPlatform, ROLES } from '../support/lti-fixtures.ts';
import { LtiHttpClient, LtiPlatformSimulator } from '../support/lti-platform-simulator.ts';
import { startScript } from '../support/processes.ts';
import { testDatabaseUrl } from '../support/test-database.ts';
import { waitFor } from '../support/wait.ts';
import { seedAdmin } from '../../server/admin/admin.service.ts';
import { runRetention } from '../../server/privacy/retention.service.ts';
import type { Db } from '../../models/db.ts';

const COURSE = { id: 'course-retention', title: 'Retention course' };
const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };
const fran = { sub: 'fran', name: 'Fran Facilitator', email: 'fran@example.org', roles: [ROLES.instructor] };
const DAY = 24 * 3600_000;
const csrfOf = (html: string) => parse(html).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';
const child = path.resolve(import.meta.dirname, '../support/retention-child.ts');

/** `months` calendar months before `d` (as PostgreSQL's interval arithmetic counts them). */
function monthsBefore(d: Date, months: number): Date {
  const x = new Date(d);
  x.setUTCMonth(x.getUTCMonth() - months);
  return x;
}

/**
 * A cohort with people, a commons with threads, top-level posts and replies, kudos, responses,
 * completions, notifications, action plans with check-ins, and its course end date; `shared` people
 * (by sub) are also members elsewhere. Identical in row counts each time it is called with the same
 * arguments.
 */
async function seedCohort(db: Db, tenantId: string, contextId: string, opts: { endsOn: Date; people?: number; threads?: number; checkInAt?: Date; shared?: string[] }) {
  const n = opts.people ?? 4;
  const { rows: [cohort] } = await sql<{ id: string }>`INSERT INTO cohorts (tenant_id, context_id, title) VALUES (${tenantId}, ${contextId}, ${`Cohort ${contextId}`}) RETURNING id`.execute(db);
  const c = cohort!.id;
  await sql`
    INSERT INTO persons (tenant_id, sub, name, email)
    SELECT ${tenantId}, s, 'Person ' || s, s || '@example.org' FROM (SELECT ${contextId} || '-p' || i AS s FROM generate_series(1, ${n}) i UNION SELECT unnest(${opts.shared ?? []}::text[])) x
    ON CONFLICT (tenant_id, sub) DO NOTHING`.execute(db);
  await sql`
    INSERT INTO memberships (tenant_id, cohort_id, person_id, role, last_launch_at)
    SELECT ${tenantId}, ${c}, p.id, 'learner', now() - interval '400 days' FROM persons p
    WHERE p.tenant_id = ${tenantId} AND (p.sub LIKE ${`${contextId}-p%`} OR p.sub = ANY (${opts.shared ?? []}::text[]))`.execute(db);
  await sql`INSERT INTO action_plan_schedules (tenant_id, cohort_id, ends_on) VALUES (${tenantId}, ${c}, ${opts.endsOn.toISOString().slice(0, 10)})`.execute(db);
  const { rows: [space] } = await sql<{ id: string }>`INSERT INTO spaces (tenant_id, cohort_id) VALUES (${tenantId}, ${c}) RETURNING id`.execute(db);
  await sql`
    INSERT INTO threads (tenant_id, space_id, author_membership_id, title)
    SELECT ${tenantId}, ${space!.id}, (SELECT id FROM memberships WHERE tenant_id = ${tenantId} AND cohort_id = ${c} ORDER BY id LIMIT 1), 'Thread ' || i
    FROM generate_series(1, ${opts.threads ?? 10}) i`.execute(db);
  const members = sql`SELECT id FROM memberships WHERE tenant_id = ${tenantId} AND cohort_id = ${c}`;
  await sql`
    INSERT INTO posts (tenant_id, thread_id, space_id, author_membership_id, body_source, body_html)
    SELECT ${tenantId}, t.id, t.space_id, m.id, 'A post', '<p>A post</p>' FROM threads t, (${members}) m WHERE t.tenant_id = ${tenantId} AND t.space_id = ${space!.id}`.execute(db);
  await sql`
    INSERT INTO posts (tenant_id, thread_id, space_id, parent_post_id, author_membership_id, body_source, body_html)
    SELECT p.tenant_id, p.thread_id, p.space_id, p.id, m.id, 'A reply', '<p>A reply</p>' FROM posts p, (${members}) m
    WHERE p.tenant_id = ${tenantId} AND p.space_id = ${space!.id} AND p.parent_post_id IS NULL AND m.id <> p.author_membership_id`.execute(db);
  await sql`
    INSERT INTO kudos (tenant_id, post_id, from_membership_id, to_membership_id, reason)
    SELECT p.tenant_id, p.id, r.author_membership_id, p.author_membership_id, 'Thanks' FROM posts p
    JOIN posts r ON r.tenant_id = p.tenant_id AND r.parent_post_id = p.id
    WHERE p.tenant_id = ${tenantId} AND p.space_id = ${space!.id}`.execute(db);
  await sql`
    INSERT INTO notifications (tenant_id, membership_id, kind, actor_membership_id, thread_id, post_id)
    SELECT r.tenant_id, p.author_membership_id, 'reply', r.author_membership_id, r.thread_id, r.id FROM posts p
    JOIN posts r ON r.tenant_id = p.tenant_id AND r.parent_post_id = p.id WHERE p.tenant_id = ${tenantId} AND p.space_id = ${space!.id}`.execute(db);
  await sql`
    INSERT INTO activity_responses (tenant_id, cohort_id, membership_id, module_id, activity_id, kind, status, content, submitted_at)
    SELECT ${tenantId}, ${c}, m.id, mo, 'reflect', 'reflection', 'submitted', '{"text":"A reflection"}', now() FROM (${members}) m, generate_series(1, 3) mo`.execute(db);
  await sql`INSERT INTO module_completions (tenant_id, membership_id, module_id, cohort_id) SELECT ${tenantId}, m.id, 1, ${c} FROM (${members}) m`.execute(db);
  await sql`
    INSERT INTO action_plans (tenant_id, cohort_id, membership_id, goals, visibility, status)
    SELECT ${tenantId}, ${c}, m.id, '[]', 'private', 'submitted' FROM (${members}) m`.execute(db);
  await sql`
    INSERT INTO check_ins (tenant_id, plan_id, seq, entries, journal, created_at)
    SELECT p.tenant_id, p.id, 1, '[]', 'A journal', ${opts.checkInAt ?? new Date(opts.endsOn.getTime() - DAY)} FROM action_plans p WHERE p.tenant_id = ${tenantId} AND p.cohort_id = ${c}`.execute(db);
  return c;
}

/** Rows per table of ours (the progress log and warnings aside): two runs that did the same work agree. */
async function fingerprint(db: Db): Promise<Record<string, number>> {
  const { rows: tables } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
      AND table_name NOT IN ('retention_erasures', 'retention_warnings', 'kysely_migration', 'kysely_migration_lock', 'http_sessions', 'lti_documents', 'lti_logins', 'rate_limits', 'cohort_figure_changes')
    ORDER BY 1`.execute(db);
  const out: Record<string, number> = {};
  for (const { name } of tables) out[name] = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(name)}`.execute(db)).rows[0]!.n;
  return out;
}

describe('retention per tenant', () => {
  const suite = cohortSuite({ context: COURSE, smtp: true });
  const { env, smtp } = suite;
  const db = () => env.app.db;
  const tenantOf = async (platformId: string) => (await db().selectFrom('tenants').select('id').where('platformId', '=', platformId).executeTakeFirstOrThrow()).id;
  const cohortExists = async (id: string) => (await db().selectFrom('cohorts').select('id').where('id', '=', id).execute()).length === 1;
  const setRetention = (tenantId: string, months: number) => sql`INSERT INTO tenant_privacy_settings (tenant_id, retention_months) VALUES (${tenantId}, ${months})`.execute(db());

  it('erases exactly the expired cohorts, a week after their facilitators’ one warning: not one a day short, not one with a later check-in, not another tenant’s', async () => {
    const now = new Date();
    const t1 = await tenantOf(env.lms.platform.id);
    await setRetention(t1, 12);
    const expired = await seedCohort(db(), t1, 'expired', { endsOn: monthsBefore(now, 13), shared: ['shared-person'] });
    // Expires a day after the run that erases (eight days on, below).
    const dayShort = await seedCohort(db(), t1, 'day-short', { endsOn: monthsBefore(new Date(now.getTime() + 9 * DAY), 12), shared: ['shared-person'] });
    const checkedIn = await seedCohort(db(), t1, 'checked-in', { endsOn: monthsBefore(now, 13), checkInAt: new Date(now.getTime() - 60 * DAY) });
    // Fran facilitates the expired cohort (she launched, so the LMS gave her address).
    const f = await suite.launch(fran, { id: 'expired' });
    expect(f.cohortId).to.equal(expired);
    const otherSim = await LtiPlatformSimulator.start({ kind: 'canvas', name: 'Another organisation' });
    let otherCohort: string;
    try {
      const other = await connectPlatform(env.app, otherSim);
      const t2 = await tenantOf(other.platform.id);
      await setRetention(t2, 24);
      otherCohort = await seedCohort(db(), t2, 'other-expired-by-12', { endsOn: monthsBefore(now, 13) });
    } finally {
      await otherSim.close();
    }
    const untouched = async () => {
      const { rows } = await sql<{ cohort: string; posts: number; responses: number; members: number }>`
        SELECT c.id AS cohort,
          (SELECT count(*) FROM posts p JOIN spaces s ON s.tenant_id = p.tenant_id AND s.id = p.space_id WHERE s.cohort_id = c.id)::int AS posts,
          (SELECT count(*) FROM activity_responses r WHERE r.cohort_id = c.id)::int AS responses,
          (SELECT count(*) FROM memberships m WHERE m.cohort_id = c.id)::int AS members
        FROM cohorts c WHERE c.id = ANY (${[dayShort, checkedIn, otherCohort]}::uuid[]) ORDER BY 1`.execute(db());
      return rows;
    };
    const before = await untouched();
    const deps = { db: db(), email: env.app.emailDeps, chunkRows: 50 };

    // Expired, but nobody was warned: warned now, erased no sooner than a week later.
    const first = await runRetention({ ...deps, now: () => now });
    expect(first).to.deep.equal({ warned: [expired], erased: [] });
    const [warning] = await smtp.waitFor(fran.email);
    const title = (await db().selectFrom('cohorts').select('title').where('id', '=', expired).executeTakeFirstOrThrow()).title;
    // The date as the facilitator reads it (their language: English here, as en-GB writes it).
    const on = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(now.getTime() + 7 * DAY));
    expect(warning!.subject).to.equal(`Circlework will erase “${title}” on ${on}`);
    expect(warning!.text).to.include('export');

    // Eight days on: the expired cohort goes; the one a day short is warned now (it expires within the week), once.
    const later = new Date(now.getTime() + 8 * DAY);
    expect(await runRetention({ ...deps, now: () => later })).to.deep.equal({ warned: [dayShort], erased: [expired] });
    expect(await cohortExists(expired)).to.equal(false);
    expect(await untouched()).to.deep.equal(before);
    const people = await db().selectFrom('persons').select('sub').where('tenantId', '=', t1).execute();
    expect(people.map((p) => p.sub).filter((s) => s.startsWith('expired-')), 'people of no other cohort go').to.deep.equal([]);
    expect(people.map((p) => p.sub)).to.include('shared-person');
    expect(people.map((p) => p.sub), 'Fran facilitated only the expired cohort').to.not.include('fran');
    const [log] = await db().selectFrom('retentionErasures').selectAll().execute();
    expect(log!.finishedAt).to.be.an.instanceOf(Date);
    expect(log!.chunks).to.be.above(3);

    // Run again: nothing more, and no second warning.
    expect(await runRetention({ ...deps, now: () => later })).to.deep.equal({ warned: [], erased: [] });
    expect(smtp.to(fran.email)).to.have.length(1);
  });

  it('finishes a run killed halfway (kill -9 after some chunks) when run again, with the same result as a run never interrupted', async () => {
    const now = new Date();
    const t1 = await tenantOf(env.lms.platform.id);
    const seed = async () => {
      await setRetention(t1, 12);
      const victim = await seedCohort(db(), t1, 'victim', { endsOn: monthsBefore(now, 13), people: 5, threads: 8, shared: ['shared-person'] });
      await seedCohort(db(), t1, 'keeper', { endsOn: now, people: 3, threads: 5, shared: ['shared-person'] });
      await sql`INSERT INTO retention_warnings (tenant_id, cohort_id, expires_at, sent_at) VALUES (${t1}, ${victim}, ${monthsBefore(now, 1)}, ${new Date(now.getTime() - 8 * DAY)})`.execute(db());
      return victim;
    };
    const env_ = { DATABASE_URL: testDatabaseUrl(), NOW_MS: String(now.getTime()), CHUNK_ROWS: '10', PAUSE_MS: '20' };

    // Uninterrupted, for reference.
    await seed();
    const whole = startScript(child, env_);
    expect(await whole.exited, whole.output()).to.equal(0);
    const reference = await fingerprint(db());

    // Again from the same seed, killed once its progress shows three chunks done.
    await sql`TRUNCATE cohorts, persons, tenant_privacy_settings, retention_erasures CASCADE`.execute(db());
    const victim = await seed();
    const run = startScript(child, env_);
    await waitFor('three chunks of progress', async () => {
      const row = await db().selectFrom('retentionErasures').select('chunks').where('cohortId', '=', victim).executeTakeFirst();
      return (row?.chunks ?? 0) >= 3;
    }, 20_000);
    run.child.kill('SIGKILL');
    await run.exited;
    const halfway = await db().selectFrom('retentionErasures').selectAll().where('cohortId', '=', victim).executeTakeFirstOrThrow();
    expect(halfway.finishedAt, 'killed before it finished').to.equal(null);
    expect(await cohortExists(victim)).to.equal(true);

    const resumed = startScript(child, env_);
    expect(await resumed.exited, resumed.output()).to.equal(0);
    const done = await db().selectFrom('retentionErasures').selectAll().where('cohortId', '=', victim).executeTakeFirstOrThrow();
    expect(done.finishedAt).to.be.an.instanceOf(Date);
    expect(done.chunks).to.be.above(halfway.chunks);
    expect(await fingerprint(db())).to.deep.equal(reference);
  });

  it('lets the tool admin set retention per deployment and shows its counts and what goes when', async () => {
    const now = new Date();
    const t1 = await tenantOf(env.lms.platform.id);
    await seedCohort(db(), t1, 'old', { endsOn: monthsBefore(now, 30), people: 2, threads: 1 });
    // Two files of one of its people (the counts show attachments).
    const member = await db().selectFrom('memberships').select(['id', 'cohortId']).where('tenantId', '=', t1).executeTakeFirstOrThrow();
    for (const fileName of ['a.pdf', 'b.pdf']) await db().insertInto('attachments').values({ tenantId: t1, cohortId: member.cohortId, membershipId: member.id, draftTarget: 'space:x', state: 'ready', kind: 'document', contentType: 'application/pdf', fileName }).execute();
    await seedAdmin(db(), ADMIN);
    const browser = new LtiHttpClient();
    const login = await browser.request(`${env.app.url}/admin/login`);
    expect((await browser.request(`${env.app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, _csrf: csrfOf(login.body) } })).status).to.equal(303);

    const platform = parse((await browser.request(`${env.app.url}/admin/platforms/${env.lms.platform.id}`)).body);
    const row = platform.querySelector('[data-test=deployment]')!;
    expect(row.querySelector('[data-test=count-people]')!.text).to.equal('2');
    expect(row.querySelector('[data-test=count-cohorts]')!.text).to.equal('1');
    expect(row.querySelector('[data-test=count-posts]')!.text).to.equal('4');
    expect(row.querySelector('[data-test=count-files]')!.text).to.equal('2');
    expect(row.querySelector('[data-test=oldest-data]')!.text).to.equal(new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(now));

    const page = await browser.request(`${env.app.url}/admin/tenants/${t1}`);
    const bad = await browser.request(`${env.app.url}/admin/tenants/${t1}/retention`, { method: 'POST', form: { retentionMonths: '0', _csrf: csrfOf(page.body) } });
    expect(bad.status).to.equal(400);
    expect(parse(bad.body).querySelector('[data-test=retention-error]')).to.not.equal(null);
    const noToken = await browser.request(`${env.app.url}/admin/tenants/${t1}/retention`, { method: 'POST', form: { retentionMonths: '24' } });
    expect(noToken.status).to.equal(403);
    expect(await db().selectFrom('tenantPrivacySettings').selectAll().execute()).to.deep.equal([]);
    const saved = await browser.request(`${env.app.url}/admin/tenants/${t1}/retention`, { method: 'POST', form: { retentionMonths: '24', _csrf: csrfOf(page.body) } });
    expect(saved.status).to.equal(303);
    const shown = parse((await browser.request(`${env.app.url}/admin/tenants/${t1}`)).body);
    expect(shown.querySelector('[data-test=retention-months]')!.getAttribute('value')).to.equal('24');
    const cohort = shown.querySelector('[data-test=retention-cohort]')!;
    expect(cohort.text).to.include('Cohort old').and.to.include(new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(monthsBefore(now, 6)));
    expect(cohort.text).to.include('a week after its facilitators are warned');
  });
});
