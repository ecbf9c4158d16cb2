import { sql, type Kysely } from 'kysely';

// A tenant is one deployment of the tool on one platform: every row of ours hangs under one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('platform_id', 'uuid', (c) => c.notNull().references('platforms.id').onDelete('restrict'))
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('active', 'pending', 'disabled')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('tenants_platform_deployment_key', ['platform_id', 'deployment_id'])
    .execute();
}
