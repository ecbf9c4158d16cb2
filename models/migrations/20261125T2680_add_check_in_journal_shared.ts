import { sql, type Kysely } from 'kysely';

// A check-in's journal entry is private to the learner unless they share it, check-in by check-in,
// with their partners and manager. Existing entries stay private.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE check_ins ADD COLUMN journal_shared boolean NOT NULL DEFAULT false`.execute(db);
}
