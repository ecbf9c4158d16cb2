import { sql, type Kysely } from 'kysely';

// The nonce this tool issued for each OIDC login, bound to its state and consumed once by the launch
// (ltijs 5.9.9 only checks that a nonce was not seen recently).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lti_logins')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
