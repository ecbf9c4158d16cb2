import { sql, type Kysely } from 'kysely';

// A member muted by a facilitator: can read, cannot post, until `until` (NULL: until unmuted) or
// until lifted. At most one unlifted mute per membership.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE member_mutes (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      cohort_id uuid NOT NULL,
      membership_id uuid NOT NULL,
      until timestamptz,
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      muted_by_membership_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      lifted_at timestamptz,
      CONSTRAINT member_mutes_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT member_mutes_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT member_mutes_membership_fkey FOREIGN KEY (tenant_id, membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX member_mutes_one_unlifted_idx ON member_mutes (tenant_id, membership_id) WHERE lifted_at IS NULL`.execute(db);
}
