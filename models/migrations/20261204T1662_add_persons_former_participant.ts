import { sql, type Kysely } from 'kysely';

// A former participant: the anonymous person an erasure leaves in place of the erased one, holding
// (in new memberships, with new ids) whatever the tenant's policy keeps of what they wrote. Its name
// is the label every page shows; its sub is made up and matches no LMS user.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE persons ADD COLUMN former_participant boolean NOT NULL DEFAULT false`.execute(db);
}
