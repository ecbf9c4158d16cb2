import { sql, type Kysely } from 'kysely';

// When a cohort's course ends and how many weeks after it each check-in falls (default +2, +4, +8);
// set by a facilitator. No row: no end date yet, so no check-in is scheduled.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE action_plan_schedules (
      tenant_id uuid NOT NULL,
      cohort_id uuid NOT NULL,
      ends_on date NOT NULL,
      check_in_weeks smallint[] NOT NULL DEFAULT '{2,4,8}' CHECK (cardinality(check_in_weeks) BETWEEN 1 AND 6),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT action_plan_schedules_pkey PRIMARY KEY (tenant_id, cohort_id),
      CONSTRAINT action_plan_schedules_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}
