import { sql, type Kysely } from 'kysely';

// An index for the foreign key resource_links(tenant_id, cohort_id): a lookup or cascading delete by cohort_id would scan all of resource_links.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX resource_links_cohort_idx ON resource_links (tenant_id, cohort_id)`.execute(db);
}
