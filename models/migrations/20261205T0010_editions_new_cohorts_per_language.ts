import { sql, type Kysely } from 'kysely';

// The edition for new courses is chosen per language: a course that starts in French takes the
// tenant's French edition for new courses (none: the default edition in French).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX editions_for_new_cohorts_key`.execute(db);
  await sql`CREATE UNIQUE INDEX editions_for_new_cohorts_key ON editions (tenant_id, language) WHERE for_new_cohorts`.execute(db);
}
