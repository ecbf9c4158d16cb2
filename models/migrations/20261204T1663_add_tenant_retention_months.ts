import { sql, type Kysely } from 'kysely';

// A tenant's retention: how many months a cohort's data is kept after the cohort's end or its last
// check-in, whichever is later. NULL (the default): kept until the tool admin erases it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE tenant_privacy_settings ADD COLUMN retention_months integer CHECK (retention_months BETWEEN 1 AND 120)`.execute(db);
}
