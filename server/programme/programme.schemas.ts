import { z } from 'zod';
import { GOAL_KINDS } from './comparisons.ts';

export const TenantParams = z.object({ tenantId: z.uuid() });
export const LeadParams = z.object({ tenantId: z.uuid(), leadId: z.uuid() });
export const GoalParams = z.object({ goalId: z.uuid() });

/** The tool admin's form: one of an LMS user id or an email (checked by the service). */
export const LeadForm = z.object({
  by: z.enum(['lms-user-id', 'email']).default('email'),
  value: z.string().trim().max(400).default(''),
});

/** Removing a lead needs `confirmed` (the confirmation page posts it). */
export const RemoveForm = z.object({ confirmed: z.literal('yes').optional() });

/** A lead's relationship goal, as the form sends it (checked by the service). */
export const GoalForm = z.object({
  kind: z.string().max(40).default(''),
  threshold: z.string().trim().max(10).default(''),
  at: z.string().trim().max(10).default(''),
});
export const GOAL_KIND_IDS = Object.keys(GOAL_KINDS) as Array<keyof typeof GOAL_KINDS>;
