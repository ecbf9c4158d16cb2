import { sql, type Kysely } from 'kysely';

// Files on a check-in of an action plan: pending with the check-in form's draft
// (draft_target 'check-in:<seq>') until it is recorded, then the check-in's (check_in_id), deleted
// with it. Readable by who reads the plan's check-ins (its owner and partners).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE attachments ADD COLUMN check_in_id uuid`.execute(db);
  await sql`ALTER TABLE attachments ADD CONSTRAINT attachments_check_in_fkey FOREIGN KEY (tenant_id, check_in_id) REFERENCES check_ins (tenant_id, id) ON DELETE CASCADE`.execute(db);
  await sql`ALTER TABLE attachments DROP CONSTRAINT attachments_one_owner`.execute(db);
  await sql`ALTER TABLE attachments ADD CONSTRAINT attachments_one_owner CHECK (num_nonnulls(post_id, draft_target, photo_of, response_id, check_in_id) = 1)`.execute(db);
  await sql`CREATE INDEX attachments_check_in_idx ON attachments (tenant_id, check_in_id) WHERE check_in_id IS NOT NULL`.execute(db);
}
