import { sql, type Kysely } from 'kysely';

// A learner's answer to one activity: a draft until submitted; `shared` makes a reflection visible
// to the learner's group (curation shares are always shown to the group).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('activity_responses')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('cohort_id', 'uuid', (c) => c.notNull())
    .addColumn('membership_id', 'uuid', (c) => c.notNull())
    .addColumn('module_id', 'smallint', (c) => c.notNull().check(sql`module_id BETWEEN 1 AND 9`))
    .addColumn('activity_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('draft', 'submitted')`))
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('shared', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('submitted_at', 'timestamptz')
    .addPrimaryKeyConstraint('activity_responses_pkey', ['tenant_id', 'id'])
    .addUniqueConstraint('activity_responses_one_per_activity', ['tenant_id', 'membership_id', 'module_id', 'activity_id'])
    .addForeignKeyConstraint('activity_responses_membership_fkey', ['tenant_id', 'membership_id'], 'memberships', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('activity_responses_cohort_fkey', ['tenant_id', 'cohort_id'], 'cohorts', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}
