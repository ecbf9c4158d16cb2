import { sql, type Kysely } from 'kysely';

// What the programme view shows of a cohort, computed by a job (programme-snapshots) and read as it
// is by the page: counts only (never a person), as JSON. `snapshot` is the moment it was computed
// after: it is stale once a change logged in cohort_figure_changes is not visible in it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE programme_cohort_snapshots (
      tenant_id uuid NOT NULL,
      cohort_id uuid NOT NULL,
      snapshot pg_snapshot NOT NULL,
      refreshed_at timestamptz NOT NULL,
      figures jsonb NOT NULL,
      CONSTRAINT programme_cohort_snapshots_pkey PRIMARY KEY (tenant_id, cohort_id),
      CONSTRAINT programme_cohort_snapshots_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}
