import { sql, type Kysely } from 'kysely';

// A member's flag on a post, with their reason: open until a facilitator dismisses it or acts on
// the post. One open flag per person and post.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE post_flags (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      cohort_id uuid NOT NULL,
      post_id uuid NOT NULL,
      membership_id uuid NOT NULL,
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'resolved')),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      closed_at timestamptz,
      CONSTRAINT post_flags_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT post_flags_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT post_flags_post_fkey FOREIGN KEY (tenant_id, post_id) REFERENCES posts (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT post_flags_membership_fkey FOREIGN KEY (tenant_id, membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX post_flags_one_open_idx ON post_flags (tenant_id, post_id, membership_id) WHERE status = 'open'`.execute(db);
  await sql`CREATE INDEX post_flags_queue_idx ON post_flags (tenant_id, cohort_id, created_at DESC) WHERE status = 'open'`.execute(db);
}
