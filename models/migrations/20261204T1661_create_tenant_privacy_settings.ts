import { sql, type Kysely } from 'kysely';

// A tenant's privacy settings, set by the tool admin: what happens to an erased person's posts
// ('keep': kept under "A former participant", so others' replies still make sense; 'delete': shown as
// deleted by their author). Without a row, the defaults hold.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE tenant_privacy_settings (
      tenant_id uuid NOT NULL,
      posts_on_erasure text NOT NULL DEFAULT 'keep' CHECK (posts_on_erasure IN ('keep', 'delete')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT tenant_privacy_settings_pkey PRIMARY KEY (tenant_id),
      CONSTRAINT tenant_privacy_settings_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
    )`.execute(db);
}
