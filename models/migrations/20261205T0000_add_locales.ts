import { sql, type Kysely } from 'kysely';

// Languages (issue 14). A person's locale is their own choice (null: follow the LMS), else the
// locale of their last launch (matched to a language we ship), else their deployment's default. A
// cohort's language is the language of its workshop content, and an edition is written in one.
// Which values are allowed is the app's to say (zod): adding a language needs no migration.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE tenants ADD COLUMN default_locale text NOT NULL DEFAULT 'en' CHECK (length(default_locale) BETWEEN 2 AND 20)`.execute(db);
  await sql`ALTER TABLE persons ADD COLUMN locale text CHECK (length(locale) BETWEEN 2 AND 20)`.execute(db);
  await sql`ALTER TABLE persons ADD COLUMN launch_locale text CHECK (length(launch_locale) BETWEEN 2 AND 20)`.execute(db);
  await sql`ALTER TABLE cohorts ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (length(language) BETWEEN 2 AND 20)`.execute(db);
  await sql`ALTER TABLE editions ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (length(language) BETWEEN 2 AND 20)`.execute(db);
}
