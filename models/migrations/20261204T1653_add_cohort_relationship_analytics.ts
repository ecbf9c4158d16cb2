import { sql, type Kysely } from 'kysely';

// A facilitator can turn relationship analytics off for a cohort: then the network picture (the
// facilitator's and each learner's own) and Community of Inquiry by person are neither computed nor shown.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE cohort_analytics_settings ADD COLUMN relationship_analytics boolean NOT NULL DEFAULT true`.execute(db);
}
