import { sql, type Kysely } from 'kysely';

// The audit log of erasures: who asked (the person, or a tool admin), when, in which tenant, and a
// keyed hash of the erased LMS user id (never the name or the id itself), so a later question "was
// this person erased?" can be answered without keeping who they were.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE erasures (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      subject_hash text NOT NULL,
      requested_by text NOT NULL CHECK (requested_by IN ('person', 'tool-admin')),
      admin_user_id uuid,
      posts_policy text NOT NULL CHECK (posts_policy IN ('keep', 'delete')),
      memberships integer NOT NULL,
      posts_kept integer NOT NULL,
      posts_deleted integer NOT NULL,
      erased_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT erasures_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT erasures_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX erasures_tenant_idx ON erasures (tenant_id, erased_at DESC)`.execute(db);
}
