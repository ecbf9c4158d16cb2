// A group's norms (module 4): a short list its members edit together, shown at the top of the
// group's spaces. Members of the group edit; the cohort's facilitators read. Saves are versioned:
// saving on top of a version someone else replaced is a conflict, and what was typed is kept.
import { msg } from '../i18n/i18n.ts';
import type { Db } from '../../models/db.ts';
import * as groups from '../../models/groups.queries.ts';
import * as norms from '../../models/group-norms.queries.ts';
import type { Group } from '../../models/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';

export const MAX_NORMS = 10;
export const MAX_NORM_LENGTH = 200;

export interface GroupNorms {
  group: Group;
  /** Empty until the group writes its first version. */
  norms: string[];
  version: number;
  editedBy: string | null;
  editedAt: Date | null;
  canEdit: boolean;
}

/** The group, if this person may see its norms: a member of it, or a facilitator of its cohort. */
async function visibleGroup(db: Db, who: LaunchContext, groupId: string): Promise<{ group: Group; canEdit: boolean }> {
  const group = await groups.findGroup(db, who.tenantId, groupId);
  if (!group || group.cohortId !== who.cohortId) throw new NotFoundError('group');
  if (who.role === 'facilitator') return { group, canEdit: false };
  const own = await groups.findGroupOfMember(db, who.tenantId, who.membershipId);
  if (own?.id !== group.id) throw new NotFoundError('group');
  return { group, canEdit: who.role !== 'observer' };
}

export async function readGroupNorms(db: Db, who: LaunchContext, groupId: string): Promise<GroupNorms> {
  const { group, canEdit } = await visibleGroup(db, who, groupId);
  const latest = await norms.findLatestNorms(db, who.tenantId, group.id);
  return { group, norms: latest?.norms ?? [], version: latest?.version ?? 0, editedBy: latest?.editorName ?? null, editedAt: latest?.createdAt ?? null, canEdit };
}

/** The learner's own group, for the link from module 4; undefined before groups are formed. */
export function ownGroup(db: Db, who: LaunchContext): Promise<Group | undefined> {
  return groups.findGroupOfMember(db, who.tenantId, who.membershipId);
}

/** One norm per line; blank lines dropped. */
export function parseNorms(text: string): string[] {
  const list = text
    .split(/\r?\n/)
    .map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim())
    .filter((l) => l.length > 0);
  if (list.length > MAX_NORMS) throw new ValidationError(msg('groups.errors.tooManyNorms', { max: MAX_NORMS, count: list.length }), { norms: msg('groups.errors.tooManyNorms', { max: MAX_NORMS, count: list.length }) });
  const long = list.find((l) => l.length > MAX_NORM_LENGTH);
  if (long) throw new ValidationError(msg('groups.errors.normTooLong', { max: MAX_NORM_LENGTH, count: long.length, start: long.slice(0, 40) }), { norms: msg('groups.errors.normTooLong', { max: MAX_NORM_LENGTH, count: long.length, start: long.slice(0, 40) }) });
  return list;
}

export async function saveGroupNorms(db: Db, who: LaunchContext, groupId: string, form: { text: string; baseVersion: number }): Promise<{ version: number; changed: boolean }> {
  const { group, canEdit } = await visibleGroup(db, who, groupId);
  if (!canEdit) throw new ForbiddenError('edit-norms', msg('groups.errors.normsMembersOnly'));
  const list = parseNorms(form.text);
  const latest = await norms.findLatestNorms(db, who.tenantId, group.id);
  const current = latest?.version ?? 0;
  if (form.baseVersion !== current) throw normsConflict(latest?.editorName ?? null);
  if (JSON.stringify(list) === JSON.stringify(latest?.norms ?? [])) return { version: current, changed: false };
  const saved = await norms.insertNormsVersion(db, { tenantId: who.tenantId, groupId: group.id, version: current + 1, norms: list, membershipId: who.membershipId });
  if (!saved) throw normsConflict(null);
  return { version: current + 1, changed: true };
}

function normsConflict(editor: string | null): ConflictError {
  return new ConflictError(editor ? msg('groups.errors.normsConflict', { editor }) : msg('groups.errors.normsConflictSomeone'));
}
