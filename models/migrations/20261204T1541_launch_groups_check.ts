import { sql, type Kysely } from 'kysely';

// Whether a cohort has groups, read under the cohort's groups lock (the advisory lock
// lockCohortGroups takes, same key) and after it is granted. PL/pgSQL runs each statement of a
// VOLATILE function with a fresh snapshot, so a formation that committed while the caller waited is
// seen, even when the caller is a single statement that began before. The lock is held until the
// caller commits: a formation that starts meanwhile waits, and then sees the caller's membership.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION circlework_cohort_has_groups(p_tenant_id uuid, p_cohort_id uuid) RETURNS boolean
    LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('groups:' || p_tenant_id || ':' || p_cohort_id));
      RETURN EXISTS (SELECT 1 FROM groups WHERE tenant_id = p_tenant_id AND cohort_id = p_cohort_id);
    END $$;
  `.execute(db);
}
