import type { Kysely } from 'kysely';

// Roster (NRPS): when the cohort's member list was last fetched from the LMS and applied; the
// scheduled sync picks cohorts whose last sync is older than its period (never synced: null).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('cohorts').addColumn('roster_synced_at', 'timestamptz').execute();
}
