// Roster sync: the LMS's member list of a cohort's context (NRPS) made into persons and memberships,
// so groups can be formed before people first launch, and members the LMS marks Inactive lose access.
import { withRetryingTransaction, type Db, type RetryOptions } from '../../models/db.ts';
import { placeLateJoiners } from '../groups/groups.service.ts';
import * as roster from '../../models/roster.queries.ts';
import type { MembershipRole } from '../../models/schema.ts';
import { membershipRoleFor } from '../../lti/roles.ts';
import { fetchContextMembers, type NrpsOptions, type RosterMember } from '../../lti/nrps.ts';

export interface RosterDeps {
  db: Db;
  ltiEncryptionKey: string;
  nrps?: NrpsOptions;
  /** Where retried transactions are logged. */
  log?: RetryOptions['log'];
}

export interface RosterSyncResult {
  /** New memberships (people who have not launched yet). */
  added: number;
  /** Existing memberships made active again, or (for people who never launched) given a new role. */
  updated: number;
  /** Active memberships the LMS now marks Inactive or Deleted. */
  deactivated: number;
  /** Members the LMS listed, and entries of its list that could not be read. */
  listed: number;
  invalid: number;
  /** Why nothing was fetched, when nothing was. */
  skipped?: 'no-cohort' | 'no-roster-service' | 'deployment-inactive';
}

const CHUNK = 1000;
const nothing = (skipped: RosterSyncResult['skipped']): RosterSyncResult => ({ added: 0, updated: 0, deactivated: 0, listed: 0, invalid: 0, skipped });

/**
 * Fetches the context's members (outside any transaction: the LMS may be slow) and applies them in
 * one transaction. Throws LtiServiceError when the LMS fails (`retryable` says whether to try again).
 */
export async function syncRoster(deps: RosterDeps, where: { tenantId: string; cohortId: string }): Promise<RosterSyncResult> {
  const source = await roster.findRosterSource(deps.db, where.tenantId, where.cohortId);
  if (!source) return nothing('no-cohort');
  if (!source.nrpsUrl) return nothing('no-roster-service');
  // A disabled deployment or platform is not called: its launches are refused too.
  if (source.tenantStatus !== 'active' || source.platformStatus !== 'active') return nothing('deployment-inactive');

  const fetched = await fetchContextMembers(deps, { platform: source, membershipsUrl: source.nrpsUrl }, deps.nrps);
  const members = fetched.members;
  // Only active members are stored as persons: someone Inactive or Deleted whom we do not know yet
  // has nothing here to lose, and we keep no name or email of theirs.
  // In key order across chunks too: the queries sort each statement, this sorts the whole list.
  const activeMembers = members.filter((m) => m.status === 'Active').sort((a, b) => compareKeys(a.userId, b.userId));
  // Applying the list is idempotent (upserts from what is read in the transaction): a deadlock or
  // serialization failure is retried with the same list.
  return withRetryingTransaction(deps.db, async (tx) => {
    // First the cohort's row, as a launch does; the people in key order after (see the queries).
    await roster.updateCohortRosterSyncedAt(tx, where.tenantId, where.cohortId);
    for (let i = 0; i < activeMembers.length; i += CHUNK) {
      await roster.upsertRosterPersons(
        tx,
        where.tenantId,
        activeMembers.slice(i, i + CHUNK).map((m) => ({ sub: m.userId, name: m.name, givenName: m.givenName, familyName: m.familyName, email: m.email })),
      );
    }
    const personIdBySub = new Map<string, string>();
    for (let i = 0; i < members.length; i += CHUNK) {
      for (const p of await roster.listPersonIdsBySub(tx, where.tenantId, members.slice(i, i + CHUNK).map((m) => m.userId))) {
        personIdBySub.set(p.sub, p.id);
      }
    }
    const existing = new Map((await roster.listCohortMembershipStates(tx, where.tenantId, where.cohortId)).map((m) => [m.personId, m]));

    const plan = planRosterChanges(members, personIdBySub, existing);
    plan.toAdd.sort((a, b) => compareKeys(a.personId, b.personId));
    let added = 0;
    for (let i = 0; i < plan.toAdd.length; i += CHUNK) {
      added += await roster.insertRosterMemberships(tx, where.tenantId, where.cohortId, plan.toAdd.slice(i, i + CHUNK));
    }
    await roster.updateMembershipStatuses(tx, where.tenantId, where.cohortId, plan.toActivate, 'active');
    await roster.updateMembershipStatuses(tx, where.tenantId, where.cohortId, plan.toDeactivate, 'inactive');
    for (const change of plan.roleChanges) await roster.updateMembershipRole(tx, where.tenantId, change.membershipId, change);
    // New learners from the roster join the smallest group once groups exist.
    await placeLateJoiners(tx, where.tenantId, where.cohortId);
    // Delivered at commit: a facilitator's console waiting for the cohort's first roster.
    await roster.notifyRosterSynced(tx, where.tenantId, where.cohortId);
    const updated = new Set([...plan.toActivate, ...plan.roleChanges.map((c) => c.membershipId)]).size;
    return { added, updated, deactivated: plan.toDeactivate.length, listed: members.length, invalid: fetched.invalid };
  }, { name: 'roster-sync', log: deps.log });
}

/**
 * What the roster changes, decided from the members listed and the memberships there are. People
 * the LMS no longer lists are left as they are: a roster may leave out people who can still launch
 * (site administrators, some enrolment states), a list cut short must not lock anyone out, and only
 * an explicit Inactive or Deleted says that access should end.
 */
export function planRosterChanges(
  members: readonly RosterMember[],
  personIdBySub: ReadonlyMap<string, string>,
  existing: ReadonlyMap<string, roster.RosterMembershipRow>,
) {
  const toAdd: Array<{ personId: string; role: MembershipRole; lmsRoles: string[] }> = [];
  const toActivate: string[] = [];
  const toDeactivate: string[] = [];
  const roleChanges: Array<{ membershipId: string; role: MembershipRole; lmsRoles: string[] }> = [];
  for (const member of members) {
    const personId = personIdBySub.get(member.userId);
    const current = personId ? existing.get(personId) : undefined;
    const active = member.status === 'Active';
    const role = membershipRoleFor(member.roles);
    if (!current) {
      // Someone the LMS lists as Inactive or Deleted who has no membership has no access to take away.
      if (active && personId) toAdd.push({ personId, role, lmsRoles: member.roles });
      continue;
    }
    if (!active && current.status === 'active') toDeactivate.push(current.membershipId);
    if (active && current.status === 'inactive') toActivate.push(current.membershipId);
    // Once a person has launched, their role follows their launches: the id_token carries every role
    // (an institution Administrator is a facilitator anywhere), NRPS only the course roles, and
    // taking both would flip the role at every sync. Before that, the roster is all we know.
    if (!current.firstLaunchAt && (current.role !== role || !sameRoles(current.lmsRoles, member.roles))) {
      roleChanges.push({ membershipId: current.membershipId, role, lmsRoles: member.roles });
    }
  }
  return { toAdd, toActivate, toDeactivate, roleChanges };
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
