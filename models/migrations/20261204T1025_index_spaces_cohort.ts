import { sql, type Kysely } from 'kysely';

// An index for the foreign key spaces(tenant_id, cohort_id): the dashboard finds a cohort's group spaces by cohort; the commons' partial index covers only the commons.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX spaces_cohort_idx ON spaces (tenant_id, cohort_id)`.execute(db);
}
