// Versions of a group's norms. Every statement is scoped by tenant.
import type { Executor } from './db.ts';

export function findLatestNorms(ex: Executor, tenantId: string, groupId: string) {
  return ex
    .selectFrom('groupNormVersions as v')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'v.tenantId').onRef('m.id', '=', 'v.membershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['v.version', 'v.norms', 'v.createdAt', 'p.name as editorName'])
    .where('v.tenantId', '=', tenantId)
    .where('v.groupId', '=', groupId)
    .orderBy('v.version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Saves version `version`; false when that version exists already (someone saved first). */
export async function insertNormsVersion(ex: Executor, v: { tenantId: string; groupId: string; version: number; norms: string[]; membershipId: string }): Promise<boolean> {
  const inserted = await ex.insertInto('groupNormVersions').values(v).onConflict((c) => c.columns(['tenantId', 'groupId', 'version']).doNothing()).returning('version').executeTakeFirst();
  return inserted !== undefined;
}
