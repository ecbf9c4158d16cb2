import { sql, type Kysely } from 'kysely';

// Small groups of a cohort (3–5 learners), formed by a facilitator; a membership is in at most one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('groups')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('cohort_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) BETWEEN 1 AND 80`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('groups_pkey', ['tenant_id', 'id'])
    .addUniqueConstraint('groups_cohort_name_key', ['tenant_id', 'cohort_id', 'name'])
    .addForeignKeyConstraint('groups_cohort_fkey', ['tenant_id', 'cohort_id'], 'cohorts', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}
