import { sql, type Kysely } from 'kysely';

// A group's norms (module 4), edited together: every save is a new version; the latest is the
// group's norms. The key (group, version) makes two saves from the same version collide, so an
// edit made while someone else saved is refused instead of silently overwriting theirs.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('group_norm_versions')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('group_id', 'uuid', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('norms', sql`text[]`, (c) => c.notNull().check(sql`cardinality(norms) <= 10`))
    .addColumn('membership_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('group_norm_versions_pkey', ['tenant_id', 'group_id', 'version'])
    .addForeignKeyConstraint('group_norm_versions_group_fkey', ['tenant_id', 'group_id'], 'groups', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('group_norm_versions_membership_fkey', ['tenant_id', 'membership_id'], 'memberships', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}
