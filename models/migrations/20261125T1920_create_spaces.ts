import { sql, type Kysely } from 'kysely';

// A discussion space: one per group per module, and one commons per cohort (no group, no module).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('spaces')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('cohort_id', 'uuid', (c) => c.notNull())
    .addColumn('group_id', 'uuid')
    .addColumn('module_id', 'smallint', (c) => c.check(sql`module_id BETWEEN 1 AND 9`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('spaces_pkey', ['tenant_id', 'id'])
    .addCheckConstraint('spaces_commons_or_group_module', sql`(group_id IS NULL AND module_id IS NULL) OR (group_id IS NOT NULL AND module_id IS NOT NULL)`)
    .addForeignKeyConstraint('spaces_cohort_fkey', ['tenant_id', 'cohort_id'], 'cohorts', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('spaces_group_fkey', ['tenant_id', 'group_id'], 'groups', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`CREATE UNIQUE INDEX spaces_group_module_key ON spaces (tenant_id, group_id, module_id) WHERE group_id IS NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX spaces_commons_key ON spaces (tenant_id, cohort_id) WHERE group_id IS NULL`.execute(db);
}
