// Names and Role Provisioning Services 2.0: the members of a cohort's LMS context, every page.
//
// Our own small client rather than ltijs's NamesAndRoles.getMembers: that one goes through got with
// its hidden retries (which sleep out any Retry-After, however long) and no timeout, follows a
// `next` link to any host with our bearer token, and collects every page before anything is
// checked. Here each request has a timeout, paging stays on the roster's own origin, each page is
// validated as it arrives, and the whole is bounded; retrying is the job queue's business.
import { z } from 'zod';
import type { Db } from '../models/db.ts';
import { errorText, forgetServiceToken, isRetryableStatus, LtiServiceError, safeJson, serviceToken, type ServicePlatform } from './service-token.ts';

export { LtiServiceError } from './service-token.ts';

export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const MEMBERSHIP_CONTAINER = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

/**
 * A cohort is 10–60 people; a context listing more than this is not a cohort (a site-wide course, a
 * whole faculty) and its roster is refused whole: nothing is applied, rather than an arbitrary part.
 */
export const MAX_ROSTER_MEMBERS = 5000;
const DEFAULTS = { maxMembers: MAX_ROSTER_MEMBERS, pageSize: 100, timeoutMs: 30_000, maxPageBytes: 8 * 1024 * 1024 };

export type RosterMemberStatus = 'Active' | 'Inactive' | 'Deleted';

export interface RosterMember {
  /** The LMS user id: the `sub` of that person's launches. */
  userId: string;
  roles: string[];
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  status: RosterMemberStatus;
}

export interface Roster {
  members: RosterMember[];
  /** Entries the LMS listed that could not be read (no user id, an unknown status…), left out. */
  invalid: number;
}

export interface NrpsOptions {
  maxMembers?: number;
  /** The `limit` asked of the platform per page (it may send fewer). */
  pageSize?: number;
  timeoutMs?: number;
  maxPageBytes?: number;
}

/** The context lists more members than a cohort can have: its roster is not applied. */
export class RosterTooLargeError extends LtiServiceError {
  readonly limit: number;
  constructor(limit: number) {
    super(`the LMS context lists more than ${limit} members`, false);
    this.limit = limit;
    this.name = 'RosterTooLargeError';
  }
}

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .catch(undefined)
    .transform((s) => (s && s.trim() !== '' ? s.trim() : null));

const NrpsMember = z.object({
  user_id: z.string().min(1).max(255),
  roles: z.array(z.string().max(255)).max(50).default([]),
  name: optionalText(255),
  given_name: optionalText(255),
  family_name: optionalText(255),
  email: optionalText(320),
  status: z.enum(['Active', 'Inactive', 'Deleted']).default('Active'),
});

const MembershipContainer = z.object({ members: z.array(z.unknown()) });

/**
 * Every member of the context behind `membershipsUrl` (the launch's NRPS claim), following
 * `Link: <…>; rel="next"` until the last page. Throws LtiServiceError (retryable or not) when the
 * platform fails, and RosterTooLargeError past `maxMembers` without fetching further pages.
 */
export async function fetchContextMembers(
  deps: { db: Db; ltiEncryptionKey: string },
  source: { platform: ServicePlatform; membershipsUrl: string },
  options: NrpsOptions = {},
): Promise<Roster> {
  const opts = { ...DEFAULTS, ...options };
  const tokenDeps = { ...deps, timeoutMs: opts.timeoutMs };
  let token = await serviceToken(tokenDeps, source.platform, NRPS_SCOPE);
  const first = new URL(source.membershipsUrl);
  first.searchParams.set('limit', String(opts.pageSize));
  const origin = first.origin;
  const byUser = new Map<string, RosterMember>();
  const seen = new Set<string>();
  let listed = 0;
  let invalid = 0;
  let next: string | undefined = first.href;
  while (next) {
    if (seen.has(next)) throw new LtiServiceError(`the roster's pages loop back to ${next}`, false);
    seen.add(next);
    let page: Awaited<ReturnType<typeof fetchPage>>;
    try {
      page = await fetchPage(next, token.value, opts);
    } catch (err) {
      // A cached token the LMS no longer takes (Moodle forgets tokens, answering 401): replace it once.
      if (!(err instanceof LtiServiceError && err.status === 401 && token.cached)) throw err;
      await forgetServiceToken(tokenDeps, source.platform, NRPS_SCOPE);
      token = await serviceToken(tokenDeps, source.platform, NRPS_SCOPE, { fresh: true });
      page = await fetchPage(next, token.value, opts);
    }
    for (const entry of page.members) {
      listed++;
      if (listed > opts.maxMembers) throw new RosterTooLargeError(opts.maxMembers);
      const m = NrpsMember.safeParse(entry);
      if (!m.success) {
        invalid++;
        continue;
      }
      byUser.set(m.data.user_id, {
        userId: m.data.user_id,
        roles: m.data.roles,
        name: m.data.name,
        givenName: m.data.given_name,
        familyName: m.data.family_name,
        email: m.data.email,
        status: m.data.status,
      });
    }
    next = page.next;
    // Our bearer token goes only where the roster itself lives.
    if (next && new URL(next).origin !== origin) throw new LtiServiceError(`the roster's next page is on another site (${new URL(next).origin})`, false);
  }
  return { members: [...byUser.values()], invalid };
}

async function fetchPage(url: string, token: string, opts: typeof DEFAULTS): Promise<{ members: unknown[]; next: string | undefined }> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: MEMBERSHIP_CONTAINER },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    text = await readBounded(res, opts.maxPageBytes);
  } catch (err) {
    if (err instanceof LtiServiceError) throw err;
    throw new LtiServiceError(`roster request ${url} failed: ${errorText(err)}`, true);
  }
  if (!res.ok) {
    throw new LtiServiceError(`roster request ${url} answered ${res.status}: ${text.slice(0, 300)}`, isRetryableStatus(res.status) || res.status === 401, res.status);
  }
  const body = MembershipContainer.safeParse(safeJson(text));
  if (!body.success) throw new LtiServiceError(`roster page ${url} is not a membership container`, false, res.status);
  return { members: body.data.members, next: nextLink(res.headers.get('link'), url) };
}

async function readBounded(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new LtiServiceError(`a roster page of ${declared} bytes is over the ${maxBytes} limit`, false);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new LtiServiceError(`a roster page is over the ${maxBytes} byte limit`, false);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The `rel="next"` target of a Link header (RFC 8288), resolved against the page's URL. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(m[2] ?? '')?.[1];
    if (rel && rel.toLowerCase().split(/\s+/).includes('next')) {
      try {
        return new URL(m[1]!, base).href;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
