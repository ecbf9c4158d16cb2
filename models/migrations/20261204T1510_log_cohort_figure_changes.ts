import { sql, type Kysely } from 'kysely';
import { cohortOf, countingBody } from './20261204T1301_count_cohort_figure_changes.ts';

// A counted write no longer bumps its cohort's cohort_figures row: that row lock made every writer
// of a cohort wait for the one before it to commit (and hold a pooled connection meanwhile). Each
// counted write's transaction now adds one row, keyed by its own transaction id, to an append-only
// log; writers never wait on each other (a key only its own transaction can insert).
// Kept figures carry the snapshot taken before they were computed. They are current while every
// logged change is visible in that snapshot: a write still in flight then is not, so it makes them
// stale once it commits. Saving figures prunes the changes they saw.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE cohort_figure_changes (
      tenant_id uuid NOT NULL,
      cohort_id uuid NOT NULL,
      xid xid8 NOT NULL,
      CONSTRAINT cohort_figure_changes_pkey PRIMARY KEY (tenant_id, cohort_id, xid),
      CONSTRAINT cohort_figure_changes_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  // Figures kept before this migration have no snapshot: they are computed again when next read.
  await sql`ALTER TABLE cohort_figures DROP COLUMN changes, DROP COLUMN figures_changes, ADD COLUMN snapshot pg_snapshot`.execute(db);
  for (const [table, c] of Object.entries(cohortOf)) {
    const log = (rows: string) => `
      INSERT INTO cohort_figure_changes (tenant_id, cohort_id, xid)
      SELECT DISTINCT changed.*, pg_current_xact_id() FROM (${rows}) changed
      ON CONFLICT DO NOTHING;`;
    await sql.raw(`
      CREATE OR REPLACE FUNCTION ${table}_count_cohort_figure_changes() RETURNS trigger LANGUAGE plpgsql AS $$${countingBody(table, c, log)} $$`).execute(db);
  }
}
