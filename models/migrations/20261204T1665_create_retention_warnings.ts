import { sql, type Kysely } from 'kysely';

// The warning to a cohort's facilitators a week before its data is erased: sent once per cohort
// (a row per cohort, written in the transaction that claims the sending).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE retention_warnings (
      tenant_id uuid NOT NULL,
      cohort_id uuid NOT NULL,
      expires_at timestamptz NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT retention_warnings_pkey PRIMARY KEY (tenant_id, cohort_id),
      CONSTRAINT retention_warnings_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}
