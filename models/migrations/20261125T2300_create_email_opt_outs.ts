import { sql, type Kysely } from 'kysely';

// What a person does not want emailed, per kind of email ("topic"), in a tenant. Everything is on
// until they opt out; a row is an opt-out. Topics are named in server/email/email-topics.ts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('email_opt_outs')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull().check(sql`topic ~ '^[a-z][a-z-]{1,40}$'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('email_opt_outs_pkey', ['tenant_id', 'person_id', 'topic'])
    .addForeignKeyConstraint('email_opt_outs_person_fkey', ['tenant_id', 'person_id'], 'persons', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}
