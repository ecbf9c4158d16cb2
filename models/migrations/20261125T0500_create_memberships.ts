import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('memberships')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('cohort_id', 'uuid', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role IN ('learner', 'facilitator', 'observer')`))
    .addColumn('lms_roles', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status IN ('active', 'inactive')`))
    .addColumn('first_launch_at', 'timestamptz')
    .addColumn('last_launch_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('memberships_pkey', ['tenant_id', 'id'])
    .addUniqueConstraint('memberships_cohort_person_key', ['tenant_id', 'cohort_id', 'person_id'])
    .addForeignKeyConstraint('memberships_cohort_fkey', ['tenant_id', 'cohort_id'], 'cohorts', ['tenant_id', 'id'], (c) =>
      c.onDelete('cascade'),
    )
    .addForeignKeyConstraint('memberships_person_fkey', ['tenant_id', 'person_id'], 'persons', ['tenant_id', 'id'], (c) =>
      c.onDelete('cascade'),
    )
    .execute();
}
