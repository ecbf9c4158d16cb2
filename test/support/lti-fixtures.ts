// Wiring a simulated LMS to a running test app: the LMS knows the tool, the tool knows the platform.
import { registerPlatform } from '../../server/platforms/platforms.service.ts';
import type { Platform } from '../../models/schema.ts';
import { LtiPlatformSimulator, type PlatformKind } from './lti-platform-simulator.ts';
import type { TestApp } from './test-app.ts';
import { CANVAS_SUBMISSION } from '../../lti/ags.ts';

export const ROLES = {
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  ta: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
} as const;

export interface ConnectedPlatform {
  sim: LtiPlatformSimulator;
  platform: Platform;
  clientId: string;
  deploymentId: string;
}

/** Registers the tool in the simulator and the simulator's platform in the tool, as an admin would by hand. */
export async function connectPlatform(
  app: TestApp,
  sim: LtiPlatformSimulator,
  opts: { status?: Platform['status']; deploymentPolicy?: Platform['deploymentPolicy']; listDeployment?: boolean } = {},
): Promise<ConnectedPlatform> {
  const { clientId, deploymentId } = sim.addTool({ toolUrl: app.url });
  const platform = await registerPlatform(
    { db: app.db, ltiEncryptionKey: app.config.ltiEncryptionKey! },
    {
      issuer: sim.issuer,
      clientId,
      name: `${sim.kind} simulator`,
      product: sim.kind,
      authEndpoint: sim.authEndpoint,
      tokenEndpoint: sim.tokenEndpoint,
      jwksUri: sim.jwksUri,
      authorizationServer: sim.authorizationServer,
      deploymentIds: opts.listDeployment === false ? [] : [deploymentId],
      deploymentPolicy: opts.deploymentPolicy ?? 'strict',
      frameOrigins: [sim.baseUrl],
    },
    { status: opts.status ?? 'active', registeredVia: 'manual' },
  );
  return { sim, platform, clientId, deploymentId };
}

export async function startSimulator(kind: PlatformKind, name?: string): Promise<LtiPlatformSimulator> {
  return LtiPlatformSimulator.start({ kind, name });
}

/** A score as our AGS client puts it on the wire: the stored payload plus Canvas's submission extension. */
export function asSentScore(payload: Record<string, unknown>): Record<string, unknown> {
  return { ...payload, [CANVAS_SUBMISSION]: { new_submission: false } };
}
