import { sql, type Kysely } from 'kysely';

// T1700 recounts a thread's kept activity from all its posts on every change: a reply to a thread of
// 20,000 posts read 20,000 rows. The usual insert, one visible post after every other post of its
// thread (a reply, a new thread's opening post), is now counted on from the thread's kept figures
// with index probes only (posts_thread_idx for "is it the last, is there one before",
// posts_author_membership_idx for "did its author take part already"): its cost no longer grows
// with the thread. Anything else (several posts at once, a hidden post, a post not at the end, a
// tie in time, a hide, a delete, an erasure) recounts as before.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
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
          SELECT * INTO kept FROM threads WHERE tenant_id = r.tenant_id AND id = r.thread_id FOR UPDATE;
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
              participant_ids = (array_prepend(r.author_membership_id, array_remove(kept.participant_ids, r.author_membership_id)))[1:3]
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
