import { sql, type Kysely } from 'kysely';

// A cohort erased by the tenant's retention: its progress while it runs (each chunk of deleted rows
// adds to it in the chunk's own transaction, so a run killed halfway resumes where it stopped), then
// the record that it went. No foreign key to the cohort: the record outlives it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE retention_erasures (
      tenant_id uuid NOT NULL,
      cohort_id uuid NOT NULL,
      expired_at timestamptz NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      chunks integer NOT NULL DEFAULT 0,
      rows_deleted bigint NOT NULL DEFAULT 0,
      finished_at timestamptz,
      CONSTRAINT retention_erasures_pkey PRIMARY KEY (tenant_id, cohort_id),
      CONSTRAINT retention_erasures_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
    )`.execute(db);
}
