// The strip at the top of a group's space: who is in my group, and whether each has been here lately.
// "Here" is what we already record: a launch (memberships.last_launch_at) or a post.
import { avatarView, type AvatarView } from '../http/avatar.ts';
import { relativeTime } from '../http/relative-time.ts';
import type { I18n } from '../i18n/i18n.ts';

const DAY_MS = 24 * 3600 * 1000;

export type Presence = 'today' | 'this-week' | 'earlier' | 'not-yet';

/** Seen in the last 24 hours, the last 7 days, before that, or never. */
export function presenceOf(lastSeen: Date | null, now: Date, i18n: I18n): { presence: Presence; label: string } {
  if (!lastSeen) return { presence: 'not-yet', label: i18n.t('discussions.presence.notYet') };
  const ago = now.getTime() - lastSeen.getTime();
  if (ago < DAY_MS) return { presence: 'today', label: i18n.t('discussions.presence.today') };
  if (ago < 7 * DAY_MS) return { presence: 'this-week', label: i18n.t('discussions.presence.thisWeek') };
  return { presence: 'earlier', label: i18n.t('discussions.presence.earlier', { when: relativeTime(lastSeen, now, i18n) }) };
}

export interface StripMember {
  membershipId: string;
  name: string | null;
  lastLaunchAt: Date | null;
  lastPostAt: Date | null;
}

export function memberStripView(rows: StripMember[], me: string, now: Date, photos: ReadonlyMap<string, string>, i18n: I18n): Array<{ name: string | null; you: boolean; avatar: AvatarView; presence: Presence; label: string }> {
  return rows.map((r) => {
    const seen = [r.lastLaunchAt, r.lastPostAt].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
    return { name: r.name, you: r.membershipId === me, avatar: avatarView(r.membershipId, r.name, photos.get(r.membershipId)), ...presenceOf(seen, now, i18n) };
  });
}
