import { sql, type Kysely } from 'kysely';

// A programme lead's relationship goals for their tenant: one of a fixed set of kinds
// (server/programme/comparisons.ts GOAL_KINDS), a share as threshold (whole percent), and the module
// or week it is measured at.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE relationship_goals (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('cross-group-ties', 'check-in-share', 'isolated-share')),
      threshold_percent smallint NOT NULL CHECK (threshold_percent BETWEEN 0 AND 100),
      at smallint NOT NULL CHECK (at BETWEEN 1 AND 52),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT relationship_goals_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT relationship_goals_kind_at_key UNIQUE (tenant_id, kind, at),
      CONSTRAINT relationship_goals_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
    )`.execute(db);
}
