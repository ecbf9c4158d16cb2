import { sql, type Kysely } from 'kysely';

// An index for the foreign key signed_links(tenant_id, cohort_id): a lookup or cascading delete by cohort_id would scan all of signed_links.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX signed_links_cohort_idx ON signed_links (tenant_id, cohort_id)`.execute(db);
}
