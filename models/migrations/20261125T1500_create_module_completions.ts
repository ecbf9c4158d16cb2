import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('module_completions')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('membership_id', 'uuid', (c) => c.notNull())
    .addColumn('module_id', 'smallint', (c) => c.notNull().check(sql`module_id BETWEEN 1 AND 9`))
    .addColumn('cohort_id', 'uuid', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('module_completions_pkey', ['tenant_id', 'membership_id', 'module_id'])
    .addForeignKeyConstraint('module_completions_membership_fkey', ['tenant_id', 'membership_id'], 'memberships', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('module_completions_cohort_fkey', ['tenant_id', 'cohort_id'], 'cohorts', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}
