import { z } from 'zod';

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'admin.newPlatform.urlInvalid' })
  .max(2048);

export const DeploymentPolicySchema = z.enum(['strict', 'record', 'approve']);
export const PlatformProductSchema = z.enum(['moodle', 'canvas', 'other']);

/** Origins the LMS frames the tool from; a leading `*.` host wildcard is allowed, as in CSP. */
export const FrameOriginsInput = z
  .array(z.string().trim().regex(/^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?\/?$/i, 'admin.platform.originInvalid'))
  .max(20, 'admin.platform.tooManyOrigins');

/** A platform as an admin (console or CLI) or a dynamic registration describes it. */
export const NewPlatformInput = z.object({
  issuer: httpUrl,
  clientId: z.string().trim().min(1, 'admin.newPlatform.required').max(255),
  name: z.string().trim().min(1, 'admin.newPlatform.required').max(200),
  product: PlatformProductSchema.default('other'),
  authEndpoint: httpUrl,
  tokenEndpoint: httpUrl,
  jwksUri: httpUrl,
  authorizationServer: httpUrl.optional(),
  deploymentIds: z.array(z.string().trim().min(1).max(255)).max(100).default([]),
  deploymentPolicy: DeploymentPolicySchema.default('strict'),
  frameOrigins: FrameOriginsInput.optional(),
});
export type NewPlatformInput = z.input<typeof NewPlatformInput>;

export const DeploymentIdInput = z.string().trim().min(1, 'admin.newPlatform.required').max(255);
