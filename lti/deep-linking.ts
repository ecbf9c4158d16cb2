// The deep linking answer: LtiResourceLink content items signed with this platform's tool key
// (ltijs's DeepLinking service), to be posted back to the LMS by the browser.
import type { DeepLinkingSettings } from './launch-claims.ts';
import type { LtijsServices } from './lti-tool.ts';

export interface ResourceLinkItem {
  type: 'ltiResourceLink';
  title: string;
  text?: string;
  url: string;
  custom?: Record<string, string>;
  lineItem?: { scoreMaximum: number; label: string; resourceId: string };
}

/** A deep linking launch's request, as the answer needs it: the platform's settings and the tool's client and deployment. */
export type DeepLinkingRequest = DeepLinkingSettings & { clientId: string; deploymentId: string };

/** Who asked: the platform user (issuer + sub) of the deep linking launch. */
export interface DeepLinkingLaunch {
  issuer: string;
  sub: string;
  deepLinking?: DeepLinkingRequest | undefined;
}

interface DeepLinkingService {
  createDeepLinkingMessage(idtoken: Record<string, unknown>, items: ResourceLinkItem[], options?: Record<string, string>): Promise<string>;
}

/** The signed LtiDeepLinkingResponse JWT for the launch's deep linking request. */
export async function signDeepLinkingResponse(services: LtijsServices, who: DeepLinkingLaunch, items: ResourceLinkItem[], message: string): Promise<string> {
  const dl = who.deepLinking;
  if (!dl) throw new Error('no deep linking request in this launch');
  const idtoken = {
    iss: who.issuer,
    clientId: dl.clientId,
    deploymentId: dl.deploymentId,
    user: who.sub,
    platformContext: {
      deepLinkingSettings: { deep_link_return_url: dl.returnUrl, accept_types: dl.acceptTypes, accept_multiple: dl.acceptMultiple, data: dl.data },
    },
  };
  return (services.DeepLinking as DeepLinkingService).createDeepLinkingMessage(idtoken, items, { message });
}
