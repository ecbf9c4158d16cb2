import { sql, type Kysely } from 'kysely';

// A space's thread list showed per thread its replies, its last reply (when, by whom) and who took
// part, counted from every post of every thread of the space on each view. They are kept on the
// thread instead, by statement triggers on posts (so every writer keeps them: a reply, a hide or a
// delete, an erasure moving posts to a former participant, seeds in SQL), in the statement that
// writes the posts: a reply stays one statement.
// - reply_count: visible posts but the opening one (the thread's earliest post);
// - last_reply_at, last_reply_membership_id: the latest visible post, when there is a reply;
// - participant_count, participant_ids: everyone with a visible post; the three who posted last, the latest first.
// A change recounts its threads from their posts (on posts_thread_idx), after locking them in one
// order: a concurrent writer of the same thread has committed by then, and its posts are counted.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE threads
      ADD COLUMN reply_count integer NOT NULL DEFAULT 0,
      ADD COLUMN last_reply_at timestamptz,
      ADD COLUMN last_reply_membership_id uuid,
      ADD COLUMN participant_count integer NOT NULL DEFAULT 0,
      ADD COLUMN participant_ids uuid[] NOT NULL DEFAULT '{}';

    CREATE FUNCTION refresh_thread_activity(tenant_ids uuid[], thread_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM 1 FROM threads t JOIN unnest(tenant_ids, thread_ids) AS k(tenant_id, id) ON t.tenant_id = k.tenant_id AND t.id = k.id
        ORDER BY t.tenant_id, t.id FOR UPDATE OF t;
      -- A new statement, so a new snapshot (READ COMMITTED): it sees what the writers waited for above committed.
      UPDATE threads t SET
        reply_count = s.replies,
        last_reply_at = CASE WHEN s.replies > 0 THEN s.last_visible_at END,
        last_reply_membership_id = CASE WHEN s.replies > 0 THEN s.authors[1] END,
        participant_count = coalesce((SELECT count(DISTINCT a) FROM unnest(s.authors) a), 0),
        participant_ids = ARRAY(SELECT a.id FROM unnest(s.authors) WITH ORDINALITY a(id, ord) GROUP BY a.id ORDER BY min(a.ord) LIMIT 3)
      FROM unnest(tenant_ids, thread_ids) AS k(tenant_id, id)
      CROSS JOIN LATERAL (
        SELECT
          count(*) FILTER (WHERE po.status = 'visible')::int
            - coalesce((min(po.created_at) FILTER (WHERE po.status = 'visible') = min(po.created_at))::int, 0) AS replies,
          max(po.created_at) FILTER (WHERE po.status = 'visible') AS last_visible_at,
          array_agg(po.author_membership_id ORDER BY po.created_at DESC) FILTER (WHERE po.status = 'visible') AS authors
        FROM posts po WHERE po.tenant_id = k.tenant_id AND po.thread_id = k.id
      ) s
      WHERE t.tenant_id = k.tenant_id AND t.id = k.id;
    END $$;

    CREATE FUNCTION posts_refresh_thread_activity() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE tenant_ids uuid[]; thread_ids uuid[];
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT array_agg(tenant_id), array_agg(thread_id) INTO tenant_ids, thread_ids FROM (SELECT DISTINCT tenant_id, thread_id FROM n) x;
      ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(tenant_id), array_agg(thread_id) INTO tenant_ids, thread_ids FROM (SELECT DISTINCT tenant_id, thread_id FROM o) x;
      ELSE
        -- Only what the kept figures read: an edit of a post's text counts nothing again.
        SELECT array_agg(tenant_id), array_agg(thread_id) INTO tenant_ids, thread_ids FROM (
          SELECT DISTINCT x.tenant_id, x.thread_id FROM n JOIN o ON o.tenant_id = n.tenant_id AND o.id = n.id
          CROSS JOIN LATERAL (VALUES (n.tenant_id, n.thread_id), (o.tenant_id, o.thread_id)) x(tenant_id, thread_id)
          WHERE (n.status, n.author_membership_id, n.thread_id, n.created_at) IS DISTINCT FROM (o.status, o.author_membership_id, o.thread_id, o.created_at)) x;
      END IF;
      IF thread_ids IS NOT NULL THEN PERFORM refresh_thread_activity(tenant_ids, thread_ids); END IF;
      RETURN NULL;
    END $$;

    CREATE TRIGGER posts_refresh_thread_activity_insert AFTER INSERT ON posts REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION posts_refresh_thread_activity();
    CREATE TRIGGER posts_refresh_thread_activity_update AFTER UPDATE ON posts REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION posts_refresh_thread_activity();
    CREATE TRIGGER posts_refresh_thread_activity_delete AFTER DELETE ON posts REFERENCING OLD TABLE AS o FOR EACH STATEMENT EXECUTE FUNCTION posts_refresh_thread_activity();

    SELECT refresh_thread_activity(array_agg(tenant_id), array_agg(id)) FROM threads;
  `.execute(db);
}
