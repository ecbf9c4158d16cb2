// The language of a cohort's workshop, chosen by its facilitator: the default edition as written in
// that language. What learners wrote stays as written; module texts, titles and prompts change.
// A cohort pinned to an edition version runs that edition's language: it moves to an edition written
// in another language instead.
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import { findCohort, setDefaultEditionLanguage } from '../../models/cohorts.queries.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { CONTENT_LANGUAGES, isContentLanguage, LOCALE_NAMES } from '../i18n/locales.ts';
import type { LaunchContext } from '../launch-context.ts';

export const CohortLanguageForm = z.object({ language: z.string().max(20), confirmed: z.literal('yes').optional() });

export interface CohortLanguageView {
  action: string;
  current: string;
  /** Pinned to an edition version: its language cannot be chosen here. */
  pinned: boolean;
  options: { value: string; name: string; selected: boolean }[];
}

export function cohortLanguageView(who: LaunchContext, cohort: { language: string; editionVersionId: string | null }): CohortLanguageView {
  return {
    action: `/cohorts/${who.cohortId}/console/language`,
    current: LOCALE_NAMES[cohort.language as (typeof CONTENT_LANGUAGES)[number]] ?? cohort.language,
    pinned: cohort.editionVersionId !== null,
    options: CONTENT_LANGUAGES.map((l) => ({ value: l, name: LOCALE_NAMES[l], selected: cohort.language === l })),
  };
}

/** Sets the cohort's language (the route confirms first). */
export async function setCohortLanguage(db: Db, who: LaunchContext, language: string): Promise<void> {
  if (!isContentLanguage(language)) throw new ValidationError(msg('language.cohort.unknown'), { language: msg('language.cohort.unknown') });
  if (await setDefaultEditionLanguage(db, who.tenantId, who.cohortId, language)) return;
  // Nothing updated: either there is no such cohort or it is pinned to an edition version.
  if (!(await findCohort(db, who.tenantId, who.cohortId))) throw new NotFoundError('cohort');
  throw new ConflictError(msg('language.cohort.pinned'));
}
