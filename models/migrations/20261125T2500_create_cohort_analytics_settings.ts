import { sql, type Kysely } from 'kysely';

// A cohort's settings for the facilitator dashboard: after how many days without activity a learner
// counts as quiet, and whether the network picture shows names to facilitators (anonymised by default).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE cohort_analytics_settings (
      tenant_id uuid NOT NULL,
      cohort_id uuid NOT NULL,
      quiet_days integer NOT NULL DEFAULT 7 CHECK (quiet_days BETWEEN 1 AND 90),
      show_names boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT cohort_analytics_settings_pkey PRIMARY KEY (tenant_id, cohort_id),
      CONSTRAINT cohort_analytics_settings_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}
