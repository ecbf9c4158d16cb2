import { sql, type Kysely } from 'kysely';

// The built-in demo platform (server/demo/) is a platform like any other, marked so its tenant can be
// shown as made-up people, reset, and never taken for a real LMS.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE platforms ADD COLUMN demo boolean NOT NULL DEFAULT false`.execute(db);
}
