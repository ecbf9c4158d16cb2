// Erasure of a person in a tenant (server/privacy/erasure.service.ts holds the rules and the order):
// each statement is scoped by tenant and names the person's own rows, or rows that point at them.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { MembershipRole, PostsOnErasure } from './schema.ts';

/** The label an erased person's kept posts carry, on every page (it is the former participant's name). */
export const FORMER_PARTICIPANT_NAME = 'A former participant';
/** What `@handle` mentions of an erased person become in the Markdown source. */
const FORMER_HANDLE = 'former-participant';

export interface ErasablePerson {
  id: string;
  sub: string;
  name: string | null;
  email: string | null;
}

/** The person, locked for the erasure (never a former participant: nothing of anyone is left there). */
export function lockErasablePerson(ex: Executor, tenantId: string, personId: string): Promise<ErasablePerson | undefined> {
  return ex
    .selectFrom('persons')
    .select(['id', 'sub', 'name', 'email'])
    .where('tenantId', '=', tenantId)
    .where('id', '=', personId)
    .where('formerParticipant', '=', false)
    .forUpdate()
    .executeTakeFirst();
}

export function listPersonMemberships(ex: Executor, tenantId: string, personId: string): Promise<Array<{ id: string; cohortId: string; role: MembershipRole }>> {
  return ex.selectFrom('memberships').select(['id', 'cohortId', 'role']).where('tenantId', '=', tenantId).where('personId', '=', personId).execute();
}

export async function findPostsOnErasure(ex: Executor, tenantId: string): Promise<PostsOnErasure> {
  const row = await ex.selectFrom('tenantPrivacySettings').select('postsOnErasure').where('tenantId', '=', tenantId).executeTakeFirst();
  return row?.postsOnErasure ?? 'keep';
}

export async function upsertPostsOnErasure(ex: Executor, tenantId: string, postsOnErasure: PostsOnErasure): Promise<void> {
  await ex
    .insertInto('tenantPrivacySettings')
    .values({ tenantId, postsOnErasure })
    .onConflict((oc) => oc.column('tenantId').doUpdateSet({ postsOnErasure, updatedAt: new Date() }))
    .execute();
}

/** A new anonymous person with a made-up sub (matches no LMS user) and the former participant's label. */
export async function insertFormerParticipant(ex: Executor, tenantId: string): Promise<string> {
  const row = await ex
    .insertInto('persons')
    .values({ tenantId, sub: sql<string>`'former-participant:' || gen_random_uuid()`, name: FORMER_PARTICIPANT_NAME, givenName: null, familyName: null, email: null, formerParticipant: true })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One inactive membership of the former participant per cohort of the erased person (new ids). */
export async function insertFormerMemberships(ex: Executor, tenantId: string, personId: string, formerPersonId: string): Promise<Array<{ old: string; new: string }>> {
  const { rows } = await sql<{ old: string; new: string }>`
    WITH made AS (
      INSERT INTO memberships (tenant_id, cohort_id, person_id, role, lms_roles, status)
      SELECT tenant_id, cohort_id, ${formerPersonId}, role, '{}', 'inactive' FROM memberships
      WHERE tenant_id = ${tenantId} AND person_id = ${personId}
      RETURNING id, cohort_id
    )
    SELECT m.id AS old, made.id AS new FROM made
    JOIN memberships m ON m.tenant_id = ${tenantId} AND m.person_id = ${personId} AND m.cohort_id = made.cohort_id`.execute(ex);
  return rows;
}

/**
 * Columns naming a membership that another person's material hangs on: moved to the former
 * participant's membership whatever the policy, so that material keeps its sense (a reply's
 * author, who thanked whom, who did what in the audit log, whose norms version it is).
 */
export const ALWAYS_MOVED = [
  ['threads', 'author_membership_id'],
  ['posts', 'author_membership_id'],
  ['post_revisions', 'replaced_by_membership_id'],
  ['kudos', 'to_membership_id'],
  ['notifications', 'actor_membership_id'],
  ['moderation_actions', 'actor_membership_id'],
  ['moderation_actions', 'subject_membership_id'],
  ['group_norm_versions', 'membership_id'],
  ['announcements', 'author_membership_id'],
  ['nudges', 'sent_by_membership_id'],
  ['member_mutes', 'muted_by_membership_id'],
] as const;

/** What the person wrote to or about others: kept (moved) under 'keep', deleted under 'delete'. */
export const KEPT_BY_POLICY = [
  ['kudos', 'from_membership_id'],
  ['action_plan_comments', 'author_membership_id'],
  ['post_flags', 'membership_id'],
] as const;

type MovedColumn = (typeof ALWAYS_MOVED)[number] | (typeof KEPT_BY_POLICY)[number];

const mapValues = (map: Array<{ old: string; new: string }>) => sql.join(map.map((m) => sql`(${m.old}::uuid, ${m.new}::uuid)`));

export async function moveToFormerMemberships(ex: Executor, tenantId: string, [table, column]: MovedColumn, map: Array<{ old: string; new: string }>): Promise<number> {
  const r = await sql`
    UPDATE ${sql.table(table)} t SET ${sql.ref(column)} = m.new
    FROM (VALUES ${mapValues(map)}) AS m(old, new)
    WHERE t.tenant_id = ${tenantId} AND ${sql.ref(`t.${column}`)} = m.old`.execute(ex);
  return Number(r.numAffectedRows ?? 0);
}

export async function deleteByMemberships(ex: Executor, tenantId: string, [table, column]: (typeof KEPT_BY_POLICY)[number], membershipIds: string[]): Promise<void> {
  await sql`DELETE FROM ${sql.table(table)} WHERE tenant_id = ${tenantId} AND ${sql.ref(column)} = ANY (${membershipIds}::uuid[])`.execute(ex);
}

/** The audit log's target of a mute or unmute names the membership itself. */
export async function moveModerationTargets(ex: Executor, tenantId: string, map: Array<{ old: string; new: string }>): Promise<void> {
  await sql`
    UPDATE moderation_actions t SET target_id = m.new FROM (VALUES ${mapValues(map)}) AS m(old, new)
    WHERE t.tenant_id = ${tenantId} AND t.target_kind = 'membership' AND t.target_id = m.old`.execute(ex);
}

export async function countAuthoredPosts(ex: Executor, tenantId: string, membershipIds: string[]): Promise<number> {
  const row = await ex
    .selectFrom('posts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenantId', '=', tenantId)
    .where('authorMembershipId', 'in', membershipIds)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Policy 'delete': the person's posts become "deleted by its author" (others' replies under them stay), their text gone. */
export async function blankAuthoredPosts(ex: Executor, tenantId: string, membershipIds: string[]): Promise<number> {
  const r = await sql`
    WITH gone AS (
      DELETE FROM post_revisions r USING posts p
      WHERE r.tenant_id = ${tenantId} AND p.tenant_id = r.tenant_id AND p.id = r.post_id AND p.author_membership_id = ANY (${membershipIds}::uuid[])
    )
    UPDATE posts SET body_source = 'Erased.', body_html = '', status = 'deleted', moderation_reason = NULL,
      edited_at = NULL, facilitator_edited_at = NULL, endorsed_at = NULL
    WHERE tenant_id = ${tenantId} AND author_membership_id = ANY (${membershipIds}::uuid[])`.execute(ex);
  return Number(r.numAffectedRows ?? 0);
}

export async function blankAuthoredThreadTitles(ex: Executor, tenantId: string, membershipIds: string[]): Promise<void> {
  await ex.updateTable('threads').set({ title: 'A thread by a former participant' }).where('tenantId', '=', tenantId).where('authorMembershipId', 'in', membershipIds).execute();
}

/**
 * Mentions of the person in anyone's posts (and earlier versions): the rendered mention now names
 * the former participant, and the source's `@handle` becomes `@former-participant` (the handle is
 * their name; no member's handle is that, so editing the post mentions no one, and the post still
 * reads, and counts in Community of Inquiry, as building on someone).
 */
export async function rewriteMentions(ex: Executor, tenantId: string, personId: string, formerPersonId: string, handle: string | null): Promise<void> {
  const span = `<span class="mention" data-person-id="${personId}">[^<]*</span>`;
  const replacement = `<span class="mention" data-person-id="${formerPersonId}">@${FORMER_PARTICIPANT_NAME}</span>`;
  const inSource = handle ? `(^|[^[:alnum:]_.-])@${handle.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?![[:alnum:]_])` : null;
  for (const table of ['posts', 'post_revisions'] as const) {
    await sql`
      UPDATE ${sql.table(table)} SET
        body_html = regexp_replace(body_html, ${span}, ${replacement}, 'g'),
        body_source = CASE WHEN ${inSource}::text IS NULL THEN body_source ELSE regexp_replace(body_source, ${inSource}, ${'\\1@' + FORMER_HANDLE}, 'gi') END
      WHERE tenant_id = ${tenantId} AND body_html LIKE ${`%data-person-id="${personId}"%`}`.execute(ex);
  }
}

/** Links emailed to them or about their plan: sign-in (their membership), manager view (their invites), export download. */
export async function deleteSignedLinksOf(ex: Executor, tenantId: string, personId: string, membershipIds: string[]): Promise<void> {
  await sql`
    DELETE FROM signed_links WHERE tenant_id = ${tenantId} AND (
      subject_id = ANY (${membershipIds}::uuid[])
      OR subject_id IN (SELECT i.id FROM manager_invites i JOIN action_plans p ON p.tenant_id = i.tenant_id AND p.id = i.plan_id
                        WHERE i.tenant_id = ${tenantId} AND p.membership_id = ANY (${membershipIds}::uuid[]))
      OR subject_id IN (SELECT e.id FROM personal_exports e WHERE e.tenant_id = ${tenantId} AND e.person_id = ${personId}))`.execute(ex);
}

export async function deleteAnnouncementEmailsOf(ex: Executor, tenantId: string, personId: string): Promise<void> {
  await ex.deleteFrom('announcementEmails').where('tenantId', '=', tenantId).where('personId', '=', personId).execute();
}

/**
 * What names them outside our tenant-scoped tables: sessions and launch hand-overs holding their
 * launch (they are signed out everywhere), and rate-limit counters keyed by their id or address.
 */
export async function deleteTracesOf(ex: Executor, personId: string, email: string | null): Promise<void> {
  const like = `%${personId}%`;
  await sql`DELETE FROM http_sessions WHERE sess::text LIKE ${like}`.execute(ex);
  await sql`DELETE FROM launch_handovers WHERE launch::text LIKE ${like}`.execute(ex);
  await sql`DELETE FROM rate_limits WHERE key LIKE ${like} OR (${email}::text IS NOT NULL AND key LIKE ${`%:${(email ?? '').trim().toLowerCase()}`})`.execute(ex);
}

/** Kept dashboard figures of their cohorts: computed again from the rows as they now stand when next read. */
export async function deleteCohortFigures(ex: Executor, tenantId: string, cohortIds: string[]): Promise<void> {
  await sql`DELETE FROM cohort_figures WHERE tenant_id = ${tenantId} AND cohort_id = ANY (${cohortIds}::uuid[])`.execute(ex);
}

/** Their memberships and then the person: the cascades take everything private that hangs on them. */
export async function deletePerson(ex: Executor, tenantId: string, personId: string): Promise<void> {
  await ex.deleteFrom('memberships').where('tenantId', '=', tenantId).where('personId', '=', personId).execute();
  await ex.deleteFrom('persons').where('tenantId', '=', tenantId).where('id', '=', personId).execute();
}

export async function insertErasure(
  ex: Executor,
  e: { tenantId: string; subjectHash: string; requestedBy: 'person' | 'tool-admin'; adminUserId: string | null; postsPolicy: PostsOnErasure; memberships: number; postsKept: number; postsDeleted: number },
): Promise<void> {
  await ex.insertInto('erasures').values(e).execute();
}

export function listErasures(ex: Executor, tenantId: string, limit = 20) {
  return ex
    .selectFrom('erasures')
    .select(['id', 'subjectHash', 'requestedBy', 'postsPolicy', 'memberships', 'postsKept', 'postsDeleted', 'erasedAt'])
    .where('tenantId', '=', tenantId)
    .orderBy('erasedAt', 'desc')
    .limit(limit)
    .execute();
}

/** The tool admin's search of a tenant's people: by name, email or LMS user id (former participants never). */
export function findPeople(ex: Executor, tenantId: string, q: string, limit = 20) {
  const like = `%${q.replace(/[\\%_]/g, '\\$&')}%`;
  return ex
    .selectFrom('persons as p')
    .select(['p.id', 'p.name', 'p.email', 'p.sub'])
    .select((eb) => eb.selectFrom('memberships as m').select((e) => e.fn.countAll<string>().as('n')).whereRef('m.tenantId', '=', 'p.tenantId').whereRef('m.personId', '=', 'p.id').as('cohorts'))
    .where('p.tenantId', '=', tenantId)
    .where('p.formerParticipant', '=', false)
    .where((eb) => eb.or([eb('p.name', 'ilike', like), eb('p.email', 'ilike', like), eb('p.sub', '=', q)]))
    .orderBy('p.name')
    .limit(limit)
    .execute();
}

export function findTenantPerson(ex: Executor, tenantId: string, personId: string) {
  return ex
    .selectFrom('persons')
    .select(['id', 'name', 'email', 'sub'])
    .where('tenantId', '=', tenantId)
    .where('id', '=', personId)
    .where('formerParticipant', '=', false)
    .executeTakeFirst();
}

/** The deployment the admin console names (with its platform), or undefined. */
export function findAdminTenant(ex: Executor, tenantId: string) {
  return ex
    .selectFrom('tenants as t')
    .innerJoin('platforms as pl', 'pl.id', 't.platformId')
    .select(['t.id', 't.deploymentId', 't.platformId', 'pl.name as platformName'])
    .where('t.id', '=', tenantId)
    .executeTakeFirst();
}
