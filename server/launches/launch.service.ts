// After ltijs has verified the id_token: validate every claim we use, apply the platform's deployment
// policy, record the cohort, person and membership, and say where the launch lands.
import { decodeJwt } from 'jose';
import type { Db, RetryOptions } from '../../models/db.ts';
import * as platforms from '../../models/platforms.queries.ts';
import { listNamedRolesOf } from '../../models/named-roles.queries.ts';
import type { NamedRole, Platform } from '../../models/schema.ts';
import * as logins from '../../models/lti-logins.queries.ts';
import { AppError, LaunchReplayedError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { recordLaunch } from '../cohorts/cohorts.service.ts';
import type { LaunchContext } from '../launch-context.ts';
import { LaunchClaims, toLaunch } from '../../lti/launch-claims.ts';
import { isContentEditorRole, isProgrammeLeadRole } from '../../lti/roles.ts';
import { readForLaunch, type LaunchCache } from '../../lti/launch-cache.ts';
import { resolveLaunchTenant } from '../platforms/platforms.service.ts';
import type { AppCaches } from '../cache/app-caches.ts';

export interface LaunchServiceDeps {
  db: Db;
  log?: RetryOptions['log'];
  /** The app's cache: the launch's deployment (tenant) is read through it. */
  cache?: LaunchCache;
  /** The app's caches: the standing the launch's statement reads is kept there for its first page. */
  standings?: Pick<AppCaches, 'keepStandingFrom'>;
}

/**
 * The verified launch's context for our session, and the page it lands on. `login`: the OIDC login
 * the launch completes, used up as the launch is recorded (refused if already used). `known`: the
 * platform already read in this request, used when it is the token's (issuer and client id).
 */
export async function acceptLaunch(
  deps: LaunchServiceDeps,
  idToken: unknown,
  clientId: string,
  login: logins.LtiLogin,
  known?: Platform,
): Promise<{ context: LaunchContext; target: string; gradesBackfillDue: boolean }> {
  try {
    return await recordVerifiedLaunch(deps, idToken, clientId, login, known);
  } catch (err) {
    // A refused launch uses up its login too: sent again (a reload), it is refused as used, not as
    // coming from a browser that keeps no cookies (ltijs has cleared the state cookie by now).
    if (!(err instanceof LaunchReplayedError)) await logins.useUpLtiLogin(deps.db, login).catch(() => undefined);
    throw err;
  }
}

async function recordVerifiedLaunch(
  deps: LaunchServiceDeps,
  idToken: unknown,
  clientId: string,
  login: logins.LtiLogin,
  known?: Platform,
): Promise<{ context: LaunchContext; target: string; gradesBackfillDue: boolean }> {
  if (typeof idToken !== 'string') throw new AppError(400, 'launch-body', msg('lti.launch.noIdToken'));
  const parsed = LaunchClaims.safeParse(decodeJwt(idToken));
  if (!parsed.success) {
    const claims = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'token').replace(/^https:\/\/purl\.imsglobal\.org\/spec\//, '')))];
    throw new AppError(400, 'launch-claims', msg('lti.launch.badClaims', { claims: claims.join(', ') }));
  }
  const launch = toLaunch(parsed.data, clientId);
  const platform = known && known.issuer === launch.issuer && known.clientId === launch.clientId
    ? known
    : await platforms.findPlatformByIssuerAndClient(deps.db, launch.issuer, launch.clientId);
  if (!platform || platform.status !== 'active') {
    throw new AppError(403, 'inactive-platform', msg('lti.launch.inactivePlatform'));
  }
  const tenant = await resolveLaunchTenant(deps.db, platform, launch.deploymentId, (platformId, deploymentId) =>
    readForLaunch(
      deps.cache,
      `launch-tenant:${platformId}\n${deploymentId}`,
      () => platforms.findTenantByDeployment(deps.db, platformId, deploymentId),
      (t) => [`tenant:${t.id}`],
      (t) => t.status === 'active',
    ),
    // A deployment is recorded by a launch whose login is still open (a replay records nothing).
    async () => {
      if (!(await logins.isLtiLoginOpen(deps.db, login))) throw new LaunchReplayedError();
    },
  );
  if (!launch.context) {
    throw new AppError(400, 'launch-no-context', msg('lti.launch.noContext'));
  }
  const inContext = { ...launch, context: launch.context };
  const record = () => recordLaunch(deps.db, { tenantId: tenant.id, platformId: platform.id }, inContext, login, deps.log);
  const { context: recorded, gradesBackfillDue } = deps.standings
    ? await deps.standings.keepStandingFrom(tenant.id, record, (r) => ({ membershipId: r.context.membershipId, standing: r.standing }))
    : await record();
  if (launch.deepLinking && recorded.role !== 'facilitator') {
    throw new AppError(403, 'deep-linking-role', msg('lti.launch.deepLinkingRole'));
  }
  const programmeLead = isProgrammeLeadRole(launch.roles);
  const contentEditor = isContentEditorRole(launch.roles);
  // Only a facilitator's console shows the programme and editions links: a learner's launch asks nothing more.
  const facilitator = recorded.role === 'facilitator';
  // The roles the LMS's did not give, asked of the tool admin's names in one lookup (none: no query).
  const ask: NamedRole[] = [];
  if (facilitator && !programmeLead) ask.push('programme-lead');
  if (facilitator && !contentEditor) ask.push('content-editor');
  const named = await listNamedRolesOf(deps.db, tenant.id, recorded.personId, ask);
  const namedProgrammeLead = named.includes('programme-lead');
  const namedContentEditor = named.includes('content-editor');
  const withReturn = { ...recorded, returnUrl: launch.returnUrl, programmeLead, namedProgrammeLead, contentEditor, namedContentEditor };
  const context = launch.deepLinking ? { ...withReturn, deepLinking: { ...launch.deepLinking, clientId: launch.clientId, deploymentId: launch.deploymentId } } : withReturn;
  const home = `/cohorts/${context.cohortId}`;
  const target = launch.deepLinking
    ? `${home}/deep-linking`
    : launch.moduleId
      ? `${home}/modules/${launch.moduleId}`
      : context.role === 'facilitator'
        ? `${home}/console`
        : home;
  return { context, target, gradesBackfillDue };
}
