import { sql, type Kysely } from 'kysely';

// The LMS links that open Circlework: the hub, or one module (custom parameter `module`), with the
// AGS endpoints the launch named (line item of this link, line items of the context).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resource_links')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('resource_link_id', 'text', (c) => c.notNull())
    .addColumn('cohort_id', 'uuid', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('module_id', 'smallint', (c) => c.check(sql`module_id BETWEEN 1 AND 9`))
    .addColumn('lineitem_url', 'text')
    .addColumn('lineitems_url', 'text')
    .addColumn('ags_scopes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('resource_links_pkey', ['tenant_id', 'resource_link_id'])
    .addForeignKeyConstraint('resource_links_cohort_fkey', ['tenant_id', 'cohort_id'], 'cohorts', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}
