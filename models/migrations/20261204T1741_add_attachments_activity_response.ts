import { sql, type Kysely } from 'kysely';

// Files on a module activity's response (evidence of practice, a curation): pending with the draft
// of its form (draft_target 'activity:<module>:<activity>') until the response is saved, then its
// response's (response_id), deleted with it. Readable by who can read that response.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE attachments ADD COLUMN response_id uuid`.execute(db);
  await sql`ALTER TABLE attachments ADD CONSTRAINT attachments_response_fkey FOREIGN KEY (tenant_id, response_id) REFERENCES activity_responses (tenant_id, id) ON DELETE CASCADE`.execute(db);
  await sql`ALTER TABLE attachments DROP CONSTRAINT attachments_one_owner`.execute(db);
  await sql`ALTER TABLE attachments ADD CONSTRAINT attachments_one_owner CHECK (num_nonnulls(post_id, draft_target, photo_of, response_id) = 1)`.execute(db);
  await sql`CREATE INDEX attachments_response_idx ON attachments (tenant_id, response_id) WHERE response_id IS NOT NULL`.execute(db);
}
