import { sql, type Kysely } from 'kysely';

// An index for the foreign key spaces(tenant_id, group_id): a cascading delete of a group finds its spaces; the partial unique index by group and module serves it only with a matching predicate.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX spaces_group_idx ON spaces (tenant_id, group_id)`.execute(db);
}
