import { sql, type Kysely } from 'kysely';

// The table connect-pg-simple expects, under the name we give it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('http_sessions')
    .addColumn('sid', 'varchar', (c) => c.primaryKey())
    .addColumn('sess', 'json', (c) => c.notNull())
    .addColumn('expire', sql`timestamp(6)`, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('http_sessions_expire_idx').on('http_sessions').column('expire').execute();
}
