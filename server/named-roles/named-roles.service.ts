// Named roles (CONTEXT.md): the tool admin names people to a tenant's programme leads or content
// editors, by the LMS's user id or by email, besides the LMS roles that make one at launch. Whether
// someone is named is looked up at launch and at each request (models/named-roles.queries.ts).
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import * as namedRoles from '../../models/named-roles.queries.ts';
import type { NamedRole } from '../../models/schema.ts';
import { AppError, NotFoundError, ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';

/** Each role in words, as pages and messages say it. */
export const ROLE_NOUN: Record<NamedRole, string> = {
  'programme-lead': 'programme lead',
  'content-editor': 'content editor',
};

const Email = z.email().max(320);

/** Names someone to the role in the tenant; 400 for an empty or malformed value, 409 when already named. */
export async function nameToRole(db: Db, tenantId: string, role: NamedRole, form: { by: 'lms-user-id' | 'email'; value: string }): Promise<void> {
  if (form.value === '') throw new ValidationError(msg('admin.roles.valueMissing'), { value: msg('admin.roles.valueMissing') });
  if (form.by === 'email' && !Email.safeParse(form.value).success) throw new ValidationError(msg('admin.roles.notEmail'), { value: msg('admin.roles.notEmail') });
  if (form.by === 'lms-user-id' && form.value.length > 255) throw new ValidationError(msg('admin.roles.idTooLong', { max: 255 }), { value: msg('admin.roles.idTooLong', { max: 255 }) });
  const added = await namedRoles.insertNamedRole(db, {
    tenantId,
    role,
    lmsUserId: form.by === 'lms-user-id' ? form.value : null,
    email: form.by === 'email' ? form.value.toLowerCase() : null,
  });
  if (!added) throw new AppError(409, 'named-role-exists', msg('admin.roles.exists', { one: role === 'programme-lead' ? 'lead' : 'editor' }));
}

export async function removeFromRole(db: Db, tenantId: string, role: NamedRole, id: string): Promise<void> {
  if (!(await namedRoles.deleteNamedRole(db, tenantId, role, id))) throw new NotFoundError(ROLE_NOUN[role]);
}
