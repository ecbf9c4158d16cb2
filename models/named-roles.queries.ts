// People the tool admin named to a tenant role (programme lead, content editor), by LMS user id or
// (lower-case) email: the admin pages' list, add and remove; the one lookup the launch and the
// per-request guards use; erasure's removal.
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import type { NamedRole } from './schema.ts';

/** The people named to the role in the tenant, oldest first. */
export function listNamedRoles(ex: Executor, tenantId: string, role: NamedRole) {
  return ex.selectFrom('namedRoles').select(['id', 'lmsUserId', 'email', 'createdAt']).where('tenantId', '=', tenantId).where('role', '=', role).orderBy('createdAt').orderBy('id').execute();
}

export function findNamedRole(ex: Executor, tenantId: string, role: NamedRole, id: string) {
  return ex.selectFrom('namedRoles').select(['id', 'lmsUserId', 'email']).where('tenantId', '=', tenantId).where('role', '=', role).where('id', '=', id).executeTakeFirst();
}

/** Names someone to the role by LMS user id or (lower-case) email; false when already named to it. */
export async function insertNamedRole(ex: Executor, n: { tenantId: string; role: NamedRole; lmsUserId: string | null; email: string | null }): Promise<boolean> {
  const r = await ex.insertInto('namedRoles').values(n).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteNamedRole(ex: Executor, tenantId: string, role: NamedRole, id: string): Promise<boolean> {
  const r = await ex.deleteFrom('namedRoles').where('tenantId', '=', tenantId).where('role', '=', role).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Which of `roles` the tool admin named this person to in the tenant (by their LMS user id, or their
 * email): the one lookup, at launch and at each request of a named role's pages.
 */
export async function listNamedRolesOf(ex: Executor, tenantId: string, personId: string, roles: readonly NamedRole[]): Promise<NamedRole[]> {
  if (roles.length === 0) return [];
  const { rows } = await sql<{ role: NamedRole }>`
    SELECT DISTINCT n.role FROM persons p JOIN named_roles n ON n.tenant_id = p.tenant_id
    WHERE p.tenant_id = ${tenantId} AND p.id = ${personId} AND n.role = ANY(${roles}::text[])
      AND (n.lms_user_id = p.sub OR (p.email IS NOT NULL AND n.email = lower(p.email)))`.execute(ex);
  return rows.map((r) => r.role);
}

/** An erased person is named to no role any more: the rows naming their LMS user id or their email go. */
export async function deleteNamedRolesNaming(ex: Executor, tenantId: string, lmsUserId: string, email: string | null): Promise<void> {
  await sql`DELETE FROM named_roles WHERE tenant_id = ${tenantId} AND (lms_user_id = ${lmsUserId} OR (${email}::text IS NOT NULL AND email = lower(${email})))`.execute(ex);
}
