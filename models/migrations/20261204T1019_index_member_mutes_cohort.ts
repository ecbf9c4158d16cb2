import { sql, type Kysely } from 'kysely';

// An index for the foreign key member_mutes(tenant_id, cohort_id): a lookup or cascading delete by cohort_id would scan all of member_mutes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX member_mutes_cohort_idx ON member_mutes (tenant_id, cohort_id)`.execute(db);
}
