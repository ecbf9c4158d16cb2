// Programme leads named by the tool admin for a tenant (besides the LMS's Administrator role at
// launch): by the LMS's user id or by email. Whether someone is one is looked up at each request.
import { z } from 'zod';
import type { Db } from '../../models/db.ts';
import * as programme from '../../models/programme.queries.ts';
import { AppError, NotFoundError, ValidationError } from '../errors.ts';

const Email = z.email().max(320);

/** Names a lead of the tenant; 400 for an empty or malformed value, 409 when already named. */
export async function nameProgrammeLead(db: Db, tenantId: string, form: { by: 'lms-user-id' | 'email'; value: string }): Promise<void> {
  if (form.value === '') throw new ValidationError('Type the person’s email or LMS user id.', { value: 'Type the person’s email or LMS user id.' });
  if (form.by === 'email' && !Email.safeParse(form.value).success) throw new ValidationError('That is not an email address.', { value: 'That is not an email address.' });
  if (form.by === 'lms-user-id' && form.value.length > 255) throw new ValidationError('An LMS user id is at most 255 characters.', { value: 'An LMS user id is at most 255 characters.' });
  const added = await programme.insertProgrammeLead(db, {
    tenantId,
    lmsUserId: form.by === 'lms-user-id' ? form.value : null,
    email: form.by === 'email' ? form.value.toLowerCase() : null,
  });
  if (!added) throw new AppError(409, 'lead-exists', 'That person is already a programme lead of this deployment.');
}

export async function removeProgrammeLead(db: Db, tenantId: string, leadId: string): Promise<void> {
  if (!(await programme.deleteProgrammeLead(db, tenantId, leadId))) throw new NotFoundError('programme lead');
}
