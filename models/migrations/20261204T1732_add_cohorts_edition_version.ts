import { sql, type Kysely } from 'kysely';

// Each cohort runs the edition version it started with; null is the default edition (content/), so
// every existing cohort keeps the nine modules it had.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE cohorts ADD COLUMN edition_version_id uuid,
      ADD CONSTRAINT cohorts_edition_version_fkey FOREIGN KEY (tenant_id, edition_version_id) REFERENCES edition_versions (tenant_id, id)`.execute(db);
  await sql`CREATE INDEX cohorts_edition_version_idx ON cohorts (tenant_id, edition_version_id)`.execute(db);
}
