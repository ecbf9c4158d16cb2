// LTI Dynamic Registration (Moodle, Canvas) and the Canvas developer key JSON. We do this ourselves
// rather than through ltijs: its version fetches any URL, generates keys synchronously, and has no notion
// of trusted issuers.
import dns from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { Db } from '../models/db.ts';
import type { Platform } from '../models/schema.ts';
import { AppError } from '../server/errors.ts';
import { normaliseIssuer, type Config } from '../server/config.ts';
import { registerPlatform } from './platforms.service.ts';

const TOOL_CONFIG = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const PLATFORM_CONFIG = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
export const TOOL_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];
const TOOL_NAME = 'Circlework';
const TOOL_DESCRIPTION = 'A nine-module social learning workshop: small groups, discussion spaces and action plans that last beyond the course.';
const MAX_RESPONSE_BYTES = 256 * 1024;

const OpenIdConfiguration = z.looseObject({
  issuer: z.url({ protocol: /^https?$/ }).max(2048),
  authorization_endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  token_endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  jwks_uri: z.url({ protocol: /^https?$/ }).max(2048),
  registration_endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  authorization_server: z.string().max(2048).optional(),
  [PLATFORM_CONFIG]: z
    .looseObject({ product_family_code: z.string().max(100).optional() })
    .optional(),
});

const RegistrationResponse = z.looseObject({
  client_id: z.string().min(1).max(255),
  [TOOL_CONFIG]: z.looseObject({ deployment_id: z.string().min(1).max(255).optional() }).optional(),
});

export const RegistrationQuery = z.object({
  openid_configuration: z.url({ protocol: /^https?$/ }).max(2048),
  registration_token: z.string().max(8192).optional(),
});

export interface RegistrationDeps {
  config: Config;
  db: Db;
  ltiEncryptionKey: string;
}

function toolUrls(config: Config) {
  const base = config.publicUrl.origin + config.publicUrl.pathname.replace(/\/$/, '');
  return { login: `${base}/lti/login`, launch: `${base}/lti/launch`, keys: `${base}/lti/keys`, icon: `${base}/public/icon.svg` };
}

/** Registers this tool with the platform that sent the admin here; returns the stored platform. */
export async function registerDynamically(
  deps: RegistrationDeps,
  query: z.infer<typeof RegistrationQuery>,
): Promise<Platform> {
  const configUrl = new URL(query.openid_configuration);
  if (configUrl.protocol !== 'https:' && !deps.config.allowInsecureRegistration) {
    throw new AppError(400, 'registration-insecure', 'The platform’s configuration address must use https.');
  }
  const auth: Record<string, string> = query.registration_token ? { authorization: `Bearer ${query.registration_token}` } : {};
  const configuration = OpenIdConfiguration.safeParse(await fetchJson(configUrl.toString(), { headers: auth }, deps.config));
  if (!configuration.success) {
    throw new AppError(502, 'registration-config', 'The platform’s OpenID configuration is missing required fields (issuer, endpoints, JWKS, registration endpoint).');
  }
  const platformConfig = configuration.data;
  const issuer = normaliseIssuer(platformConfig.issuer);
  const family = platformConfig[PLATFORM_CONFIG]?.product_family_code?.toLowerCase();
  const product = family === 'moodle' ? 'moodle' : family === 'canvas' ? 'canvas' : 'other';
  const registration = RegistrationResponse.safeParse(
    await fetchJson(platformConfig.registration_endpoint, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(registrationRequest(deps.config, product)),
    }, deps.config),
  );
  if (!registration.success) throw new AppError(502, 'registration-answer', 'The platform did not return a client id for Circlework.');
  const deploymentId = registration.data[TOOL_CONFIG]?.deployment_id;
  // Trust is given to an issuer only when the configuration and every endpoint it names live on that
  // issuer's own site: anyone can publish a configuration that *claims* a trusted issuer.
  const trusted = deps.config.trustedIssuers.includes(issuer) && servedByIssuer(issuer, query.openid_configuration, platformConfig);
  return registerPlatform(
    deps,
    {
      issuer,
      clientId: registration.data.client_id,
      name: `${product === 'other' ? 'LMS' : product === 'moodle' ? 'Moodle' : 'Canvas'} at ${configUrl.host}`,
      product,
      authEndpoint: platformConfig.authorization_endpoint,
      tokenEndpoint: platformConfig.token_endpoint,
      jwksUri: platformConfig.jwks_uri,
      authorizationServer: z.url().safeParse(platformConfig.authorization_server).data,
      deploymentIds: deploymentId ? [deploymentId] : [],
      // Moodle names the deployment at registration; Canvas only at the first launch, under this
      // client id that belongs to one institution's developer key.
      deploymentPolicy: deploymentId ? 'strict' : 'record',
      frameOrigins: product === 'canvas' ? undefined : [configUrl.origin, new URL(issuer).origin],
    },
    { status: trusted ? 'active' : 'pending', registeredVia: 'dynamic' },
  );
}

function servedByIssuer(issuer: string, configUrl: string, c: z.infer<typeof OpenIdConfiguration>): boolean {
  const origin = new URL(issuer).origin;
  const urls = [configUrl, c.registration_endpoint, c.jwks_uri, c.authorization_endpoint, c.token_endpoint];
  return configUrl.startsWith(`${issuer}/`) && urls.every((u) => new URL(u).origin === origin);
}

function registrationRequest(config: Config, product: Platform['product']): Record<string, unknown> {
  const urls = toolUrls(config);
  const canvas = product === 'canvas';
  const messages: Record<string, unknown>[] = [
    { type: 'LtiDeepLinkingRequest', target_link_uri: urls.launch, label: TOOL_NAME, ...(canvas ? { placements: ['link_selection', 'assignment_selection'] } : {}) },
  ];
  if (canvas) messages.push({ type: 'LtiResourceLinkRequest', target_link_uri: urls.launch, label: TOOL_NAME, placements: ['course_navigation'] });
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: urls.login,
    redirect_uris: [urls.launch],
    client_name: TOOL_NAME,
    jwks_uri: urls.keys,
    logo_uri: urls.icon,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: TOOL_SCOPES.join(' '),
    [TOOL_CONFIG]: {
      domain: config.publicUrl.host,
      target_link_uri: urls.launch,
      description: TOOL_DESCRIPTION,
      claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'],
      messages,
      ...(canvas ? { 'https://canvas.instructure.com/lti/privacy_level': 'public' } : {}),
    },
  };
}

/** The developer key JSON a Canvas admin pastes by URL (Developer Keys → LTI Key → Enter URL). */
export function canvasDeveloperKey(config: Config): Record<string, unknown> {
  const urls = toolUrls(config);
  const placement = (placement: string, messageType: string) => ({
    placement,
    message_type: messageType,
    target_link_uri: urls.launch,
    text: TOOL_NAME,
    icon_url: urls.icon,
  });
  return {
    title: TOOL_NAME,
    description: TOOL_DESCRIPTION,
    oidc_initiation_url: urls.login,
    target_link_uri: urls.launch,
    public_jwk_url: urls.keys,
    scopes: TOOL_SCOPES,
    extensions: [
      {
        domain: config.publicUrl.host,
        tool_id: 'circlework',
        platform: 'canvas.instructure.com',
        privacy_level: 'public',
        settings: {
          text: TOOL_NAME,
          icon_url: urls.icon,
          placements: [
            { ...placement('course_navigation', 'LtiResourceLinkRequest'), default: 'enabled', visibility: 'members' },
            placement('link_selection', 'LtiDeepLinkingRequest'),
            placement('assignment_selection', 'LtiDeepLinkingRequest'),
          ],
        },
      },
    ],
    custom_fields: {},
  };
}

/**
 * Fetches JSON from the platform. Anyone can call /lti/register, so: public addresses only (unless
 * ALLOW_INSECURE_REGISTRATION, for local trials), no redirects, a size cap, and one message for every
 * failure so the endpoint tells nothing about what answers where.
 */
async function fetchJson(url: string, init: RequestInit, config: Config): Promise<unknown> {
  const unreachable = () => new AppError(502, 'registration-failed', `Circlework could not complete the registration with ${new URL(url).host}. Check that the platform is reachable from the Circlework server, then start the registration again from the platform.`);
  if (!config.allowInsecureRegistration && !(await isPublicHost(new URL(url)))) throw unreachable();
  try {
    const res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok || text.length > MAX_RESPONSE_BYTES) throw unreachable();
    return JSON.parse(text);
  } catch (err) {
    throw err instanceof AppError ? err : unreachable();
  }
}

export async function isPublicHost(url: URL): Promise<boolean> {
  if (url.protocol !== 'https:') return false;
  try {
    const addresses = await dns.lookup(url.hostname.replace(/^\[|\]$/g, ''), { all: true });
    return addresses.length > 0 && addresses.every(({ address }) => {
      const ip = ipaddr.process(address);
      return ip.range() === 'unicast';
    });
  } catch {
    return false;
  }
}
