// Named roles (programme lead, content editor) share one table and one lookup: a name counts for its
// own role only, and the migration that made the one table kept every name of the two before it.
import { expect } from 'chai';
import { FileMigrationProvider, Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { sql } from 'kysely';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb } from '../../models/db.ts';
import { ensureDatabase } from '../../models/embedded-postgres.ts';
import { insertNamedRole } from '../../models/named-roles.queries.ts';
import { parse } from 'node-html-parser';
import { seedAdmin } from '../../server/admin/admin.service.ts';
import { cohortSuite, type Member } from '../support/cohort-members.ts';
import { ROLES } from '../support/lti-fixtures.ts';
import { LtiHttpClient, type SimUser } from '../support/lti-platform-simulator.ts';
import { onDatabase, testDatabaseUrl } from '../support/test-database.ts';

const fran: SimUser = { sub: 'fran', name: 'Fran Facilitator', email: 'fran@example.org', roles: [ROLES.instructor] };
const ADMIN = { email: 'admin@circlework.test', password: 'correct horse battery staple' };
const csrfOf = (html: string) => parse(html).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';
const gil: SimUser = { sub: 'gil', name: 'Gil Facilitator', email: 'gil@example.org', roles: [ROLES.instructor] };

describe('named roles', () => {
  const { env, launch, get } = cohortSuite({ context: { id: 'course-named-roles', title: 'Named roles course' } });
  const tenantOf = async (m: Member) => (await env.app.db.selectFrom('cohorts').select('tenantId').where('id', '=', m.cohortId).executeTakeFirstOrThrow()).tenantId;
  const links = async (m: Member) => {
    const doc = (await get(m, `${m.base}/console`)).doc;
    return { programme: doc.querySelector('[data-test=programme-link]') !== null, editions: doc.querySelector('[data-test=editions-link]') !== null };
  };

  it('makes a person named a content editor no programme lead, and a named programme lead no content editor', async () => {
    const tenantId = await tenantOf(await launch(fran));
    await insertNamedRole(env.app.db, { tenantId, role: 'content-editor', lmsUserId: 'fran', email: null });
    await insertNamedRole(env.app.db, { tenantId, role: 'programme-lead', lmsUserId: null, email: 'gil@example.org' });
    const editor = await launch(fran);
    const lead = await launch(gil);

    expect((await get(editor, `${env.app.url}/editions`)).status, 'the content editor opens the editions').to.equal(200);
    expect((await get(editor, `${env.app.url}/programme`)).status, 'the content editor is not a programme lead').to.equal(403);
    expect(await links(editor)).to.deep.equal({ programme: false, editions: true });

    expect((await get(lead, `${env.app.url}/programme`)).status, 'the programme lead opens the programme view').to.equal(200);
    expect((await get(lead, `${env.app.url}/editions`)).status, 'the programme lead is not a content editor').to.equal(403);
    expect(await links(lead)).to.deep.equal({ programme: true, editions: false });
  });

  it('names the same person to both roles, once each; each role’s admin page lists its own names only', async () => {
    const tenantId = await tenantOf(await launch(fran));
    expect(await insertNamedRole(env.app.db, { tenantId, role: 'content-editor', lmsUserId: 'fran', email: null })).to.equal(true);
    expect(await insertNamedRole(env.app.db, { tenantId, role: 'programme-lead', lmsUserId: 'fran', email: null }), 'another role: not a duplicate').to.equal(true);
    expect(await insertNamedRole(env.app.db, { tenantId, role: 'programme-lead', lmsUserId: 'fran', email: null }), 'the same role again').to.equal(false);
    await insertNamedRole(env.app.db, { tenantId, role: 'programme-lead', lmsUserId: null, email: 'gil@example.org' });
    expect(await links(await launch(fran))).to.deep.equal({ programme: true, editions: true });

    await seedAdmin(env.app.db, ADMIN);
    const admin = new LtiHttpClient();
    const login = await admin.request(`${env.app.url}/admin/login`);
    expect((await admin.request(`${env.app.url}/admin/login`, { method: 'POST', form: { ...ADMIN, _csrf: csrfOf(login.body) } })).status).to.equal(303);
    const page = async (path: string) => parse((await admin.request(`${env.app.url}/admin/tenants/${tenantId}/${path}`)).body).querySelector(`[data-test=${path}]`)!;
    const leads = await page('programme-leads');
    expect(leads.querySelectorAll('[data-test=lead] code').map((c) => c.text)).to.deep.equal(['fran', 'gil@example.org']);
    expect(leads.querySelector('h1')?.text).to.equal('Programme leads');
    expect(leads.querySelector('.lead')?.text).to.contain('sees the programme view');
    const editors = await page('content-editors');
    expect(editors.querySelectorAll('[data-test=editor] code').map((c) => c.text)).to.deep.equal(['fran']);
    expect(editors.querySelector('h1')?.text).to.equal('Content editors');
    expect(editors.querySelector('.lead')?.text).to.contain('adapts this deployment’s workshop editions');

    const editorId = (await env.app.db.selectFrom('namedRoles').select('id').where('role', '=', 'content-editor').executeTakeFirstOrThrow()).id;
    const csrf = csrfOf((await admin.request(`${env.app.url}/admin/tenants/${tenantId}/programme-leads`)).body);
    const wrongPage = await admin.request(`${env.app.url}/admin/tenants/${tenantId}/programme-leads/${editorId}/remove`, { method: 'POST', form: { confirmed: 'yes', _csrf: csrf } });
    expect(wrongPage.status, 'a content editor is not removed from the programme leads’ page').to.equal(404);
    expect(await env.app.db.selectFrom('namedRoles').select('id').where('id', '=', editorId).executeTakeFirst()).to.deep.equal({ id: editorId });
  });
});

describe('the named_roles migration', () => {
  const NAMED_ROLES = '20261204T1750_create_named_roles';
  const DATABASE = 'circlework_named_roles_migration';

  it('moves every programme lead and content editor into named_roles, ids and times kept, and drops the two tables', async () => {
    const server = onDatabase(testDatabaseUrl(), 'postgres');
    await ensureDatabase(server, DATABASE, { recreate: true });
    const handle = createDb(onDatabase(testDatabaseUrl(), DATABASE), { max: 1 });
    try {
      const files = new FileMigrationProvider({ fs, path, migrationFolder: fileURLToPath(new URL('../../models/migrations', import.meta.url)) });
      const before: MigrationProvider = {
        async getMigrations(): Promise<Record<string, Migration>> {
          const all = await files.getMigrations();
          return Object.fromEntries(Object.entries(all).filter(([name]) => name !== NAMED_ROLES));
        },
      };
      const migrate = async (provider: MigrationProvider) => {
        const { error } = await new Migrator({ db: handle.db, provider, allowUnorderedMigrations: true }).migrateToLatest();
        if (error) throw error;
      };
      await migrate(before);
      const db = handle.db;
      const platform = await db
        .insertInto('platforms')
        .values({ issuer: 'https://lms.example', clientId: 'c1', name: 'LMS', product: 'moodle', authEndpoint: 'https://lms.example/auth', tokenEndpoint: 'https://lms.example/token', jwksUri: 'https://lms.example/keys', authorizationServer: null, status: 'active', deploymentPolicy: 'strict', toolKid: 'kid-1', registeredVia: 'manual' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const tenant = async (deploymentId: string) => (await db.insertInto('tenants').values({ platformId: platform.id, deploymentId, status: 'active' }).returning('id').executeTakeFirstOrThrow()).id;
      const [t1, t2] = [await tenant('d1'), await tenant('d2')];
      const at = new Date('2026-11-01T10:00:00Z');
      const leads = (await sql<{ id: string }>`
        INSERT INTO programme_leads (tenant_id, lms_user_id, email, created_at) VALUES (${t1}, 'fran', NULL, ${at}), (${t2}, NULL, 'gil@example.org', ${at}) RETURNING id`.execute(db)).rows.map((r) => r.id);
      const editors = (await sql<{ id: string }>`
        INSERT INTO content_editors (tenant_id, lms_user_id, email, created_at) VALUES (${t1}, 'fran', NULL, ${at}), (${t1}, NULL, 'hal@example.org', ${at}) RETURNING id`.execute(db)).rows.map((r) => r.id);

      await migrate(files);

      const { rows } = await sql<{ tenantId: string; id: string; role: string; lmsUserId: string | null; email: string | null; createdAt: Date }>`
        SELECT tenant_id AS "tenantId", id, role, lms_user_id AS "lmsUserId", email, created_at AS "createdAt" FROM named_roles ORDER BY role, email NULLS FIRST`.execute(db);
      expect(rows).to.deep.equal([
        { tenantId: t1, id: editors[0], role: 'content-editor', lmsUserId: 'fran', email: null, createdAt: at },
        { tenantId: t1, id: editors[1], role: 'content-editor', lmsUserId: null, email: 'hal@example.org', createdAt: at },
        { tenantId: t1, id: leads[0], role: 'programme-lead', lmsUserId: 'fran', email: null, createdAt: at },
        { tenantId: t2, id: leads[1], role: 'programme-lead', lmsUserId: null, email: 'gil@example.org', createdAt: at },
      ]);
      const { rows: gone } = await sql<{ name: string }>`SELECT to_regclass('programme_leads')::text AS name UNION ALL SELECT to_regclass('content_editors')::text`.execute(db);
      expect(gone.map((g) => g.name)).to.deep.equal([null, null]);
    } finally {
      await handle.close();
      const admin = createDb(server, { max: 1 });
      await sql`DROP DATABASE IF EXISTS ${sql.id(DATABASE)} WITH (FORCE)`.execute(admin.db).finally(() => admin.close());
    }
  });
});
