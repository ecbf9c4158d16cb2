// Where a page shows faces: the addresses of the profile photos of the people on it, found in one
// small query by their membership (or person) ids once the page's rows are read. The photo route
// lets in members of any cohort its person is in, so every photo found here is one the viewer of
// this cohort's page may fetch.
import type { Db } from '../../models/db.ts';
import * as media from '../../models/media.queries.ts';
import { mediaHref } from './attachment-view.ts';

/** The avatar's address (the small variant) of a photo a page's own query found with its rows. */
export function photoUrl(who: { cohortId: string }, photo: { id: string | null; contentHash: string | null }): string | undefined {
  return photo.id ? mediaHref(who.cohortId, photo.id, 'thumb', photo.contentHash) : undefined;
}

/** Membership id → avatar address, from rows a page's own queries read with their photos (those who have one). */
export function photoUrlsOf(who: { cohortId: string }, people: Iterable<{ membershipId: string; photoId: string | null; photoHash: string | null }>): Map<string, string> {
  const urls = new Map<string, string>();
  for (const p of people) {
    const url = photoUrl(who, { id: p.photoId, contentHash: p.photoHash });
    if (url) urls.set(p.membershipId, url);
  }
  return urls;
}

/** A page of this cohort: membership id → the avatar's photo address (the small variant), for those who have one. */
export async function memberPhotoUrls(db: Db, who: { tenantId: string; cohortId: string }, membershipIds: Iterable<string>): Promise<Map<string, string>> {
  const rows = await media.listMemberPhotos(db, who.tenantId, [...new Set(membershipIds)]);
  return new Map(rows.map((r) => [r.membershipId, mediaHref(who.cohortId, r.id, 'thumb', r.contentHash)]));
}

/**
 * Person id → photo address, for people the caller knows to be in this cohort (a person of another
 * cohort would get 404 from the route: give only this cohort's people).
 */
export async function personPhotoUrls(db: Db, who: { tenantId: string; cohortId: string }, personIds: Iterable<string>, variant: 'full' | 'thumb' = 'thumb'): Promise<Map<string, string>> {
  const rows = await media.listPersonPhotos(db, who.tenantId, [...new Set(personIds)]);
  return new Map(rows.map((r) => [r.personId, mediaHref(who.cohortId, r.id, variant, r.contentHash)]));
}
