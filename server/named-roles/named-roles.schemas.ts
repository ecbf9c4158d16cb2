import { z } from 'zod';

export const TenantParams = z.object({ tenantId: z.uuid() });
export const NamedParams = z.object({ tenantId: z.uuid(), namedId: z.uuid() });

/** The tool admin's form: one of an LMS user id or an email (checked by the service). */
export const NameForm = z.object({
  by: z.enum(['lms-user-id', 'email']).default('email'),
  value: z.string().trim().max(400).default(''),
});

/** Removing someone needs `confirmed` (the confirmation page posts it). */
export const RemoveForm = z.object({ confirmed: z.literal('yes').optional() });
