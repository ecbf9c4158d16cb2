import { sql, type Kysely } from 'kysely';

// An index for the foreign key module_completions(tenant_id, cohort_id): a lookup or cascading delete by cohort_id would scan all of module_completions.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX module_completions_cohort_idx ON module_completions (tenant_id, cohort_id)`.execute(db);
}
