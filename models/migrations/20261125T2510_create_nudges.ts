import { sql, type Kysely } from 'kysely';

// A facilitator's nudge to a quiet learner: shown on their hub until dismissed, and emailed. At most
// one per learner per (UTC) day, enforced here so two facilitators clicking at once cannot both send.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE nudges (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      cohort_id uuid NOT NULL,
      membership_id uuid NOT NULL,
      sent_by_membership_id uuid NOT NULL,
      message text NOT NULL CHECK (length(message) BETWEEN 1 AND 2000),
      nudged_on date NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      dismissed_at timestamptz,
      emailed_at timestamptz,
      CONSTRAINT nudges_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT nudges_once_a_day UNIQUE (tenant_id, membership_id, nudged_on),
      CONSTRAINT nudges_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT nudges_membership_fkey FOREIGN KEY (tenant_id, membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT nudges_sender_fkey FOREIGN KEY (tenant_id, sent_by_membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX nudges_cohort_idx ON nudges (tenant_id, cohort_id, created_at DESC)`.execute(db);
}
