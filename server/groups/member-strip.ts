// The strip at the top of a group's space: who is in my group, and whether each has been here lately.
// "Here" is what we already record: a launch (memberships.last_launch_at) or a post.
import { avatarView, type AvatarView } from '../http/avatar.ts';
import { relativeTime } from '../http/relative-time.ts';

const DAY_MS = 24 * 3600 * 1000;

export type Presence = 'today' | 'this-week' | 'earlier' | 'not-yet';

/** Seen in the last 24 hours, the last 7 days, before that, or never. */
export function presenceOf(lastSeen: Date | null, now: Date): { presence: Presence; label: string } {
  if (!lastSeen) return { presence: 'not-yet', label: 'Not here yet' };
  const ago = now.getTime() - lastSeen.getTime();
  if (ago < DAY_MS) return { presence: 'today', label: 'Active today' };
  if (ago < 7 * DAY_MS) return { presence: 'this-week', label: 'Active this week' };
  return { presence: 'earlier', label: `Last here ${relativeTime(lastSeen, now)}` };
}

export interface StripMember {
  membershipId: string;
  name: string | null;
  lastLaunchAt: Date | null;
  lastPostAt: Date | null;
}

export function memberStripView(rows: StripMember[], me: string, now: Date = new Date(), photos: ReadonlyMap<string, string> = new Map()): Array<{ name: string; you: boolean; avatar: AvatarView; presence: Presence; label: string }> {
  return rows.map((r) => {
    const seen = [r.lastLaunchAt, r.lastPostAt].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
    return { name: r.name ?? 'Name not shared', you: r.membershipId === me, avatar: avatarView(r.membershipId, r.name, photos.get(r.membershipId)), ...presenceOf(seen, now) };
  });
}
