// Cohorts, persons and memberships as launches reveal them.
import { withRetryingTransaction, type Db, type RetryOptions } from '../../models/db.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { membershipRoleFor } from '../../lti/roles.ts';
import type { Launch } from '../../lti/launch-claims.ts';
import type { LaunchContext } from '../launch-context.ts';
import { placeLateJoiners } from '../groups/groups.service.ts';

/**
 * The first launch in a context creates its cohort; every launch upserts the person and their
 * membership, so a role changed in the LMS is honoured at the next launch. The transaction holds
 * only these few statements (nothing slow), takes the cohort's row first as a roster sync does, and
 * is idempotent: a deadlock or serialization failure is retried rather than answered with a 500.
 */
export async function recordLaunch(
  db: Db,
  where: { tenantId: string; platformId: string },
  launch: Launch & { context: NonNullable<Launch['context']> },
  log?: RetryOptions['log'],
): Promise<LaunchContext> {
  const role = membershipRoleFor(launch.roles);
  return withRetryingTransaction(db, async (tx) => {
    const cohort = await cohorts.upsertCohort(tx, {
      tenantId: where.tenantId,
      contextId: launch.context.id,
      title: launch.context.title,
      label: launch.context.label,
      nrpsUrl: launch.nrpsUrl ?? null,
    });
    if (launch.resourceLink) {
      await cohorts.upsertResourceLink(tx, {
        tenantId: where.tenantId,
        cohortId: cohort.id,
        resourceLinkId: launch.resourceLink.id,
        title: launch.resourceLink.title,
        moduleId: launch.moduleId ?? null,
        lineitemUrl: launch.ags?.lineitem ?? null,
        lineitemsUrl: launch.ags?.lineitems ?? null,
        agsScopes: launch.ags?.scopes ?? [],
      });
    }
    const person = await cohorts.upsertPerson(tx, {
      tenantId: where.tenantId,
      sub: launch.sub,
      name: launch.name,
      givenName: launch.givenName,
      familyName: launch.familyName,
      email: launch.email,
    });
    const membership = await cohorts.upsertLaunchedMembership(tx, {
      tenantId: where.tenantId,
      cohortId: cohort.id,
      personId: person.id,
      role,
      lmsRoles: launch.roles,
    });
    // A learner arriving after groups were formed joins the smallest group.
    if (role === 'learner') await placeLateJoiners(tx, where.tenantId, cohort.id);
    return {
      tenantId: where.tenantId,
      platformId: where.platformId,
      cohortId: cohort.id,
      personId: person.id,
      membershipId: membership.id,
      role,
      displayName: person.name ?? (role === 'facilitator' ? 'Facilitator' : 'Learner'),
      issuer: launch.issuer,
      sub: launch.sub,
      launchedAt: new Date().toISOString(),
      resourceLinkId: launch.resourceLink?.id,
    };
  }, { name: 'launch', log });
}
