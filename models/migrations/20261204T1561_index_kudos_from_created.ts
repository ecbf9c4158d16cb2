import { sql, type Kysely } from 'kysely';

// A learner's latest kudos given is one index probe, as for posts (20261204T1560): the giver index
// gains created_at and replaces the (tenant_id, from_membership_id) one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX kudos_from_membership_created_idx ON kudos (tenant_id, from_membership_id, created_at)`.execute(db);
  await sql`DROP INDEX kudos_from_membership_idx`.execute(db);
}
