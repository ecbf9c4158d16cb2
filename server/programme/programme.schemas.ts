import { z } from 'zod';
import { GOAL_KINDS } from './comparisons.ts';

export const GoalParams = z.object({ goalId: z.uuid() });

/** A lead's relationship goal, as the form sends it (checked by the service). */
export const GoalForm = z.object({
  kind: z.string().max(40).default(''),
  threshold: z.string().trim().max(10).default(''),
  at: z.string().trim().max(10).default(''),
});
export const GOAL_KIND_IDS = Object.keys(GOAL_KINDS) as Array<keyof typeof GOAL_KINDS>;
