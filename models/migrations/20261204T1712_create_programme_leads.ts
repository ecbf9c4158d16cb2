import { sql, type Kysely } from 'kysely';

// People the tool admin names as a tenant's programme leads (besides the LMS's Administrator role at
// launch): by the LMS's user id or by email, whether or not they have launched yet.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE programme_leads (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      lms_user_id text CHECK (length(lms_user_id) BETWEEN 1 AND 255),
      email text CHECK (length(email) BETWEEN 3 AND 320 AND email = lower(email)),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT programme_leads_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT programme_leads_one_key CHECK (num_nonnulls(lms_user_id, email) = 1),
      CONSTRAINT programme_leads_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX programme_leads_lms_user_id_key ON programme_leads (tenant_id, lms_user_id) WHERE lms_user_id IS NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX programme_leads_email_key ON programme_leads (tenant_id, email) WHERE email IS NOT NULL`.execute(db);
}
