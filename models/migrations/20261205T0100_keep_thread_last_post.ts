import { sql, type Kysely } from 'kysely';

// A reply updated its thread twice: the trigger of T1700/T1701 kept the activity figures, then the
// reply's own statement set last_post_at (an index column, so neither update was HOT). The trigger
// now keeps last_post_at too, in the same update: the time of the thread's latest post, whatever its
// status, never moved back (a hide, a delete or an erasure leaves it). Both functions are redefined
// whole (a migration never changes); what is new is the two last_post_at lines in each, and the lock.
// The thread is locked FOR NO KEY UPDATE, not FOR UPDATE: every reply's foreign-key check holds FOR
// KEY SHARE on its thread, which FOR UPDATE waits for. Two replies to one thread whose checks both ran
// before either trigger then waited for each other (deadlocks in the 500-learner soak, once the
// reply's own early UPDATE of the thread, which had queued them, was gone). FOR NO KEY UPDATE still
// queues writers of one thread, as the figures need, and the UPDATE that follows takes no more.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION refresh_thread_activity(tenant_ids uuid[], thread_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM 1 FROM threads t JOIN unnest(tenant_ids, thread_ids) AS k(tenant_id, id) ON t.tenant_id = k.tenant_id AND t.id = k.id
        ORDER BY t.tenant_id, t.id FOR NO KEY UPDATE OF t;
      -- A new statement, so a new snapshot (READ COMMITTED): it sees what the writers waited for above committed.
      UPDATE threads t SET
        reply_count = s.replies,
        last_reply_at = CASE WHEN s.replies > 0 THEN s.last_visible_at END,
        last_reply_membership_id = CASE WHEN s.replies > 0 THEN s.authors[1] END,
        participant_count = coalesce((SELECT count(DISTINCT a) FROM unnest(s.authors) a), 0),
        participant_ids = ARRAY(SELECT a.id FROM unnest(s.authors) WITH ORDINALITY a(id, ord) GROUP BY a.id ORDER BY min(a.ord) LIMIT 3),
        last_post_at = greatest(t.last_post_at, s.last_post_at)
      FROM unnest(tenant_ids, thread_ids) AS k(tenant_id, id)
      CROSS JOIN LATERAL (
        SELECT
          count(*) FILTER (WHERE po.status = 'visible')::int
            - coalesce((min(po.created_at) FILTER (WHERE po.status = 'visible') = min(po.created_at))::int, 0) AS replies,
          max(po.created_at) FILTER (WHERE po.status = 'visible') AS last_visible_at,
          array_agg(po.author_membership_id ORDER BY po.created_at DESC) FILTER (WHERE po.status = 'visible') AS authors,
          max(po.created_at) AS last_post_at
        FROM posts po WHERE po.tenant_id = k.tenant_id AND po.thread_id = k.id
      ) s
      WHERE t.tenant_id = k.tenant_id AND t.id = k.id;
    END $$;

    CREATE OR REPLACE FUNCTION posts_refresh_thread_activity() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE tenant_ids uuid[]; thread_ids uuid[]; r posts%ROWTYPE; kept threads%ROWTYPE; is_reply boolean; took_part boolean;
    BEGIN
      -- Nested, not AND: a DELETE's or UPDATE's trigger has no "n" to count.
      IF TG_OP = 'INSERT' THEN
        IF (SELECT count(*) FROM n) = 1 THEN
          SELECT * INTO r FROM n;
        END IF;
        IF r.status = 'visible' THEN
          -- Locked first, as the recount does: a concurrent writer of this thread has committed by the next statement.
          SELECT * INTO kept FROM threads WHERE tenant_id = r.tenant_id AND id = r.thread_id FOR NO KEY UPDATE;
          IF FOUND AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.tenant_id = r.tenant_id AND p.thread_id = r.thread_id AND p.created_at >= r.created_at AND p.id <> r.id) THEN
            is_reply := EXISTS (SELECT 1 FROM posts p WHERE p.tenant_id = r.tenant_id AND p.thread_id = r.thread_id AND p.created_at < r.created_at);
            took_part := r.author_membership_id = ANY (kept.participant_ids) OR EXISTS (
              SELECT 1 FROM posts p WHERE p.tenant_id = r.tenant_id AND p.author_membership_id = r.author_membership_id
                AND p.thread_id = r.thread_id AND p.status = 'visible' AND p.id <> r.id);
            UPDATE threads SET
              reply_count = kept.reply_count + is_reply::int,
              last_reply_at = CASE WHEN is_reply THEN r.created_at ELSE kept.last_reply_at END,
              last_reply_membership_id = CASE WHEN is_reply THEN r.author_membership_id ELSE kept.last_reply_membership_id END,
              participant_count = kept.participant_count + (NOT took_part)::int,
              participant_ids = (array_prepend(r.author_membership_id, array_remove(kept.participant_ids, r.author_membership_id)))[1:3],
              last_post_at = greatest(kept.last_post_at, r.created_at)
            WHERE tenant_id = r.tenant_id AND id = r.thread_id;
            RETURN NULL;
          END IF;
        END IF;
      END IF;
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
  `.execute(db);
}
