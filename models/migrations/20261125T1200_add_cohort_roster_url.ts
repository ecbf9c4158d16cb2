import type { Kysely } from 'kysely';

// NRPS: where the context's membership list is, as the latest launch named it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('cohorts').addColumn('nrps_url', 'text').execute();
}
