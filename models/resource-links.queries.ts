// The LMS links of a cohort as grades need them: which can take a score, and the line item each posts to.
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
