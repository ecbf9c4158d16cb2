import { sql, type Kysely } from 'kysely';

// Who an announcement was emailed to: claimed in the email's transaction, so a retried job never
// emails a person twice.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE announcement_emails (
      tenant_id uuid NOT NULL,
      announcement_id uuid NOT NULL,
      person_id uuid NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT announcement_emails_pkey PRIMARY KEY (tenant_id, announcement_id, person_id),
      CONSTRAINT announcement_emails_announcement_fkey FOREIGN KEY (tenant_id, announcement_id) REFERENCES announcements (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}
