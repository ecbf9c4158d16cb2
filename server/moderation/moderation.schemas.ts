// Input of the moderation routes.
import { z } from 'zod';

export const PostParams = z.object({ cohortId: z.uuid(), postId: z.uuid() });
export const ThreadParams = z.object({ cohortId: z.uuid(), threadId: z.uuid() });
export const FlagParams = z.object({ cohortId: z.uuid(), flagId: z.uuid() });
export const MemberParams = z.object({ cohortId: z.uuid(), membershipId: z.uuid() });

export const ReasonBody = z.object({ reason: z.string().max(5000).default(''), confirmed: z.literal('yes').optional(), from: z.enum(['queue', 'thread']).default('thread') });
// Not `reason`: the kudos form beside it on each post has that name.
export const FlagBody = z.object({ flagReason: z.string().max(5000).default('') });
export const EditBody = z.object({ body: z.string().max(40_000).default(''), reason: z.string().max(5000).default('') });
export const EndorseBody = z.object({ endorsed: z.enum(['yes', 'no']) });
export const FromBody = z.object({ from: z.enum(['queue', 'thread']).default('thread') });
export const MuteBody = z.object({ period: z.string().max(40).default(''), reason: z.string().max(5000).default('') });
export const AnnouncementBody = z.object({ audience: z.string().max(100).default('cohort'), title: z.string().max(1000).default(''), body: z.string().max(20_000).default('') });

export const ACTIONS = ['hide', 'restore', 'delete', 'edit', 'pin', 'unpin', 'lock', 'unlock', 'endorse', 'unendorse', 'dismiss-flag', 'mute', 'unmute', 'announce'] as const;

/** The audit log's filters as typed in the form (kept as typed for the page). */
export const LogQuery = z.object({
  action: z.string().max(40).default(''),
  person: z.string().max(40).default(''),
  from: z.string().max(40).default(''),
  to: z.string().max(40).default(''),
});
