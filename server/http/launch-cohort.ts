// The cohort of a request's launch, as the cohort pages read it.
import type { Request } from 'express';
import type { Db } from '../../models/db.ts';
import type { Cohort } from '../../models/schema.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { NotFoundError } from '../errors.ts';

/**
 * From the app's cache (kept true across processes by NOTIFY; the header reads it on every page), so
 * no round trip once read; from the database when the app runs without caches. 404 when it is gone.
 */
export async function launchCohort(db: Db, req: Request): Promise<Cohort> {
  const { tenantId, cohortId } = req.launch!;
  const cohort = await (req.caches?.cohort(tenantId, cohortId) ?? cohorts.findCohort(db, tenantId, cohortId));
  if (!cohort) throw new NotFoundError('cohort');
  return cohort;
}
