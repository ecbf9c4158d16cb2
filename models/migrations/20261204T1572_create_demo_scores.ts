import { sql, type Kysely } from 'kysely';

// The demo platform's gradebook: the last score our tool posted (AGS) per line item and user, as an
// LMS keeps it. Belongs to the demo platform, not to a tenant of ours.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE demo_scores (
      issuer text NOT NULL,
      line_item text NOT NULL,
      user_sub text NOT NULL,
      score_given double precision,
      score_maximum double precision,
      activity_progress text NOT NULL,
      grading_progress text NOT NULL,
      comment text,
      scored_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT demo_scores_pkey PRIMARY KEY (issuer, line_item, user_sub)
    )`.execute(db);
}
