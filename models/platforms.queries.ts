import type { Executor } from './db.ts';
import type { NewPlatform, Platform, PlatformUpdate, Tenant, TenantStatus } from './schema.ts';

/** The columns of `platforms as p` a service token needs (lti/service-token.ts ServicePlatform). */
export const SERVICE_PLATFORM_COLUMNS = ['p.issuer', 'p.clientId', 'p.tokenEndpoint', 'p.authorizationServer', 'p.toolKid'] as const;

export function findPlatform(ex: Executor, id: string): Promise<Platform | undefined> {
  return ex.selectFrom('platforms').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findPlatformByIssuerAndClient(ex: Executor, issuer: string, clientId: string): Promise<Platform | undefined> {
  return ex
    .selectFrom('platforms')
    .selectAll()
    .where('issuer', '=', issuer)
    .where('clientId', '=', clientId)
    .executeTakeFirst();
}

export function listPlatforms(ex: Executor): Promise<Array<Platform & { deploymentCount: number }>> {
  return ex
    .selectFrom('platforms')
    .selectAll('platforms')
    .select((eb) =>
      eb
        .selectFrom('tenants')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('tenants.platformId', '=', 'platforms.id')
        .as('deploymentCount'),
    )
    .orderBy('createdAt', 'desc')
    .execute()
    .then((rows) => rows.map((r) => ({ ...r, deploymentCount: Number(r.deploymentCount ?? 0) })));
}

export function insertPlatform(ex: Executor, platform: NewPlatform): Promise<Platform> {
  return ex.insertInto('platforms').values(platform).returningAll().executeTakeFirstOrThrow();
}

export function updatePlatform(ex: Executor, id: string, changes: PlatformUpdate): Promise<Platform | undefined> {
  return ex
    .updateTable('platforms')
    .set({ ...changes, updatedAt: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Every origin an active platform may frame the tool from (a pending registration is anyone's). */
export async function listFrameOrigins(ex: Executor): Promise<string[]> {
  const rows = await ex
    .selectFrom('platforms')
    .select('frameOrigins')
    .where('status', '=', 'active')
    .execute();
  return [...new Set(rows.flatMap((r) => r.frameOrigins))].sort();
}

export function listTenantsOfPlatform(ex: Executor, platformId: string): Promise<Tenant[]> {
  return ex.selectFrom('tenants').selectAll().where('platformId', '=', platformId).orderBy('createdAt').execute();
}

export function findTenantByDeployment(ex: Executor, platformId: string, deploymentId: string): Promise<Tenant | undefined> {
  return ex
    .selectFrom('tenants')
    .selectAll()
    .where('platformId', '=', platformId)
    .where('deploymentId', '=', deploymentId)
    .executeTakeFirst();
}

/** Inserts the deployment, or returns the one already there (a concurrent first launch may race us). */
export async function insertTenant(
  ex: Executor,
  tenant: { platformId: string; deploymentId: string; status: TenantStatus },
): Promise<Tenant> {
  const inserted = await ex
    .insertInto('tenants')
    .values(tenant)
    .onConflict((oc) => oc.columns(['platformId', 'deploymentId']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  const existing = await findTenantByDeployment(ex, tenant.platformId, tenant.deploymentId);
  if (!existing) throw new Error('tenant vanished during insert');
  return existing;
}

/** The deployment's default language (its people's pages when neither they nor their launch say). */
export function updateTenantDefaultLocale(ex: Executor, platformId: string, tenantId: string, defaultLocale: string): Promise<Tenant | undefined> {
  return ex.updateTable('tenants').set({ defaultLocale }).where('id', '=', tenantId).where('platformId', '=', platformId).returningAll().executeTakeFirst();
}

export function updateTenantStatus(ex: Executor, platformId: string, tenantId: string, status: TenantStatus): Promise<Tenant | undefined> {
  return ex
    .updateTable('tenants')
    .set({ status })
    .where('id', '=', tenantId)
    .where('platformId', '=', platformId)
    .returningAll()
    .executeTakeFirst();
}
