// Small groups: the facilitator forms them (preview, then commit), moves people and renames groups;
// learners who arrive later are placed in the smallest group. Knows nothing of HTTP.
import { i18nFor, msg } from '../i18n/i18n.ts';
import crypto from 'node:crypto';
import { withTransaction, type Db, type Executor } from '../../models/db.ts';
import * as groups from '../../models/groups.queries.ts';
import { findCohort } from '../../models/cohorts.queries.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import { formGroups, placeLateJoiner, validateGroups, type GroupProblem } from './group-formation.ts';

export interface GroupsDeps {
  db: Db;
}

function requireFacilitator(who: LaunchContext, action: string): void {
  if (who.role !== 'facilitator') throw new ForbiddenError(action, msg('groups.errors.facilitatorsOnly'));
}

/** A fingerprint of who would be grouped: a commit must see the same learners as its preview. */
function rosterHash(ids: string[]): string {
  return crypto.createHash('sha256').update([...ids].sort().join(',')).digest('hex').slice(0, 16);
}

export interface GroupsPreview {
  seed: number;
  rosterHash: string;
  groups: Array<{ name: string; members: Array<{ membershipId: string; name: string | null }> }>;
  warnings: GroupProblem[];
}

/**
 * A new group's name, in the cohort's language: every member reads the same name (whatever language
 * their own pages are in), and the facilitator may rename it.
 */
async function defaultGroupNames(ex: Executor, who: LaunchContext): Promise<(position: number) => string> {
  const i18n = i18nFor((await findCohort(ex, who.tenantId, who.cohortId))?.language);
  return (position) => i18n.t('groups.defaultName', { position });
}

/** The groups that forming now would make (nothing is saved). A new seed shuffles differently. */
export async function previewGroups(deps: GroupsDeps, who: LaunchContext, seed: number): Promise<GroupsPreview> {
  requireFacilitator(who, 'preview-groups');
  if ((await groups.listGroups(deps.db, who.tenantId, who.cohortId)).length > 0) {
    throw new ConflictError(msg('groups.errors.alreadyFormed'));
  }
  const learners = await groups.listUngroupedLearners(deps.db, who.tenantId, who.cohortId);
  if (learners.length === 0) throw new ValidationError(msg('groups.errors.noLearners'));
  const byId = new Map(learners.map((l) => [l.membershipId, l]));
  const formed = formGroups(learners.map((l) => ({ id: l.membershipId })), { seed });
  const nameOf = await defaultGroupNames(deps.db, who);
  return {
    seed,
    rosterHash: rosterHash(learners.map((l) => l.membershipId)),
    groups: formed.map((ids, i) => ({ name: nameOf(i + 1), members: ids.map((id) => ({ membershipId: id, name: byId.get(id)?.name ?? null })) })),
    warnings: validateGroups(formed, { member: (id) => byId.get(id)?.name ?? '' }),
  };
}

/** Saves the previewed groups: the same seed over the same learners gives the same groups. */
export async function commitGroups(deps: GroupsDeps, who: LaunchContext, seed: number, expectedRosterHash: string): Promise<number> {
  requireFacilitator(who, 'form-groups');
  return withTransaction(deps.db, async (tx) => {
    await groups.lockCohortGroups(tx, who.tenantId, who.cohortId);
    if ((await groups.listGroups(tx, who.tenantId, who.cohortId)).length > 0) {
      throw new ConflictError(msg('groups.errors.alreadyFormed'));
    }
    const learners = await groups.listUngroupedLearners(tx, who.tenantId, who.cohortId);
    if (rosterHash(learners.map((l) => l.membershipId)) !== expectedRosterHash) {
      throw new ConflictError(msg('groups.errors.rosterChanged'));
    }
    const formed = formGroups(learners.map((l) => ({ id: l.membershipId })), { seed });
    const nameOf = await defaultGroupNames(tx, who);
    for (const [i, ids] of formed.entries()) {
      const group = await groups.insertGroup(tx, { tenantId: who.tenantId, cohortId: who.cohortId, name: nameOf(i + 1) });
      for (const membershipId of ids) await groups.insertGroupMember(tx, { tenantId: who.tenantId, groupId: group.id, membershipId });
    }
    return formed.length;
  });
}

export async function moveMemberToGroup(deps: GroupsDeps, who: LaunchContext, membershipId: string, groupId: string): Promise<void> {
  requireFacilitator(who, 'move-member');
  await withTransaction(deps.db, async (tx) => {
    await groups.lockCohortGroups(tx, who.tenantId, who.cohortId);
    const target = await groups.findGroup(tx, who.tenantId, groupId);
    if (!target || target.cohortId !== who.cohortId) throw new NotFoundError('group');
    const current = await groups.findGroupOfMember(tx, who.tenantId, membershipId);
    if (!current || current.cohortId !== who.cohortId) throw new NotFoundError('group member');
    if (current.id !== target.id) await groups.updateGroupMember(tx, who.tenantId, membershipId, target.id);
  });
}

export async function renameGroup(deps: GroupsDeps, who: LaunchContext, groupId: string, name: string): Promise<void> {
  requireFacilitator(who, 'rename-group');
  const clean = name.trim();
  if (clean.length < 1 || clean.length > 80) throw new ValidationError('A group name has 1 to 80 characters.', { name: 'has 1 to 80 characters' });
  const group = await groups.findGroup(deps.db, who.tenantId, groupId);
  if (!group || group.cohortId !== who.cohortId) throw new NotFoundError('group');
  const taken = (await groups.listGroups(deps.db, who.tenantId, who.cohortId)).some((g) => g.id !== groupId && g.name.toLowerCase() === clean.toLowerCase());
  if (taken) throw new ValidationError(msg('groups.errors.nameTaken'), { name: msg('groups.errors.nameTaken') });
  await groups.updateGroupName(deps.db, who.tenantId, groupId, clean);
}

/**
 * Puts every active learner without a group into the smallest group, once groups exist (a first
 * launch after formation, or people the roster added). Returns how many were placed.
 */
export async function placeLateJoiners(ex: Executor, tenantId: string, cohortId: string): Promise<number> {
  await groups.lockCohortGroups(ex, tenantId, cohortId);
  const existing = await groups.listGroups(ex, tenantId, cohortId);
  if (existing.length === 0) return 0;
  const sizes = existing.map((g) => ({ id: g.id, size: g.size }));
  const waiting = await groups.listUngroupedLearners(ex, tenantId, cohortId);
  for (const learner of waiting) {
    const placement = placeLateJoiner(sizes)!;
    await groups.insertGroupMember(ex, { tenantId, groupId: placement.groupId, membershipId: learner.membershipId });
    sizes.find((s) => s.id === placement.groupId)!.size++;
  }
  return waiting.length;
}
