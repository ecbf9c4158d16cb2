// A tenant's editions of the workshop and their versions; a cohort's pinned version. Every statement
// is scoped by tenant.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { Edition, EditionVersion } from './schema.ts';

export interface EditionRow extends Edition {
  /** The latest published version's number; null before the first publish. */
  publishedNumber: number | null;
  draftNumber: number | null;
  /** Cohorts running one of its versions. */
  cohorts: number;
}

export function listEditions(ex: Executor, tenantId: string): Promise<EditionRow[]> {
  return ex
    .selectFrom('editions as e')
    .selectAll('e')
    .select((eb) => [
      eb.selectFrom('editionVersions as v').select((v) => v.fn.max('v.number').as('n')).whereRef('v.tenantId', '=', 'e.tenantId').whereRef('v.editionId', '=', 'e.id').where('v.status', '=', 'published').as('publishedNumber'),
      eb.selectFrom('editionVersions as v').select('v.number').whereRef('v.tenantId', '=', 'e.tenantId').whereRef('v.editionId', '=', 'e.id').where('v.status', '=', 'draft').as('draftNumber'),
      eb
        .selectFrom('cohorts as c')
        .innerJoin('editionVersions as v', (j) => j.onRef('v.tenantId', '=', 'c.tenantId').onRef('v.id', '=', 'c.editionVersionId'))
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('c.tenantId', '=', 'e.tenantId')
        .whereRef('v.editionId', '=', 'e.id')
        .as('cohorts'),
    ])
    .where('e.tenantId', '=', tenantId)
    .orderBy('e.name')
    .execute()
    .then((rows) => rows.map((r) => ({ ...r, publishedNumber: r.publishedNumber ?? null, draftNumber: r.draftNumber ?? null, cohorts: Number(r.cohorts ?? 0) })));
}

export function findEdition(ex: Executor, tenantId: string, editionId: string): Promise<Edition | undefined> {
  return ex.selectFrom('editions').selectAll().where('tenantId', '=', tenantId).where('id', '=', editionId).executeTakeFirst();
}

/** A new edition; undefined when the tenant already has one of that name. */
export async function insertEdition(ex: Executor, e: { tenantId: string; name: string; language: string }): Promise<string | undefined> {
  const row = await ex
    .insertInto('editions')
    .values(e)
    .onConflict((oc) => oc.expression(sql`tenant_id, lower(name)`).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Makes `editionId` (or none: the default edition) the one a course's first launch in `language` runs. */
export async function setEditionForNewCohorts(ex: Executor, tenantId: string, language: string, editionId: string | null): Promise<void> {
  await ex.updateTable('editions').set({ forNewCohorts: false }).where('tenantId', '=', tenantId).where('language', '=', language).where('forNewCohorts', '=', true).where('id', 'is distinct from', editionId).execute();
  if (editionId) await ex.updateTable('editions').set({ forNewCohorts: true }).where('tenantId', '=', tenantId).where('id', '=', editionId).execute();
}

export function findDraft(ex: Executor, tenantId: string, editionId: string): Promise<EditionVersion | undefined> {
  return ex.selectFrom('editionVersions').selectAll().where('tenantId', '=', tenantId).where('editionId', '=', editionId).where('status', '=', 'draft').executeTakeFirst();
}

export function findLatestPublished(ex: Executor, tenantId: string, editionId: string): Promise<EditionVersion | undefined> {
  return ex
    .selectFrom('editionVersions')
    .selectAll()
    .where('tenantId', '=', tenantId)
    .where('editionId', '=', editionId)
    .where('status', '=', 'published')
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** One version of the tenant's (draft or published), with its edition's name. */
export function findVersion(ex: Executor, tenantId: string, versionId: string): Promise<(EditionVersion & { editionName: string }) | undefined> {
  return ex
    .selectFrom('editionVersions as v')
    .innerJoin('editions as e', (j) => j.onRef('e.tenantId', '=', 'v.tenantId').onRef('e.id', '=', 'v.editionId'))
    .selectAll('v')
    .select('e.name as editionName')
    .where('v.tenantId', '=', tenantId)
    .where('v.id', '=', versionId)
    .executeTakeFirst();
}

/** A published version's content: what a cohort pinned to it runs. */
export async function findPublishedContent(ex: Executor, tenantId: string, versionId: string): Promise<unknown> {
  const row = await ex
    .selectFrom('editionVersions')
    .select('content')
    .where('tenantId', '=', tenantId)
    .where('id', '=', versionId)
    .where('status', '=', 'published')
    .executeTakeFirst();
  return row?.content;
}

export function listPublishedVersions(ex: Executor, tenantId: string, editionId: string): Promise<Array<Pick<EditionVersion, 'id' | 'number' | 'publishedAt'>>> {
  return ex
    .selectFrom('editionVersions')
    .select(['id', 'number', 'publishedAt'])
    .where('tenantId', '=', tenantId)
    .where('editionId', '=', editionId)
    .where('status', '=', 'published')
    .orderBy('number', 'desc')
    .execute();
}

/** The edition's draft, started; undefined when another save started one first. */
export async function insertDraft(ex: Executor, d: { tenantId: string; editionId: string; content: unknown }): Promise<EditionVersion | undefined> {
  const { rows } = await sql<EditionVersion>`
    INSERT INTO edition_versions (tenant_id, edition_id, number, status, content)
    SELECT ${d.tenantId}, ${d.editionId}, coalesce(max(number), 0) + 1, 'draft', ${JSON.stringify(d.content)}::jsonb
    FROM edition_versions WHERE tenant_id = ${d.tenantId} AND edition_id = ${d.editionId}
    ON CONFLICT DO NOTHING
    RETURNING tenant_id AS "tenantId", id, edition_id AS "editionId", number, status, content, revision,
      created_at AS "createdAt", updated_at AS "updatedAt", published_at AS "publishedAt"`.execute(ex);
  return rows[0];
}

/** Saves the draft's content over revision `baseRevision`; false when the draft moved on (or was published). */
export async function updateDraft(ex: Executor, tenantId: string, draftId: string, baseRevision: number, content: unknown): Promise<boolean> {
  const r = await ex
    .updateTable('editionVersions')
    .set({ content: JSON.stringify(content), revision: baseRevision + 1, updatedAt: new Date() })
    .where('tenantId', '=', tenantId)
    .where('id', '=', draftId)
    .where('status', '=', 'draft')
    .where('revision', '=', baseRevision)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/** The draft at `baseRevision` becomes a published version; false when it moved on meanwhile. */
export async function publishDraft(ex: Executor, tenantId: string, draftId: string, baseRevision: number): Promise<boolean> {
  const r = await ex
    .updateTable('editionVersions')
    .set({ status: 'published', publishedAt: new Date() })
    .where('tenantId', '=', tenantId)
    .where('id', '=', draftId)
    .where('status', '=', 'draft')
    .where('revision', '=', baseRevision)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/** Moves a cohort to another version (of its tenant: the foreign key includes the tenant). */
/** Pins the cohort to a version; the cohort's language becomes the language its edition is written in. */
export async function updateCohortEditionVersion(ex: Executor, tenantId: string, cohortId: string, versionId: string | null): Promise<void> {
  await sql`
    UPDATE cohorts c SET edition_version_id = ${versionId}, updated_at = now(),
      language = coalesce((SELECT e.language FROM edition_versions v JOIN editions e ON e.tenant_id = v.tenant_id AND e.id = v.edition_id
                           WHERE v.tenant_id = ${tenantId} AND v.id = ${versionId}), c.language)
    WHERE c.tenant_id = ${tenantId} AND c.id = ${cohortId}`.execute(ex);
}

/** Activities of a module the cohort's learners answered (draft or submitted), with how many answered. */
export function listAnsweredActivities(ex: Executor, tenantId: string, cohortId: string): Promise<Array<{ moduleId: number; activityId: string; learners: number }>> {
  return ex
    .selectFrom('activityResponses')
    .select(['moduleId', 'activityId', sql<number>`count(DISTINCT membership_id)::int`.as('learners')])
    .where('tenantId', '=', tenantId)
    .where('cohortId', '=', cohortId)
    .groupBy(['moduleId', 'activityId'])
    .execute();
}
