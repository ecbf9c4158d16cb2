// Which workshop a cohort runs: the edition version it is pinned to, or the default edition
// (content/) in the cohort's language. A published version never changes, so its built Workshop is kept in process by version
// id with no invalidation; which version a cohort runs is read from its (cached) row.
import type { Db } from '../../models/db.ts';
import { findCohort } from '../../models/cohorts.queries.ts';
import * as editions from '../../models/editions.queries.ts';
import type { Cohort } from '../../models/schema.ts';
import { NotFoundError } from '../errors.ts';
import { buildWorkshop, EditionContentSchema, type Workshop } from '../modules/workshop-content.ts';

export interface Workshops {
  /** Our nine modules in English (content/modules). */
  readonly default: Workshop;
  /** The default edition in a content language (English when it is not written in that one). */
  defaultIn(language: string): Workshop;
  /** The workshop of a version (null: the default edition in `language`). */
  forVersion(tenantId: string, versionId: string | null, language?: string): Promise<Workshop>;
  /** The workshop a cohort runs: its pinned version, else the default edition in the cohort's language. */
  forCohort(tenantId: string, cohortId: string): Promise<Workshop>;
  /** The same, for a cohort row already read. */
  forCohortRow(cohort: Pick<Cohort, 'tenantId' | 'editionVersionId' | 'language'>): Promise<Workshop>;
}

// Versions are small (a few hundred KB built); a deployment has few of them in use at once.
const MAX_VERSIONS = 200;

export function createWorkshops(deps: { db: Db; defaultWorkshops: { en: Workshop } & Partial<Record<string, Workshop>>; cohortRow?: (tenantId: string, cohortId: string) => Promise<Cohort | undefined> }): Workshops {
  const built = new Map<string, Promise<Workshop>>();
  const defaultIn = (language: string): Workshop => deps.defaultWorkshops[language] ?? deps.defaultWorkshops.en;
  const cohortRow = deps.cohortRow ?? ((tenantId: string, cohortId: string) => findCohort(deps.db, tenantId, cohortId));

  const forVersion = (tenantId: string, versionId: string | null, language = 'en'): Promise<Workshop> => {
    if (versionId === null) return Promise.resolve(defaultIn(language));
    // Keyed by tenant too, so a version id never answers for another tenant.
    const key = `${tenantId}:${versionId}`;
    let workshop = built.get(key);
    if (!workshop) {
      workshop = editions.findPublishedContent(deps.db, tenantId, versionId).then((content) => {
        if (content === undefined) throw new NotFoundError('edition version');
        return buildWorkshop(EditionContentSchema.parse(content));
      });
      workshop.catch(() => built.delete(key));
      if (built.size >= MAX_VERSIONS) built.delete(built.keys().next().value!);
      built.set(key, workshop);
    }
    return workshop;
  };

  return {
    default: deps.defaultWorkshops.en,
    defaultIn,
    forVersion,
    forCohort: async (tenantId, cohortId) => {
      const cohort = await cohortRow(tenantId, cohortId);
      if (!cohort) throw new NotFoundError('cohort');
      return forVersion(tenantId, cohort.editionVersionId, cohort.language);
    },
    forCohortRow: (cohort) => forVersion(cohort.tenantId, cohort.editionVersionId, cohort.language),
  };
}
