// What the facilitator dashboard reads: learners and groups, interaction edges, group health,
// last activity, posts for the Community of Inquiry rules, five-factor aggregates, participation.
// Aggregation happens here, in SQL; every statement is scoped by tenant and cohort. Hidden or
// deleted posts count for nothing (and neither do kudos and mentions on them).
import { sql } from 'kysely';
import type { Executor } from './db.ts';

export interface LearnerRow {
  membershipId: string;
  personId: string;
  name: string | null;
  email: string | null;
  groupId: string | null;
  joinedAt: Date;
  lastLaunchAt: Date | null;
}

/** The cohort's active learners with their group, ordered by membership id (a stable, meaningless order). */
export async function listLearners(ex: Executor, tenantId: string, cohortId: string): Promise<LearnerRow[]> {
  const { rows } = await sql<LearnerRow>`
    SELECT m.id AS "membershipId", p.id AS "personId", p.name, p.email, gm.group_id AS "groupId", m.created_at AS "joinedAt", m.last_launch_at AS "lastLaunchAt"
    FROM memberships m
    JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
    LEFT JOIN group_members gm ON gm.tenant_id = m.tenant_id AND gm.membership_id = m.id
    WHERE m.tenant_id = ${tenantId} AND m.cohort_id = ${cohortId} AND m.role = 'learner' AND m.status = 'active'
    ORDER BY m.id`.execute(ex);
  return rows;
}

/** Of these memberships, those a facilitator nudged on `day` (YYYY-MM-DD, UTC): one look-up each (nudges_once_a_day). */
export async function listNudgedOn(ex: Executor, tenantId: string, membershipIds: readonly string[], day: string): Promise<Set<string>> {
  const rows = await ex.selectFrom('nudges').select('membershipId').where('tenantId', '=', tenantId).where('membershipId', 'in', membershipIds).where('nudgedOn', '=', sql<Date>`${day}::date`).execute();
  return new Set(rows.map((r) => r.membershipId));
}

export async function listGroupsOf(ex: Executor, tenantId: string, cohortId: string): Promise<GroupRow[]> {
  return ex.selectFrom('groups').select(['id', 'name']).where('tenantId', '=', tenantId).where('cohortId', '=', cohortId).orderBy('name').orderBy('id').execute();
}

export interface GroupRow {
  id: string;
  name: string;
}

/** A cohort's active learners (listLearners) and its groups (listGroupsOf), as one frozen value. */
export interface CohortPeopleRows {
  readonly learners: readonly LearnerRow[];
  readonly groups: readonly GroupRow[];
}

/** listLearners and listGroupsOf, read side by side. */
export async function readCohortPeople(ex: Executor, tenantId: string, cohortId: string): Promise<CohortPeopleRows> {
  const [learners, groups] = await Promise.all([listLearners(ex, tenantId, cohortId), listGroupsOf(ex, tenantId, cohortId)]);
  return { learners, groups };
}

/**
 * The cohort's posts with whether each opens its thread, and whom a reply answers. It walks the
 * cohort's spaces, their threads and their posts by index, so its cost follows the cohort, not the
 * tenant; and it carries no bodies (a window over whole rows sorted them to disk): the first post of
 * each thread is one index lookup per thread.
 */
const cohortPosts = (tenantId: string, cohortId: string) => sql`
  SELECT p.tenant_id, p.id, p.author_membership_id, p.status, p.created_at, p.space_id, s.group_id,
         COALESCE(pp.author_membership_id, t.author_membership_id) AS answers_membership_id,
         p.endorsed_at IS NOT NULL AS endorsed,
         p.id = first.id AS opens_thread
  FROM spaces s
  -- OFFSET 0 keeps each lateral a per-row index lookup: flattened into joins, the planner hashes
  -- whole tables (1 M posts) once a cohort has a few thousand posts.
  CROSS JOIN LATERAL (SELECT t.tenant_id, t.id, t.author_membership_id FROM threads t WHERE t.tenant_id = s.tenant_id AND t.space_id = s.id OFFSET 0) t
  CROSS JOIN LATERAL (SELECT f.id FROM posts f WHERE f.tenant_id = t.tenant_id AND f.thread_id = t.id ORDER BY f.created_at, f.id LIMIT 1) first
  CROSS JOIN LATERAL (
    SELECT p.tenant_id, p.id, p.author_membership_id, p.status, p.created_at, p.space_id, p.parent_post_id, p.endorsed_at
    FROM posts p WHERE p.tenant_id = t.tenant_id AND p.thread_id = t.id OFFSET 0) p
  LEFT JOIN posts pp ON pp.tenant_id = p.tenant_id AND pp.id = p.parent_post_id
  WHERE s.tenant_id = ${tenantId} AND s.cohort_id = ${cohortId}`;

/** The kudos on each of the cohort's posts `cp`, looked up post by post (see cohortPosts). */
const kudosOn = sql`CROSS JOIN LATERAL (SELECT k.from_membership_id, k.to_membership_id, k.created_at FROM kudos k WHERE k.tenant_id = cp.tenant_id AND k.post_id = cp.id OFFSET 0) k`;

/**
 * Interactions (every role): a reply → the author of the post it answers (or of the thread), kudos
 * giver → receiver, mention author → the person mentioned; on visible posts of `cp` only.
 */
const interactions = sql`
  SELECT author_membership_id AS from_id, answers_membership_id AS to_id, created_at AS at, 'reply' AS kind
    FROM cp WHERE NOT opens_thread AND status = 'visible'
  UNION ALL
  SELECT k.from_membership_id, k.to_membership_id, k.created_at, 'kudos'
    FROM cp ${kudosOn} WHERE cp.status = 'visible'
  UNION ALL
  SELECT n.actor_membership_id, n.membership_id, n.created_at, 'mention'
    FROM cp CROSS JOIN LATERAL (SELECT * FROM notifications n WHERE n.tenant_id = cp.tenant_id AND n.post_id = cp.id AND n.kind = 'mention' OFFSET 0) n WHERE cp.status = 'visible'`;

/** Interaction edges, directed and counted per ISO week, from `interactions`. */
const edgesPerWeek = sql`
  SELECT from_id AS "from", to_id AS "to", to_char(at AT TIME ZONE 'UTC', 'IYYY-"W"IW') AS week,
         count(*)::int AS weight,
         (count(*) FILTER (WHERE kind = 'reply'))::int AS replies,
         (count(*) FILTER (WHERE kind = 'kudos'))::int AS kudos,
         (count(*) FILTER (WHERE kind = 'mention'))::int AS mentions
  FROM interactions WHERE from_id <> to_id
  GROUP BY 1, 2, 3 ORDER BY 3, 1, 2`;

export interface WeeklyEdgeRow { from: string; to: string; week: string; weight: number; replies: number; kudos: number; mentions: number }

/** The cohort's interaction edges per ISO week (a person's own network, when the kept figures are stale). */
export async function listInteractionEdges(ex: Executor, tenantId: string, cohortId: string) {
  const { rows } = await sql<WeeklyEdgeRow>`
    WITH cp AS (${cohortPosts(tenantId, cohortId)}), interactions AS (${interactions})
    ${edgesPerWeek}`.execute(ex);
  return rows;
}

export interface CohortDiscussionFigures {
  /** Interaction edges per ISO week, every role. */
  edges: WeeklyEdgeRow[];
  /** Per group and ISO week: threads opened, replies, kudos given on posts there. */
  health: Array<{ groupId: string; week: string; posts: number; replies: number; kudos: number }>;
  /** Visible posts in group spaces, for the Community of Inquiry rules. */
  posts: Array<{ groupId: string; body: string; authorRole: 'learner' | 'facilitator' | 'observer'; isReply: boolean; endorsed: boolean }>;
  /** Kudos given on visible posts in each group's spaces. */
  kudos: Array<{ groupId: string; kudos: number }>;
}

/**
 * What the figures need from the cohort's discussions, in one statement that walks the cohort's
 * posts once (a materialised `cp`) instead of once per figure. Each part comes back as JSON text.
 */
export async function listCohortDiscussionFigures(ex: Executor, tenantId: string, cohortId: string): Promise<CohortDiscussionFigures> {
  const part = (q: ReturnType<typeof sql>) => sql`(SELECT coalesce(json_agg(x), '[]')::text FROM (${q}) x)`;
  const { rows } = await sql<Record<keyof CohortDiscussionFigures, string>>`
    WITH cp AS MATERIALIZED (${cohortPosts(tenantId, cohortId)}),
    interactions AS (${interactions}),
    events AS (
      SELECT group_id, created_at AS at, CASE WHEN opens_thread THEN 'post' ELSE 'reply' END AS kind FROM cp WHERE status = 'visible' AND group_id IS NOT NULL
      UNION ALL
      SELECT cp.group_id, k.created_at, 'kudos' FROM cp ${kudosOn} WHERE cp.status = 'visible' AND cp.group_id IS NOT NULL
    )
    SELECT ${part(edgesPerWeek)} AS edges,
      ${part(sql`
        SELECT group_id AS "groupId", to_char(at AT TIME ZONE 'UTC', 'IYYY-"W"IW') AS week,
               (count(*) FILTER (WHERE kind = 'post'))::int AS posts,
               (count(*) FILTER (WHERE kind = 'reply'))::int AS replies,
               (count(*) FILTER (WHERE kind = 'kudos'))::int AS kudos
        FROM events GROUP BY 1, 2 ORDER BY 2, 1`)} AS health,
      ${part(sql`
        SELECT cp.group_id AS "groupId", b.body_source AS body, m.role AS "authorRole", NOT cp.opens_thread AS "isReply", cp.endorsed
        FROM cp JOIN memberships m ON m.tenant_id = cp.tenant_id AND m.id = cp.author_membership_id
        JOIN posts b ON b.tenant_id = cp.tenant_id AND b.id = cp.id
        WHERE cp.status = 'visible' AND cp.group_id IS NOT NULL`)} AS posts,
      ${part(sql`SELECT group_id AS "groupId", count(*)::int AS kudos FROM events WHERE kind = 'kudos' GROUP BY 1`)} AS kudos`.execute(ex);
  const r = rows[0]!;
  return { edges: JSON.parse(r.edges), health: JSON.parse(r.health), posts: JSON.parse(r.posts), kudos: JSON.parse(r.kudos) };
}

/**
 * Each active learner's latest activity in the cohort's rows: a post or reply, kudos given, an
 * activity response saved (null when none ever happened). Launches are not here: the service adds
 * memberships.last_launch_at, read live, so a launch does not make the kept figures stale.
 */
export async function listLastActivity(ex: Executor, tenantId: string, cohortId: string) {
  // Grouped once per table, each read by its index on the author (or giver), learner by learner.
  const { rows } = await sql<{ membershipId: string; lastActiveAt: Date | null }>`
    WITH learners AS (
      SELECT id FROM memberships
      WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId} AND role = 'learner' AND status = 'active'),
    p AS (SELECT l.id, x.at FROM learners l CROSS JOIN LATERAL (SELECT max(created_at) AS at FROM posts WHERE tenant_id = ${tenantId} AND author_membership_id = l.id) x),
    k AS (SELECT l.id, x.at FROM learners l CROSS JOIN LATERAL (SELECT max(created_at) AS at FROM kudos WHERE tenant_id = ${tenantId} AND from_membership_id = l.id) x),
    r AS (SELECT membership_id AS id, max(updated_at) AS at FROM activity_responses WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId} GROUP BY 1)
    SELECT l.id AS "membershipId", GREATEST(p.at, k.at, r.at) AS "lastActiveAt"
    FROM learners l LEFT JOIN p ON p.id = l.id LEFT JOIN k ON k.id = l.id LEFT JOIN r ON r.id = l.id`.execute(ex);
  return rows;
}

/** Announcements per group (group null: to the whole cohort). */
export async function countAnnouncements(ex: Executor, tenantId: string, cohortId: string): Promise<Array<{ groupId: string | null; announcements: number }>> {
  const { rows } = await sql<{ groupId: string | null; announcements: number }>`
    SELECT group_id AS "groupId", count(*)::int AS announcements FROM announcements
    WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId} GROUP BY 1`.execute(ex);
  return rows;
}

/** Learners' submitted five-factor ratings, aggregated per module and factor. */
export async function listFiveFactorAggregates(ex: Executor, tenantId: string, cohortId: string) {
  const { rows } = await sql<{ moduleId: number; factor: string; answers: number; mean: number; distribution: number[] }>`
    SELECT r.module_id AS "moduleId", f.key AS factor, count(*)::int AS answers, avg(f.value::numeric)::float8 AS mean,
           ARRAY[count(*) FILTER (WHERE f.value = '1'), count(*) FILTER (WHERE f.value = '2'), count(*) FILTER (WHERE f.value = '3'),
                 count(*) FILTER (WHERE f.value = '4'), count(*) FILTER (WHERE f.value = '5')]::int[] AS distribution
    FROM activity_responses r
    JOIN memberships m ON m.tenant_id = r.tenant_id AND m.id = r.membership_id
    CROSS JOIN LATERAL jsonb_each_text(r.content -> 'ratings') f
    WHERE r.tenant_id = ${tenantId} AND r.cohort_id = ${cohortId} AND r.kind = 'five-factor-check' AND r.status = 'submitted'
      AND m.role = 'learner' AND f.value ~ '^[1-5]$'
    GROUP BY 1, 2`.execute(ex);
  return rows;
}

/** Per active learner: threads opened, replies, kudos given and received, mentions made, responses submitted, modules done. */
export async function listParticipation(ex: Executor, tenantId: string, cohortId: string) {
  const { rows } = await sql<{ membershipId: string; posts: number; replies: number; kudosGiven: number; kudosReceived: number; mentionsMade: number; responsesSubmitted: number; modulesDone: number }>`
    WITH cp AS (${cohortPosts(tenantId, cohortId)}),
    learners AS (SELECT id FROM memberships WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId} AND role = 'learner' AND status = 'active'),
    p AS (SELECT author_membership_id AS id, count(*) FILTER (WHERE opens_thread) AS posts, count(*) FILTER (WHERE NOT opens_thread) AS replies FROM cp WHERE status = 'visible' GROUP BY 1),
    kg AS (SELECT l.id, x.n FROM learners l CROSS JOIN LATERAL (SELECT count(*) AS n FROM kudos WHERE tenant_id = ${tenantId} AND from_membership_id = l.id) x),
    kr AS (SELECT l.id, x.n FROM learners l CROSS JOIN LATERAL (SELECT count(*) AS n FROM kudos WHERE tenant_id = ${tenantId} AND to_membership_id = l.id) x),
    mm AS (SELECT actor_membership_id AS id, count(*) AS n FROM notifications WHERE tenant_id = ${tenantId} AND kind = 'mention' AND actor_membership_id IN (SELECT id FROM learners) GROUP BY 1),
    r AS (SELECT membership_id AS id, count(*) AS n FROM activity_responses WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId} AND status = 'submitted' GROUP BY 1),
    c AS (SELECT membership_id AS id, count(*) AS n FROM module_completions WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId} GROUP BY 1)
    SELECT l.id AS "membershipId", COALESCE(p.posts, 0)::int AS posts, COALESCE(p.replies, 0)::int AS replies,
           COALESCE(kg.n, 0)::int AS "kudosGiven", COALESCE(kr.n, 0)::int AS "kudosReceived", COALESCE(mm.n, 0)::int AS "mentionsMade",
           COALESCE(r.n, 0)::int AS "responsesSubmitted", COALESCE(c.n, 0)::int AS "modulesDone"
    FROM learners l LEFT JOIN p ON p.id = l.id LEFT JOIN kg ON kg.id = l.id LEFT JOIN kr ON kr.id = l.id
      LEFT JOIN mm ON mm.id = l.id LEFT JOIN r ON r.id = l.id LEFT JOIN c ON c.id = l.id
    ORDER BY l.id`.execute(ex);
  return rows;
}

export type AnalyticsSettingsRow = { quietDays: number; showNames: boolean; relationshipAnalytics: boolean };

export function findAnalyticsSettings(ex: Executor, tenantId: string, cohortId: string): Promise<AnalyticsSettingsRow | undefined> {
  return ex.selectFrom('cohortAnalyticsSettings').select(['quietDays', 'showNames', 'relationshipAnalytics']).where('tenantId', '=', tenantId).where('cohortId', '=', cohortId).executeTakeFirst();
}

export async function upsertAnalyticsSettings(ex: Executor, s: { tenantId: string; cohortId: string; quietDays: number; showNames: boolean; relationshipAnalytics: boolean }): Promise<void> {
  await ex
    .insertInto('cohortAnalyticsSettings')
    .values(s)
    .onConflict((oc) => oc.columns(['tenantId', 'cohortId']).doUpdateSet({ quietDays: s.quietDays, showNames: s.showNames, relationshipAnalytics: s.relationshipAnalytics, updatedAt: new Date() }))
    .execute();
}

export type FigurePart = 'progress' | 'health' | 'social' | 'ties' | 'inquiry' | 'participation' | 'activity';
const COLUMN: Record<FigurePart, string> = { progress: 'progress', health: 'health', social: 'social', ties: 'ties', inquiry: 'inquiry', participation: 'participation', activity: 'activity' };

/**
 * The cohort's kept figures (the parts asked for, as JSON text), and whether they are current: every
 * change logged for the cohort is visible in the snapshot taken before they were computed. Undefined
 * when none are kept. `version` names one computation (its snapshot and time); when it is `known`
 * (the caller holds those parts of it already) the parts come back null instead of their text.
 */
export async function findCohortFigures(ex: Executor, tenantId: string, cohortId: string, parts: readonly FigurePart[], known?: string) {
  const version = sql`(f.snapshot::text || ' ' || f.computed_at::text)`;
  const { rows } = await sql<{ current: boolean; week: string | null; computedAt: Date | null; version: string | null } & Partial<Record<FigurePart, string | null>>>`
    SELECT f.snapshot IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM cohort_figure_changes c
             WHERE c.tenant_id = f.tenant_id AND c.cohort_id = f.cohort_id AND NOT pg_visible_in_snapshot(c.xid, f.snapshot)) AS current,
           f.week, f.computed_at AS "computedAt", ${version} AS version
           ${sql.join(parts.map((p) => sql`, CASE WHEN ${version} = ${known ?? null}::text THEN NULL ELSE f.${sql.ref(COLUMN[p])} END AS ${sql.id(p)}`), sql``)}
    FROM cohort_figures f WHERE f.tenant_id = ${tenantId} AND f.cohort_id = ${cohortId}`.execute(ex);
  return rows[0];
}

/** This moment's snapshot (as text), taken before computing: figures computed after it see every change it sees. */
export async function takeSnapshot(ex: Executor): Promise<string> {
  const { rows } = await sql<{ snapshot: string }>`SELECT pg_current_snapshot()::text AS snapshot`.execute(ex);
  return rows[0]!.snapshot;
}

/** Whether a change to the cohort was logged that `snapshot` does not see (committed after it was taken). */
export async function hasChangesUnseenBy(ex: Executor, tenantId: string, cohortId: string, snapshot: string): Promise<boolean> {
  const { rows } = await sql<{ unseen: boolean }>`
    SELECT EXISTS (SELECT 1 FROM cohort_figure_changes
                   WHERE tenant_id = ${tenantId} AND cohort_id = ${cohortId} AND NOT pg_visible_in_snapshot(xid, ${snapshot}::pg_snapshot)) AS unseen`.execute(ex);
  return rows[0]!.unseen;
}

/**
 * Keeps freshly computed figures (unless figures computed from a later snapshot are already kept),
 * and drops the logged changes the kept figures saw (and the programme view's snapshot too).
 */
export async function saveCohortFigures(ex: Executor, f: { tenantId: string; cohortId: string; snapshot: string; week: string; computedAt: Date; parts: Record<FigurePart, string> }): Promise<void> {
  const cols = Object.keys(COLUMN) as FigurePart[];
  await sql`
    WITH kept AS (
      INSERT INTO cohort_figures AS f (tenant_id, cohort_id, snapshot, week, computed_at, ${sql.raw(cols.map((p) => COLUMN[p]).join(', '))})
      VALUES (${f.tenantId}, ${f.cohortId}, ${f.snapshot}::pg_snapshot, ${f.week}, ${f.computedAt}, ${sql.join(cols.map((p) => f.parts[p]))})
      ON CONFLICT (tenant_id, cohort_id) DO UPDATE SET snapshot = excluded.snapshot, week = excluded.week, computed_at = excluded.computed_at,
        ${sql.raw(cols.map((p) => `${COLUMN[p]} = excluded.${COLUMN[p]}`).join(', '))}
      WHERE f.snapshot IS NULL OR pg_snapshot_xmax(f.snapshot) <= pg_snapshot_xmax(excluded.snapshot)
      RETURNING f.tenant_id, f.cohort_id, f.snapshot)
    DELETE FROM cohort_figure_changes c USING kept
    WHERE c.tenant_id = kept.tenant_id AND c.cohort_id = kept.cohort_id AND pg_visible_in_snapshot(c.xid, kept.snapshot)
      -- the programme view's snapshot of the cohort reads the same log: keep what it has not seen
      AND NOT EXISTS (SELECT 1 FROM programme_cohort_snapshots ps
                      WHERE ps.tenant_id = c.tenant_id AND ps.cohort_id = c.cohort_id AND NOT pg_visible_in_snapshot(c.xid, ps.snapshot))`.execute(ex);
}
