import { sql, type Kysely } from 'kysely';

// Open dates a facilitator set; a module without a row opens on the default weekly schedule.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('module_schedules')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('cohort_id', 'uuid', (c) => c.notNull())
    .addColumn('module_id', 'smallint', (c) => c.notNull().check(sql`module_id BETWEEN 1 AND 9`))
    .addColumn('opens_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('module_schedules_pkey', ['tenant_id', 'cohort_id', 'module_id'])
    .addForeignKeyConstraint('module_schedules_cohort_fkey', ['tenant_id', 'cohort_id'], 'cohorts', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}
