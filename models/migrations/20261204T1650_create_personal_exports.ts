import { sql, type Kysely } from 'kysely';

// A person's own export ("take your learning with you"): one row per request, built by a job into a
// zip kept as ordered chunks (so neither the build nor the download holds it whole in memory, and
// any app process can serve it), deleted when it expires. `cohort_id` is where it was asked for;
// `scope` says whether it holds that cohort only or all the person's cohorts in the tenant.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE personal_exports (
      tenant_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      person_id uuid NOT NULL,
      cohort_id uuid NOT NULL,
      scope text NOT NULL CHECK (scope IN ('cohort', 'all')),
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'ready', 'failed')),
      size_bytes bigint,
      requested_at timestamptz NOT NULL DEFAULT now(),
      ready_at timestamptz,
      expires_at timestamptz NOT NULL,
      CONSTRAINT personal_exports_pkey PRIMARY KEY (tenant_id, id),
      CONSTRAINT personal_exports_person_fkey FOREIGN KEY (tenant_id, person_id) REFERENCES persons (tenant_id, id) ON DELETE CASCADE,
      CONSTRAINT personal_exports_cohort_fkey FOREIGN KEY (tenant_id, cohort_id) REFERENCES cohorts (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX personal_exports_person_idx ON personal_exports (tenant_id, person_id, requested_at DESC)`.execute(db);
  await sql`CREATE INDEX personal_exports_cohort_idx ON personal_exports (tenant_id, cohort_id)`.execute(db);
  await sql`CREATE INDEX personal_exports_expires_idx ON personal_exports (expires_at)`.execute(db);
  await sql`
    CREATE TABLE personal_export_chunks (
      tenant_id uuid NOT NULL,
      export_id uuid NOT NULL,
      seq integer NOT NULL,
      data bytea NOT NULL,
      CONSTRAINT personal_export_chunks_pkey PRIMARY KEY (tenant_id, export_id, seq),
      CONSTRAINT personal_export_chunks_export_fkey FOREIGN KEY (tenant_id, export_id) REFERENCES personal_exports (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}
