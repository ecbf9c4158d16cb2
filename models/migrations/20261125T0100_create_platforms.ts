import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('platforms')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull().check(sql`product IN ('moodle', 'canvas', 'other')`))
    .addColumn('auth_endpoint', 'text', (c) => c.notNull())
    .addColumn('token_endpoint', 'text', (c) => c.notNull())
    .addColumn('jwks_uri', 'text', (c) => c.notNull())
    .addColumn('authorization_server', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('pending', 'active', 'disabled')`))
    .addColumn('deployment_policy', 'text', (c) =>
      c.notNull().check(sql`deployment_policy IN ('strict', 'record', 'approve')`),
    )
    // Origins allowed to frame the tool (CSP frame-ancestors): the LMS's own pages.
    .addColumn('frame_origins', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('tool_kid', 'text', (c) => c.notNull().unique())
    .addColumn('registered_via', 'text', (c) => c.notNull().check(sql`registered_via IN ('dynamic', 'manual')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('platforms_issuer_client_id_key', ['issuer', 'client_id'])
    .execute();
}
