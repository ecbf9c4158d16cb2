import { sql, type Kysely } from 'kysely';

// Single-purpose links sent by email (sign-in, a manager's view): only the SHA-256 of the token's
// secret is stored, with its purpose, subject, expiry, and whether it was used or revoked.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE signed_links (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      purpose text NOT NULL CHECK (purpose IN ('sign-in', 'manager-view')),
      subject_id uuid NOT NULL,
      cohort_id uuid NOT NULL,
      token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
      single_use boolean NOT NULL,
      return_to text CHECK (return_to ~ '^/[a-z0-9/-]*$'),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT signed_links_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT signed_links_token_key UNIQUE (tenant_id, token_hash),
      CONSTRAINT signed_links_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX signed_links_subject_idx ON signed_links (tenant_id, purpose, subject_id)`.execute(db);
}
