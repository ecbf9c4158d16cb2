// Cohorts, persons and memberships as launches reveal them.
import { withRetries, withRetryingTransaction, type Db, type RetryOptions } from '../../models/db.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { membershipRoleFor } from '../../lti/roles.ts';
import type { Launch } from '../../lti/launch-claims.ts';
import type { LaunchContext } from '../launch-context.ts';
import { placeLateJoiners } from '../groups/groups.service.ts';
import { CONTENT_LANGUAGES, matchLocale } from '../i18n/locales.ts';
import { offeredLocales } from '../i18n/i18n.ts';
import { LaunchReplayedError } from '../errors.ts';
import type { LtiLogin } from '../../models/lti-logins.queries.ts';

/** What a launch recorded, and what it leaves to do after the response's session is saved. */
export interface RecordedLaunch {
  context: LaunchContext;
  /** The link can take scores and the scores already earned for it were never sent (backfillLinkGrades). */
  gradesBackfillDue: boolean;
  /** The membership's standing as the launch left it, read by the statement that recorded it. */
  standing: cohorts.MembershipStanding;
}

/**
 * The first launch in a context creates its cohort; every launch upserts the person and their
 * membership, so a role changed in the LMS is honoured at the next launch. One statement, committed
 * on its own, that uses up the launch's `login` (its state and nonce, once: 401 when already used or
 * expired, and nothing recorded) and takes the cohort's row first as a roster sync does; a deadlock
 * or serialization failure rolls the whole statement back and is retried rather than answered with a 500.
 * `login` is null only for launches the tool makes itself (the demo's seed).
 */
export async function recordLaunch(
  db: Db,
  where: { tenantId: string; platformId: string },
  launch: Launch & { context: NonNullable<Launch['context']> },
  login: LtiLogin | null,
  log?: RetryOptions['log'],
): Promise<RecordedLaunch> {
  const role = membershipRoleFor(launch.roles);
  const rows = await withRetries(
    () =>
      cohorts.upsertLaunch(db, {
        tenantId: where.tenantId,
        cohort: { contextId: launch.context.id, title: launch.context.title, label: launch.context.label, nrpsUrl: launch.nrpsUrl ?? null, language: matchLocale([launch.locale], CONTENT_LANGUAGES) ?? null },
        resourceLink: launch.resourceLink
          ? {
              resourceLinkId: launch.resourceLink.id,
              title: launch.resourceLink.title,
              moduleId: launch.moduleId ?? null,
              lineitemUrl: launch.ags?.lineitem ?? null,
              lineitemsUrl: launch.ags?.lineitems ?? null,
              agsScopes: launch.ags?.scopes ?? [],
            }
          : null,
        person: { sub: launch.sub, name: launch.name, givenName: launch.givenName, familyName: launch.familyName, email: launch.email, launchLocale: matchLocale([launch.locale], offeredLocales()) ?? null },
        membership: { role, lmsRoles: launch.roles },
        login,
      }),
    { name: 'launch', log },
  );
  if (!rows) throw new LaunchReplayedError();
  // A learner without a group joins the smallest one once groups exist. The statement read that
  // under the groups' lock, held until it committed the membership: a formation running meanwhile
  // either committed first (its groups were seen) or waited and sees this learner.
  if (rows.placementDue) {
    await withRetryingTransaction(db, (tx) => placeLateJoiners(tx, where.tenantId, rows.cohortId), { name: 'launch: late joiner', log });
  }
  return {
    context: {
      tenantId: where.tenantId,
      platformId: where.platformId,
      cohortId: rows.cohortId,
      personId: rows.personId,
      membershipId: rows.membershipId,
      role,
      displayName: rows.personName ?? (role === 'facilitator' ? 'Facilitator' : 'Learner'),
      issuer: launch.issuer,
      sub: launch.sub,
      launchedAt: new Date().toISOString(),
      resourceLinkId: launch.resourceLink?.id,
      locale: rows.personLocale,
    },
    gradesBackfillDue: rows.gradesBackfillDue,
    standing: rows.standing,
  };
}
