// The LMS links of a cohort as grades need them: which can take a score, and the line item each posts to.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { ResourceLink } from './schema.ts';

export const AGS_SCORE_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';

/** Links whose launch granted the AGS score scope, hub links (no module) first. */
export function listScorableResourceLinks(ex: Executor, tenantId: string, cohortId: string): Promise<ResourceLink[]> {
  return ex
    .selectFrom('resourceLinks')
    .selectAll()
    .where('tenantId', '=', tenantId)
    .where('cohortId', '=', cohortId)
    .where((eb) => eb(eb.val(AGS_SCORE_SCOPE), '=', eb.fn.any('agsScopes')))
    .orderBy('moduleId', (o) => o.nullsFirst())
    .orderBy('resourceLinkId')
    .execute();
}

/** Records the line item found or created for a link in the LMS. */
export async function updateResourceLinkLineitem(ex: Executor, tenantId: string, resourceLinkId: string, lineitemUrl: string): Promise<void> {
  await ex
    .updateTable('resourceLinks')
    .set({ lineitemUrl, updatedAt: new Date() })
    .where('tenantId', '=', tenantId)
    .where('resourceLinkId', '=', resourceLinkId)
    .execute();
}

/**
 * Marks a link that can take scores as backfilled, once: returns it the first time only. Links that
 * cannot take scores (no score scope yet) are not claimed, so they are when a launch grants it.
 */
export function claimResourceLinkBackfill(ex: Executor, tenantId: string, resourceLinkId: string): Promise<{ cohortId: string; moduleId: number | null } | undefined> {
  return ex
    .updateTable('resourceLinks')
    .set({ gradesBackfilledAt: sql<Date>`now()` })
    .where('tenantId', '=', tenantId)
    .where('resourceLinkId', '=', resourceLinkId)
    .where('gradesBackfilledAt', 'is', null)
    .where((eb) => eb(eb.val(AGS_SCORE_SCOPE), '=', eb.fn.any('agsScopes')))
    .returning(['cohortId', 'moduleId'])
    .executeTakeFirst();
}

/** Every LMS link of a cohort, hub links first (the grade sync page). */
export function listCohortResourceLinks(ex: Executor, tenantId: string, cohortId: string): Promise<ResourceLink[]> {
  return ex
    .selectFrom('resourceLinks')
    .selectAll()
    .where('tenantId', '=', tenantId)
    .where('cohortId', '=', cohortId)
    .orderBy('moduleId', (o) => o.nullsFirst())
    .orderBy('resourceLinkId')
    .execute();
}
