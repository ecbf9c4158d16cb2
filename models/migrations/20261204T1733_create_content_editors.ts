import { sql, type Kysely } from 'kysely';

// People the tool admin names as a tenant's content editors (besides the LMS's Content Developer or
// Administrator role at launch): by the LMS's user id or by email, whether or not they launched yet.
// The same shape as programme_leads.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE content_editors (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      lms_user_id text CHECK (length(lms_user_id) BETWEEN 1 AND 255),
      email text CHECK (length(email) BETWEEN 3 AND 320 AND email = lower(email)),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT content_editors_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT content_editors_one_key CHECK (num_nonnulls(lms_user_id, email) = 1),
      CONSTRAINT content_editors_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX content_editors_lms_user_id_key ON content_editors (tenant_id, lms_user_id) WHERE lms_user_id IS NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX content_editors_email_key ON content_editors (tenant_id, email) WHERE email IS NOT NULL`.execute(db);
}
