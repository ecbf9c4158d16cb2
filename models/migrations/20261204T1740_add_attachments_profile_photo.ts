import { sql, type Kysely } from 'kysely';

// A profile photo is an attachment of its person (`photo_of`), not of a post: same media store,
// same serving route, its bytes deleted with its row (a replaced photo, an erased person). While it
// is being taken it is pending (draft_target 'photo') like any upload; one photo per person.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE attachments ADD COLUMN photo_of uuid`.execute(db);
  await sql`ALTER TABLE attachments ADD CONSTRAINT attachments_photo_of_fkey FOREIGN KEY (tenant_id, photo_of) REFERENCES persons (tenant_id, id) ON DELETE CASCADE`.execute(db);
  await sql`ALTER TABLE attachments DROP CONSTRAINT attachments_pending_or_posted`.execute(db);
  await sql`ALTER TABLE attachments ADD CONSTRAINT attachments_one_owner CHECK (num_nonnulls(post_id, draft_target, photo_of) = 1)`.execute(db);
  await sql`CREATE UNIQUE INDEX attachments_photo_of_idx ON attachments (tenant_id, photo_of) WHERE photo_of IS NOT NULL`.execute(db);
}
