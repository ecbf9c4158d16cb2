import type { Group } from '../../models/schema.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { AppError } from '../errors.ts';
import { groupProblemText, validateGroups } from './group-formation.ts';
import type { I18n } from '../i18n/i18n.ts';
import { avatarView } from '../http/avatar.ts';
import type { GroupsPreview } from './groups.service.ts';

interface MemberRow {
  groupId: string;
  membershipId: string;
  name: string | null;
  addedAt: Date;
  groupCreatedAt: Date;
}

/** A member placed more than a minute after the groups were formed joined late (placed automatically). */
const LATE_MS = 60_000;

export function groupsPageView(i18n: I18n, who: LaunchContext, existing: Array<Group & { size: number }>, members: MemberRow[], preview: GroupsPreview | AppError | undefined, photos: ReadonlyMap<string, string> = new Map()) {
  const options = existing.map((g) => ({ id: g.id, name: g.name }));
  const groups = existing.map((g) => ({
    id: g.id,
    name: g.name,
    size: g.size,
    members: members
      .filter((m) => m.groupId === g.id)
      .map((m) => ({
        membershipId: m.membershipId,
        name: m.name,
        avatar: avatarView(m.membershipId, m.name, photos.get(m.membershipId)),
        lateJoiner: m.addedAt.getTime() - m.groupCreatedAt.getTime() > LATE_MS,
        moveOptions: options.filter((o) => o.id !== g.id),
      })),
  }));
  const warnings = validateGroups(groups.map((g) => g.members.map((m) => m.membershipId)), { member: (id) => members.find((m) => m.membershipId === id)?.name ?? '', group: (i) => groups[i]?.name ?? { position: i + 1 } }).map((p) => groupProblemText(i18n, p));
  const previewOk = preview && !('status' in preview) ? preview : undefined;
  return {
    cohort: { id: who.cohortId, title: '' },
    person: { name: who.displayName },
    formed: existing.length > 0,
    groups,
    warnings,
    lateJoiners: groups.flatMap((g) => g.members.filter((m) => m.lateJoiner).map((m) => ({ name: m.name, group: g.name }))),
    preview: previewOk ? { ...previewOk, groups: previewOk.groups.map((g) => ({ ...g, members: g.members.map((m) => ({ ...m, avatar: avatarView(m.membershipId, m.name, photos.get(m.membershipId)) })) })) } : undefined,
    previewProblem: preview && 'status' in preview ? i18n.text(preview.userMessage) : undefined,
    reshuffleSeed: ((previewOk?.seed ?? 0) + 7919) % 2 ** 31,
  };
}
