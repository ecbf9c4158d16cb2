import { sql, type Kysely } from 'kysely';

// Accountability partners the plan's owner asked: each accepts or declines.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE action_plan_partners (
      tenant_id uuid NOT NULL,
      plan_id uuid NOT NULL,
      partner_membership_id uuid NOT NULL,
      status text NOT NULL DEFAULT 'asked' CHECK (status IN ('asked', 'accepted', 'declined')),
      created_at timestamptz NOT NULL DEFAULT now(),
      responded_at timestamptz,
      CONSTRAINT action_plan_partners_pkey PRIMARY KEY (tenant_id, plan_id, partner_membership_id),
      CONSTRAINT action_plan_partners_plan_fkey FOREIGN KEY (tenant_id, plan_id) REFERENCES action_plans (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT action_plan_partners_membership_fkey FOREIGN KEY (tenant_id, partner_membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX action_plan_partners_partner_idx ON action_plan_partners (tenant_id, partner_membership_id)`.execute(db);
}
