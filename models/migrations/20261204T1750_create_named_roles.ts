import { sql, type Kysely } from 'kysely';

// One table for the people the tool admin names to a tenant role (besides the LMS roles at launch):
// programme leads and content editors were two tables of the same shape. By the LMS's user id or by
// email, whether or not they have launched yet. The rows of both move here, ids kept, and the two go.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE named_roles (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      role text NOT NULL CHECK (role IN ('programme-lead', 'content-editor')),
      lms_user_id text CHECK (length(lms_user_id) BETWEEN 1 AND 255),
      email text CHECK (length(email) BETWEEN 3 AND 320 AND email = lower(email)),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT named_roles_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT named_roles_one_key CHECK (num_nonnulls(lms_user_id, email) = 1),
      CONSTRAINT named_roles_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
    )`.execute(db);
  // Also what the lookup at launch and per request reads: tenant, then the person's id or email.
  await sql`CREATE UNIQUE INDEX named_roles_lms_user_id_key ON named_roles (tenant_id, lms_user_id, role) WHERE lms_user_id IS NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX named_roles_email_key ON named_roles (tenant_id, email, role) WHERE email IS NOT NULL`.execute(db);
  await sql`
    INSERT INTO named_roles (tenant_id, id, role, lms_user_id, email, created_at)
    SELECT tenant_id, id, 'programme-lead', lms_user_id, email, created_at FROM programme_leads
    UNION ALL
    SELECT tenant_id, id, 'content-editor', lms_user_id, email, created_at FROM content_editors`.execute(db);
  await sql`DROP TABLE programme_leads`.execute(db);
  await sql`DROP TABLE content_editors`.execute(db);
}
