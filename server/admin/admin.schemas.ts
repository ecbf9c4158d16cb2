import { z } from 'zod';
import { DeploymentPolicySchema, PlatformProductSchema } from '../platforms/platforms.schemas.ts';

export const LoginBody = z.object({
  email: z.string().trim().max(320).default(''),
  password: z.string().max(1024).default(''),
  next: z.string().max(2048).optional(),
});

export const PlatformParams = z.object({ platformId: z.uuid() });
export const DeploymentParams = z.object({ platformId: z.uuid(), tenantId: z.uuid() });

/** Activate or disable (a platform or a deployment); disabling needs `confirmed`. */
export const DefaultLocaleBody = z.object({ defaultLocale: z.string().max(20) });

export const StatusBody = z.object({
  status: z.enum(['active', 'disabled']),
  confirmed: z.literal('yes').optional(),
});
export const PolicyBody = z.object({ deploymentPolicy: DeploymentPolicySchema });
export const FrameOriginsBody = z.object({ frameOrigins: z.string().max(4000).default('') });
export const DeploymentBody = z.object({ deploymentId: z.string().default('') });

/** The manual registration form: deployment ids and frame origins one per line. */
export const NewPlatformForm = z.object({
  issuer: z.string().default(''),
  clientId: z.string().default(''),
  name: z.string().default(''),
  product: PlatformProductSchema.default('other'),
  authEndpoint: z.string().default(''),
  tokenEndpoint: z.string().default(''),
  jwksUri: z.string().default(''),
  authorizationServer: z.string().default(''),
  deploymentIds: z.string().default(''),
  deploymentPolicy: DeploymentPolicySchema.default('strict'),
  status: z.enum(['active', 'pending']).default('active'),
});

export function lines(s: string): string[] {
  return s
    .split(/[\r\n,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}
