// A person's face where a page names them: their profile photo when they have one
// (server/media/profile-photos.ts finds them for a page), otherwise their initials in a circle whose
// colour follows their id, so the same person looks the same on every page.

/** Colours of the circle (public/styles.css, .avatar-0 … .avatar-7): each ≥ 4.5:1 with white initials. */
export const AVATAR_TONES = 8;

export interface AvatarView {
  initials: string;
  tone: number;
  photoUrl?: string;
}

/** FNV-1a over the id: cheap, stable across processes and releases. */
function toneOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % AVATAR_TONES;
}

/** "Ana María López" → "AL"; "Sam" → "S"; no name shared → "?". */
export function initialsOf(name: string | null | undefined): string {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = [...words[0]!][0]!;
  const last = words.length > 1 ? [...words.at(-1)!][0]! : '';
  return (first + last).toLocaleUpperCase('en');
}

/**
 * The avatar of a member. `id` is their membership id: every page that shows a face is a cohort's,
 * where a person has exactly one membership, and every row a page reads already carries it.
 */
export function avatarView(id: string, name: string | null | undefined, photoUrl?: string): AvatarView {
  return { initials: initialsOf(name), tone: toneOf(id), ...(photoUrl ? { photoUrl } : {}) };
}
