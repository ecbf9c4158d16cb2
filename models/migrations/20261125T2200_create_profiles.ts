import { sql, type Kysely } from 'kysely';

// A person's profile (skills, interests, what they can help with), one per person in a tenant, shared
// by all their cohorts there; `search` is the expert finder's full-text vector, kept by PostgreSQL.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('profiles')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.notNull())
    .addColumn('skills', 'text', (c) => c.notNull().defaultTo('').check(sql`length(skills) <= 1000`))
    .addColumn('interests', 'text', (c) => c.notNull().defaultTo('').check(sql`length(interests) <= 1000`))
    .addColumn('can_help_with', 'text', (c) => c.notNull().defaultTo('').check(sql`length(can_help_with) <= 1000`))
    .addColumn('search_all_cohorts', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('search', sql`tsvector`, (c) =>
      c.generatedAlwaysAs(sql`to_tsvector('simple', coalesce(skills, '') || ' ' || coalesce(interests, '') || ' ' || coalesce(can_help_with, ''))`).stored(),
    )
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('profiles_pkey', ['tenant_id', 'person_id'])
    .addForeignKeyConstraint('profiles_person_fkey', ['tenant_id', 'person_id'], 'persons', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`CREATE INDEX profiles_search_idx ON profiles USING gin (search)`.execute(db);
}
