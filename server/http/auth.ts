// Who may open what. A cohort's pages need a launch into that cohort in this session; the admin
// console needs a signed-in tool admin.
import type { Request, RequestHandler } from 'express';
import type { LaunchContext } from '../launch-context.ts';
import { z } from 'zod';
import { AppError, ForbiddenError } from '../errors.ts';
import type { MembershipRole } from '../../models/schema.ts';
import type { Db } from '../../models/db.ts';
import { findMembershipStanding, UNREAD_COUNT_CAP, type MembershipStanding } from '../../models/cohorts.queries.ts';
import type { AppCaches } from '../cache/app-caches.ts';
import { useLocale } from '../i18n/request-locale.ts';
import { msg } from '../i18n/i18n.ts';

const CohortParams = z.object({ cohortId: z.uuid() });

/**
 * Sets req.launch from the session's launch into the URL's cohort: 401 without one, or when the
 * membership, deployment or platform is no longer active (checked on every request, so disabling
 * them ends open sessions); 403 for a role not allowed here. The role is the one stored now.
 */
export function requireLaunch(db: Db, ...roles: MembershipRole[]): RequestHandler {
  return async (req, res, next) => {
    const params = CohortParams.safeParse(req.params);
    if (!params.success) return next(new AppError(404, 'not-found', msg('lti.access.pageNotFound')));
    const launch = req.user?.launches?.[params.data.cohortId];
    if (!launch) {
      return next(new AppError(401, 'no-launch', msg('lti.access.noLaunch')));
    }
    // Refusals below are in the launch's language too.
    if (launch.locale) useLocale(req, res, launch.locale);
    const allowed = (s: MembershipStanding | undefined) => isActive(s) && (roles.length === 0 || roles.includes(s.role));
    const standing = await standingOf(db, req.caches, launch, allowed);
    if (!isActive(standing)) {
      return next(new AppError(401, 'launch-ended', msg('lti.access.launchEnded')));
    }
    if (roles.length > 0 && !roles.includes(standing.role)) return next(new ForbiddenError('role'));
    req.launch = { ...launch, role: standing.role };
    // The header names the cohort on every cohort page, whatever the page passes itself (from the
    // app's cache: no round trip once read).
    if (req.caches) res.locals.cohortTitle = (await req.caches.cohort(launch.tenantId, launch.cohortId))?.title;
    res.locals.returnToCourse = launch.returnUrl;
    const unread = standing.unreadNotifications;
    res.locals.notifications = { href: `/cohorts/${launch.cohortId}/notifications`, unread: unread >= UNREAD_COUNT_CAP ? `${UNREAD_COUNT_CAP - 1}+` : unread };
    next();
  };
}

/**
 * The session's launch into a cohort when it is still good (membership, deployment and platform
 * active), with the stored role; for code outside a cohort route that acts for the person.
 */
export async function findActiveLaunch(db: Db, req: Request, cohortId: string): Promise<LaunchContext | undefined> {
  const launch = req.user?.launches?.[cohortId];
  return launch && recheckLaunch(db, launch, req.caches);
}

/**
 * The launch as it stands now (stored role), or undefined once its membership, deployment or platform
 * has ended: for what outlives one request, such as a live-update stream. From the app's caches when
 * given (kept true across processes by NOTIFY), else from the database.
 */
export async function recheckLaunch(db: Db, launch: LaunchContext, caches?: AppCaches): Promise<LaunchContext | undefined> {
  const standing = await standingOf(db, caches, launch);
  return isActive(standing) ? { ...launch, role: standing.role } : undefined;
}

/**
 * The membership's standing, from the app's caches when given. The cache may lag a change made
 * through another process by the NOTIFY's flight, so a standing that would refuse is read again from
 * PostgreSQL (refusals are rare; a member reactivated or promoted must not be refused). A session
 * needs no such check: every launch gets a fresh session id, never a cached one.
 */
async function standingOf(db: Db, caches: AppCaches | undefined, launch: LaunchContext, allowed: (s: MembershipStanding | undefined) => boolean = isActive): Promise<MembershipStanding | undefined> {
  if (!caches) return findMembershipStanding(db, launch.tenantId, launch.membershipId);
  const cached = await caches.membershipStanding(launch.tenantId, launch.membershipId);
  return allowed(cached) ? cached : caches.membershipStanding(launch.tenantId, launch.membershipId, { fresh: true });
}

/** A launch still counts while its membership, deployment (tenant) and platform are all active. */
function isActive(standing: MembershipStanding | undefined): standing is MembershipStanding {
  return standing !== undefined && [standing.membershipStatus, standing.tenantStatus, standing.platformStatus].every((s) => s === 'active');
}

export const requireAdmin: RequestHandler = (req, res, next) => {
  if (req.user?.adminId) return next();
  if (req.method === 'GET') return res.redirect(303, `/admin/login?next=${encodeURIComponent(req.originalUrl)}`);
  next(new AppError(401, 'admin-login', msg('lti.access.adminSignIn')));
};
