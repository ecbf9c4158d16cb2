import { sql, type Kysely } from 'kysely';

// A third purpose for signed links: the emailed link to a person's own export (subject: the export).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE signed_links DROP CONSTRAINT signed_links_purpose_check`.execute(db);
  await sql`ALTER TABLE signed_links ADD CONSTRAINT signed_links_purpose_check CHECK (purpose IN ('sign-in', 'manager-view', 'export-download'))`.execute(db);
}
