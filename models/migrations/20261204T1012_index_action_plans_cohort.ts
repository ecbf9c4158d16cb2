import { sql, type Kysely } from 'kysely';

// An index for the foreign key action_plans(tenant_id, cohort_id): a lookup or cascading delete by cohort_id would scan all of action_plans.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX action_plans_cohort_idx ON action_plans (tenant_id, cohort_id)`.execute(db);
}
