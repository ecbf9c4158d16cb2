import { sql, type Kysely } from 'kysely';

// A cohort's learners (name, email, group, when they joined and last launched) and its groups are
// read by every facilitator page of figures (who has gone quiet, the report's table, the network, the
// CSVs): 600 rows, at each request, for a page whose figures are kept. The app keeps them in process
// memory (server/cache/), with the console's member table (names, emails, roles, access, launches),
// and what the pages make of them with the kept figures is kept by them. A change names the cohort's tag
// 'cohort-people:<tenant>:<cohort>' on the cache channel (migration 20261204T1200), at commit, from
// every writer: a launch (its last_launch_at), a roster sync, a group formed or renamed, a member
// moved, a name or email changed. Statement triggers; a statement that touches more than 50 cohorts
// names their tenants instead ('tenant:<tenant>'), or '*' past 50 tenants (a payload holds 8000 bytes).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION circlework_cache_cohort_people(tenant_ids uuid[], cohort_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF cardinality(cohort_ids) > 50 THEN
        IF (SELECT count(DISTINCT t) FROM unnest(tenant_ids) t) > 50 THEN
          PERFORM circlework_cache_notify('*');
        ELSE
          PERFORM circlework_cache_notify((SELECT string_agg(DISTINCT 'tenant:' || t, ' ') FROM unnest(tenant_ids) t));
        END IF;
      ELSIF cardinality(cohort_ids) > 0 THEN
        PERFORM circlework_cache_notify((SELECT string_agg('cohort-people:' || t || ':' || c, ' ') FROM unnest(tenant_ids, cohort_ids) x(t, c)));
      END IF;
    END $$;

    -- Memberships and groups carry their cohort. An update notifies only for rows that changed in
    -- what the pages show (a launch writes last_launch_at; a roster sync writes rows as they were).
    CREATE FUNCTION circlework_cache_cohort_rows_people() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE tenant_ids uuid[]; cohort_ids uuid[];
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT array_agg(tenant_id), array_agg(cohort_id) INTO tenant_ids, cohort_ids FROM (SELECT DISTINCT tenant_id, cohort_id FROM n) x;
      ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(tenant_id), array_agg(cohort_id) INTO tenant_ids, cohort_ids FROM (SELECT DISTINCT tenant_id, cohort_id FROM o) x;
      ELSIF TG_TABLE_NAME = 'memberships' THEN
        SELECT array_agg(tenant_id), array_agg(cohort_id) INTO tenant_ids, cohort_ids FROM (
          SELECT tenant_id, cohort_id FROM (
            SELECT tenant_id, cohort_id, id, person_id, role, status, created_at, last_launch_at FROM n
            EXCEPT SELECT tenant_id, cohort_id, id, person_id, role, status, created_at, last_launch_at FROM o) changed
          UNION
          SELECT o.tenant_id, o.cohort_id FROM o JOIN n ON n.tenant_id = o.tenant_id AND n.id = o.id WHERE n.cohort_id IS DISTINCT FROM o.cohort_id) x;
      ELSE
        SELECT array_agg(tenant_id), array_agg(cohort_id) INTO tenant_ids, cohort_ids FROM (
          SELECT tenant_id, cohort_id FROM (SELECT tenant_id, cohort_id, id, name FROM n EXCEPT SELECT tenant_id, cohort_id, id, name FROM o) changed
          UNION
          SELECT o.tenant_id, o.cohort_id FROM o JOIN n ON n.tenant_id = o.tenant_id AND n.id = o.id WHERE n.cohort_id IS DISTINCT FROM o.cohort_id) x;
      END IF;
      PERFORM circlework_cache_cohort_people(tenant_ids, cohort_ids);
      RETURN NULL;
    END $$;

    -- A member joins, leaves or changes group: the group's cohort. A row removed with its group
    -- finds no group here; the group's own trigger named its cohort.
    CREATE FUNCTION circlework_cache_group_members_people() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE tenant_ids uuid[]; cohort_ids uuid[];
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT array_agg(tenant_id), array_agg(cohort_id) INTO tenant_ids, cohort_ids FROM (
          SELECT DISTINCT g.tenant_id, g.cohort_id FROM n JOIN groups g ON g.tenant_id = n.tenant_id AND g.id = n.group_id) x;
      ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(tenant_id), array_agg(cohort_id) INTO tenant_ids, cohort_ids FROM (
          SELECT DISTINCT g.tenant_id, g.cohort_id FROM o JOIN groups g ON g.tenant_id = o.tenant_id AND g.id = o.group_id) x;
      ELSE
        SELECT array_agg(tenant_id), array_agg(cohort_id) INTO tenant_ids, cohort_ids FROM (
          SELECT DISTINCT g.tenant_id, g.cohort_id FROM (SELECT tenant_id, group_id FROM n UNION SELECT tenant_id, group_id FROM o) r
          JOIN groups g ON g.tenant_id = r.tenant_id AND g.id = r.group_id) x;
      END IF;
      PERFORM circlework_cache_cohort_people(tenant_ids, cohort_ids);
      RETURN NULL;
    END $$;

    -- A person's name or email: every cohort they are a member of.
    CREATE FUNCTION circlework_cache_persons_people() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE tenant_ids uuid[]; cohort_ids uuid[];
    BEGIN
      SELECT array_agg(tenant_id), array_agg(cohort_id) INTO tenant_ids, cohort_ids FROM (
        SELECT DISTINCT m.tenant_id, m.cohort_id FROM n JOIN o ON o.tenant_id = n.tenant_id AND o.id = n.id
        JOIN memberships m ON m.tenant_id = n.tenant_id AND m.person_id = n.id
        WHERE (n.name, n.email) IS DISTINCT FROM (o.name, o.email)) x;
      PERFORM circlework_cache_cohort_people(tenant_ids, cohort_ids);
      RETURN NULL;
    END $$;
    CREATE TRIGGER persons_cache_cohort_people_update AFTER UPDATE ON persons REFERENCING OLD TABLE AS o NEW TABLE AS n
      FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_persons_people();

    CREATE TRIGGER groups_cache_truncate AFTER TRUNCATE ON groups FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
    CREATE TRIGGER group_members_cache_truncate AFTER TRUNCATE ON group_members FOR EACH STATEMENT EXECUTE FUNCTION circlework_cache_truncated();
  `.execute(db);
  // Inserts, updates and deletes: each with the transition tables it reads (n new rows, o old ones).
  for (const [table, fn] of [['memberships', 'circlework_cache_cohort_rows_people'], ['groups', 'circlework_cache_cohort_rows_people'], ['group_members', 'circlework_cache_group_members_people']]) {
    for (const [event, transition] of [['INSERT', 'NEW TABLE AS n'], ['UPDATE', 'OLD TABLE AS o NEW TABLE AS n'], ['DELETE', 'OLD TABLE AS o']]) {
      await sql.raw(`CREATE TRIGGER ${table}_cache_cohort_people_${event!.toLowerCase()} AFTER ${event} ON ${table} REFERENCING ${transition} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`).execute(db);
    }
  }
}
