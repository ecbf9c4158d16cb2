import { sql, type Kysely } from 'kysely';

// A manager the learner invited by email address to see their shared plan (no LMS account needed);
// revoking it ends every link made for it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE manager_invites (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      plan_id uuid NOT NULL,
      email text NOT NULL CHECK (length(email) <= 254),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
      acknowledged_at timestamptz,
      emails_stopped_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      CONSTRAINT manager_invites_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT manager_invites_plan_fkey FOREIGN KEY (tenant_id, plan_id) REFERENCES action_plans (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX manager_invites_plan_idx ON manager_invites (tenant_id, plan_id)`.execute(db);
}
