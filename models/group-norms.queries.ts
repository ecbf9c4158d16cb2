// Versions of a group's norms. Every statement is scoped by tenant.
import { preparedQuery, type Executor } from './db.ts';

// Read by every group space page: built once (preparedQuery).
const findLatestNormsQuery = preparedQuery((ex, p: { tenantId: string; groupId: string }) =>
  ex
    .selectFrom('groupNormVersions as v')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenantId', '=', 'v.tenantId').onRef('m.id', '=', 'v.membershipId'))
    .innerJoin('persons as p', (j) => j.onRef('p.tenantId', '=', 'm.tenantId').onRef('p.id', '=', 'm.personId'))
    .select(['v.version', 'v.norms', 'v.createdAt', 'p.name as editorName'])
    .where('v.tenantId', '=', p.tenantId)
    .where('v.groupId', '=', p.groupId)
    .orderBy('v.version', 'desc')
    .limit(1),
);

export async function findLatestNorms(ex: Executor, tenantId: string, groupId: string) {
  return (await findLatestNormsQuery(ex, { tenantId, groupId }))[0];
}

/** Saves version `version`; false when that version exists already (someone saved first). */
export async function insertNormsVersion(ex: Executor, v: { tenantId: string; groupId: string; version: number; norms: string[]; membershipId: string }): Promise<boolean> {
  const inserted = await ex.insertInto('groupNormVersions').values(v).onConflict((c) => c.columns(['tenantId', 'groupId', 'version']).doNothing()).returning('version').executeTakeFirst();
  return inserted !== undefined;
}
