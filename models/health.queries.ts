import { sql } from 'kysely';
import type { Executor } from './db.ts';

/** One round trip to the database: throws when it does not answer. */
export async function pingDatabase(ex: Executor): Promise<void> {
  await sql`select 1`.execute(ex);
}
