import { sql, type Kysely } from 'kysely';

// A tenant's editions of the workshop ("Managers", "New starters"): without a row, every cohort runs
// the default edition (content/). At most one edition is the one a course's first launch uses.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE editions (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      for_new_cohorts boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT editions_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT editions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX editions_name_key ON editions (tenant_id, lower(name))`.execute(db);
  await sql`CREATE UNIQUE INDEX editions_for_new_cohorts_key ON editions (tenant_id) WHERE for_new_cohorts`.execute(db);
}
