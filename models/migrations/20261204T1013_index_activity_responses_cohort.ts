import { sql, type Kysely } from 'kysely';

// An index for the foreign key activity_responses(tenant_id, cohort_id): a lookup or cascading delete by cohort_id would scan all of activity_responses.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX activity_responses_cohort_idx ON activity_responses (tenant_id, cohort_id)`.execute(db);
}
