// The guard of a named role's pages (/programme for programme leads, /editions for content editors).
import type { Request, RequestHandler } from 'express';
import type { Db } from '../../models/db.ts';
import { listNamedRolesOf } from '../../models/named-roles.queries.ts';
import type { NamedRole } from '../../models/schema.ts';
import { AppError, ForbiddenError } from '../errors.ts';
import { recheckLaunch } from '../http/auth.ts';
import { msg } from '../i18n/i18n.ts';

/** Per role: the launch's flag its LMS roles set (lti/roles.ts), and the 403 of everyone else. */
const ROLE_GUARDS: Record<NamedRole, { flag: 'programmeLead' | 'contentEditor'; forbidden: () => ForbiddenError }> = {
  'programme-lead': {
    flag: 'programmeLead',
    forbidden: () => new ForbiddenError('programme', msg('admin.roles.programmeOnly')),
  },
  'content-editor': {
    flag: 'contentEditor',
    forbidden: () => new ForbiddenError('edit-editions', msg('admin.roles.editorsOnly')),
  },
};

/**
 * Sets req.launch from the session's latest launch that still stands (membership, deployment,
 * platform active) whose person has the role in its tenant: by the LMS's roles at that launch, or
 * named by the tool admin (looked up now, so a removal counts at once). Its tenant is the one shown;
 * the launch's flag for the role is set. 401 without any launch; 403 for everyone else.
 */
export function requireNamedRole(db: Db, role: NamedRole): RequestHandler {
  const { flag, forbidden } = ROLE_GUARDS[role];
  return async (req: Request, res, next) => {
    const launches = Object.values(req.user?.launches ?? {});
    if (launches.length === 0) {
      return next(new AppError(401, 'no-launch', msg('lti.access.noLaunch')));
    }
    const latestFirst = [...launches].sort((a, b) => b.launchedAt.localeCompare(a.launchedAt));
    for (const l of latestFirst) {
      if (l[flag] !== true && (await listNamedRolesOf(db, l.tenantId, l.personId, [role])).length === 0) continue;
      const standing = await recheckLaunch(db, l, req.caches);
      if (standing) {
        req.launch = { ...standing, [flag]: true };
        res.locals.returnToCourse = standing.returnUrl;
        return next();
      }
    }
    next(forbidden());
  };
}
