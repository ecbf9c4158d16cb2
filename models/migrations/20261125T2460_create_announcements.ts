import { sql, type Kysely } from 'kysely';

// A facilitator's announcement to the whole cohort (group_id NULL) or one group.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE announcements (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      cohort_id uuid NOT NULL,
      group_id uuid,
      author_membership_id uuid NOT NULL,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      CONSTRAINT announcements_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT announcements_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT announcements_group_fkey FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT announcements_author_fkey FOREIGN KEY (tenant_id, author_membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX announcements_cohort_idx ON announcements (tenant_id, cohort_id, created_at DESC)`.execute(db);
}
