// A tenant's privacy notice. Every statement is scoped by tenant.
import type { Executor } from './db.ts';

export function findPrivacyNotice(ex: Executor, tenantId: string): Promise<{ bodySource: string; bodyHtml: string; updatedAt: Date } | undefined> {
  return ex.selectFrom('privacyNotices').select(['bodySource', 'bodyHtml', 'updatedAt']).where('tenantId', '=', tenantId).executeTakeFirst();
}

export async function upsertPrivacyNotice(ex: Executor, n: { tenantId: string; bodySource: string; bodyHtml: string }): Promise<void> {
  await ex
    .insertInto('privacyNotices')
    .values(n)
    .onConflict((oc) => oc.column('tenantId').doUpdateSet({ bodySource: n.bodySource, bodyHtml: n.bodyHtml, updatedAt: new Date() }))
    .execute();
}

export async function deletePrivacyNotice(ex: Executor, tenantId: string): Promise<void> {
  await ex.deleteFrom('privacyNotices').where('tenantId', '=', tenantId).execute();
}

/** The tenant and its platform's name, for the admin's edit page; undefined for an unknown id. */
export function findNoticeTenant(ex: Executor, tenantId: string) {
  return ex
    .selectFrom('tenants as t')
    .innerJoin('platforms as p', 'p.id', 't.platformId')
    .select(['t.id', 't.deploymentId', 'p.id as platformId', 'p.name as platformName'])
    .where('t.id', '=', tenantId)
    .executeTakeFirst();
}
