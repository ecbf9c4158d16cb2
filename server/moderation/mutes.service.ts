// Muting a member for a period: they can read, but every way of posting answers 403 until the
// mute ends or a facilitator lifts it (see mute-check.ts). The reason goes to the audit log.
import { withTransaction, type Db } from '../../models/db.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import * as moderation from '../../models/moderation.queries.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import type { LaunchContext } from '../launch-context.ts';
import { cleanReason, requireFacilitator } from './moderation.service.ts';

export const MUTE_PERIODS = { '1d': { hours: 24, label: '1 day' }, '3d': { hours: 72, label: '3 days' }, '1w': { hours: 168, label: '1 week' }, 'until-unmuted': { hours: null, label: 'Until unmuted' } } as const;
export type MutePeriod = keyof typeof MUTE_PERIODS;

async function memberOfCohort(db: Db, who: LaunchContext, membershipId: string) {
  const member = await cohorts.findMembership(db, who.tenantId, membershipId);
  if (!member || member.cohortId !== who.cohortId) throw new NotFoundError('member');
  return member;
}

export async function muteMember(deps: { db: Db }, who: LaunchContext, membershipId: string, input: { period: string; reason: string }) {
  requireFacilitator(who, 'mute-member');
  const member = await memberOfCohort(deps.db, who, membershipId);
  if (!Object.hasOwn(MUTE_PERIODS, input.period)) throw new ValidationError(msg('moderation.error.mutePeriod'), { period: msg('moderation.error.mutePeriodField') });
  const reason = cleanReason(input.reason, 'mute');
  if (member.role === 'facilitator') throw new ValidationError(msg('moderation.error.muteFacilitator'));
  const period = MUTE_PERIODS[input.period as MutePeriod];
  return withTransaction(deps.db, async (tx) => {
    // A new mute replaces one in force: the latest decision counts.
    await moderation.liftMutes(tx, who.tenantId, member.id);
    const mute = await moderation.insertMute(tx, { tenantId: who.tenantId, cohortId: who.cohortId, membershipId: member.id, hours: period.hours, reason, mutedByMembershipId: who.membershipId });
    await moderation.insertModerationAction(tx, { tenantId: who.tenantId, cohortId: who.cohortId, actorMembershipId: who.membershipId, action: 'mute', targetKind: 'membership', targetId: member.id, subjectMembershipId: member.id, reason: `${period.label}: ${reason}` });
    return mute;
  });
}

export async function unmuteMember(deps: { db: Db }, who: LaunchContext, membershipId: string): Promise<void> {
  requireFacilitator(who, 'unmute-member');
  const member = await memberOfCohort(deps.db, who, membershipId);
  await withTransaction(deps.db, async (tx) => {
    const lifted = await moderation.liftMutes(tx, who.tenantId, member.id);
    if (lifted === 0) throw new ConflictError(msg('moderation.error.notMuted'));
    await moderation.insertModerationAction(tx, { tenantId: who.tenantId, cohortId: who.cohortId, actorMembershipId: who.membershipId, action: 'unmute', targetKind: 'membership', targetId: member.id, subjectMembershipId: member.id, reason: null });
  });
}

export function membersForModeration(deps: { db: Db }, who: LaunchContext) {
  requireFacilitator(who, 'moderation-members');
  return moderation.listMembersWithMutes(deps.db, who.tenantId, who.cohortId);
}
