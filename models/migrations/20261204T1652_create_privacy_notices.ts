import { sql, type Kysely } from 'kysely';

// A tenant's own privacy notice (the tool admin's Markdown, rendered and sanitised like a post at
// write time); without a row the default notice is shown.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE privacy_notices (
      tenant_id uuid NOT NULL,
      body_source text NOT NULL CHECK (length(body_source) BETWEEN 1 AND 20000),
      body_html text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT privacy_notices_pkey PRIMARY KEY (tenant_id),
      CONSTRAINT privacy_notices_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
    )`.execute(db);
}
