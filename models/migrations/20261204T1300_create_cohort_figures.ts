import { sql, type Kysely } from 'kysely';

// The facilitator's figures of a cohort (progress, group health, social capital, Community of
// Inquiry, participation, last activity), computed from the raw rows and kept here, one
// row per cohort. `changes` counts writes that can move a figure (triggers, next migration, in the
// same transaction as the write); the figures are current while `figures_changes` equals it and
// `week` is this ISO week (the weekly series run to the current week). Each part is JSON in text:
// a page reads only the parts it shows (and jsonb would come back through the camel-case plugin).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE cohort_figures (
      tenant_id uuid NOT NULL,
      cohort_id uuid NOT NULL,
      changes bigint NOT NULL DEFAULT 1,
      figures_changes bigint,
      week text,
      computed_at timestamptz,
      progress text,
      health text,
      social text,
      ties text,
      inquiry text,
      participation text,
      activity text,
      CONSTRAINT cohort_figures_pkey PRIMARY KEY (tenant_id, cohort_id),
      CONSTRAINT cohort_figures_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}
