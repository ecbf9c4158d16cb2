// LTI Dynamic Registration (Moodle, Canvas) and the Canvas developer key JSON. We do this ourselves
// rather than through ltijs: its version fetches any URL, generates keys synchronously, and has no notion
// of trusted issuers.
import { z } from 'zod';
import type { Db } from '../models/db.ts';
import type { Platform } from '../models/schema.ts';
import { AppError } from '../server/errors.ts';
import { msg } from '../server/i18n/i18n.ts';
import { normaliseIssuer, type Config } from '../server/config.ts';
import { defaultFrameOrigins } from './frame-origins.ts';
import { fetchFromPlatform, PlatformFetchError, REGISTRATION_FETCH_LIMITS, type PlatformResponse } from './registration-fetch.ts';

const TOOL_CONFIG = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const PLATFORM_CONFIG = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
const CANVAS_EXT = 'https://canvas.instructure.com/lti';
export const TOOL_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];
const TOOL_NAME = 'Circlework';
const TOOL_DESCRIPTION = 'A nine-module social learning workshop: small groups, discussion spaces and action plans that last beyond the course.';

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

// Moodle's deployment_id is its tool type id as a string; a number is taken as well.
const IdString = z.union([z.string(), z.number().int().nonnegative()]).transform(String).pipe(z.string().min(1).max(255));
const RegistrationResponse = z.looseObject({
  client_id: IdString,
  [TOOL_CONFIG]: z.looseObject({ deployment_id: IdString.optional() }).optional(),
});

export const RegistrationQuery = z.object({
  openid_configuration: z.url({ protocol: /^https?$/ }).max(2048),
  registration_token: z.string().max(8192).optional(),
});

/** A platform as a dynamic registration describes it, for the host to store. */
export interface RegisteredPlatform {
  issuer: string;
  clientId: string;
  name: string;
  product: Platform['product'];
  authEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  authorizationServer: string | undefined;
  deploymentIds: string[];
  deploymentPolicy: Platform['deploymentPolicy'];
  frameOrigins: string[];
}

export interface RegistrationDeps {
  config: Config;
  db: Db;
  ltiEncryptionKey: string;
  /** Stores the platform the registration created (with its tool key pair): platform administration is the host's. */
  registerPlatform: (platform: RegisteredPlatform, opts: { status: Platform['status']; registeredVia: 'dynamic' }) => Promise<Platform>;
}

function toolUrls(config: Config) {
  const base = config.publicUrl.origin + config.publicUrl.pathname.replace(/\/$/, '');
  return { login: `${base}/lti/login`, launch: `${base}/lti/launch`, keys: `${base}/lti/keys`, icon: `${base}/public/icon.svg` };
}

/** What the platform's OpenID configuration told us, before we register with it. */
export interface PlatformConfiguration {
  configUrl: URL;
  issuer: string;
  product: Platform['product'];
  /** The origins whose pages may frame this platform's registration page and, once active, the tool. */
  frameOrigins: string[];
  endpoints: z.infer<typeof OpenIdConfiguration>;
}

/**
 * The origins that may frame /lti/register before its configuration is read: the configuration
 * address's own origin (Moodle opens the page in a dialog on the same site). Hosted Canvas serves the
 * configuration from the shared issuer host while the admin's page is on the institution's
 * *.instructure.com site, so that host also gets *.instructure.com. Whoever supplies the address
 * widens the framing of this one response only.
 */
export function registrationFrameOrigins(openidConfiguration: unknown): string[] {
  const url = z.url({ protocol: /^https?$/ }).max(2048).safeParse(openidConfiguration);
  return url.success ? defaultFrameOrigins(new URL(url.data).origin, 'canvas') : [];
}

/** Step 1: reads the platform's OpenID configuration from the address the platform sent. */
export async function readPlatformConfiguration(
  deps: RegistrationDeps,
  query: z.infer<typeof RegistrationQuery>,
): Promise<PlatformConfiguration> {
  const configUrl = new URL(query.openid_configuration);
  if (configUrl.protocol !== 'https:' && !deps.config.allowInsecureRegistration) {
    throw new AppError(400, 'registration-insecure', msg('lti.registration.insecure'));
  }
  const answer = await askPlatform(deps, configUrl, { headers: bearer(query) });
  if (answer.status < 200 || answer.status > 299) throw unreachable(configUrl);
  const configuration = OpenIdConfiguration.safeParse(parseJson(answer.body));
  if (!configuration.success) {
    throw new AppError(502, 'registration-config', msg('lti.registration.config'));
  }
  const endpoints = configuration.data;
  const issuer = normaliseIssuer(endpoints.issuer);
  const family = endpoints[PLATFORM_CONFIG]?.product_family_code?.toLowerCase();
  const product = family === 'moodle' ? 'moodle' : family === 'canvas' ? 'canvas' : 'other';
  const frameOrigins = product === 'canvas'
    ? defaultFrameOrigins(issuer, 'canvas')
    : [...new Set([configUrl.origin, new URL(issuer).origin])];
  return { configUrl, issuer, product, frameOrigins, endpoints };
}

/** Step 2: registers this tool with the platform; returns the stored platform. */
export async function registerWithPlatform(
  deps: RegistrationDeps,
  query: z.infer<typeof RegistrationQuery>,
  platform: PlatformConfiguration,
): Promise<Platform> {
  const { configUrl, issuer, product, endpoints } = platform;
  const answer = await askPlatform(deps, new URL(endpoints.registration_endpoint), {
    method: 'POST',
    headers: { ...bearer(query), 'content-type': 'application/json' },
    body: JSON.stringify(registrationRequest(deps.config, product)),
  });
  // Moodle answers 200 where RFC 7591 says 201, and its errors are plain text served as text/html
  // (surprise 17): any 2xx is a success, and a refusal names the platform's own short error code.
  if (answer.status === 401 || answer.status === 403) {
    throw new AppError(502, 'registration-token', msg('lti.registration.tokenRefused', { product, ...platformSaid(answer.body) }));
  }
  if (answer.status < 200 || answer.status > 299) {
    throw new AppError(502, 'registration-refused', msg('lti.registration.refused', { product, ...platformSaid(answer.body) }));
  }
  const registration = RegistrationResponse.safeParse(parseJson(answer.body));
  if (!registration.success) throw new AppError(502, 'registration-answer', msg('lti.registration.noClientId'));
  // Moodle: the tool type id (surprise 17, surprise 11). Canvas: none until the first launch.
  const deploymentId = registration.data[TOOL_CONFIG]?.deployment_id;
  // Trust is given to an issuer only when the configuration and every endpoint it names live on that
  // issuer's own site: anyone can publish a configuration that *claims* a trusted issuer.
  const trusted = deps.config.trustedIssuers.includes(issuer) && servedByIssuer(issuer, query.openid_configuration, endpoints);
  return deps.registerPlatform(
    {
      issuer,
      clientId: registration.data.client_id,
      name: `${product === 'other' ? 'LMS' : PRODUCT_NAMES[product]} at ${configUrl.host}`,
      product,
      authEndpoint: endpoints.authorization_endpoint,
      tokenEndpoint: endpoints.token_endpoint,
      jwksUri: endpoints.jwks_uri,
      authorizationServer: z.url().safeParse(endpoints.authorization_server).data,
      deploymentIds: deploymentId ? [deploymentId] : [],
      // Moodle names the deployment at registration; Canvas only at the first launch, under this
      // client id that belongs to one institution's developer key.
      deploymentPolicy: deploymentId ? 'strict' : 'record',
      frameOrigins: platform.frameOrigins,
    },
    { status: trusted ? 'active' : 'pending', registeredVia: 'dynamic' },
  );
}

/** For the platform's stored name (the admin may rename it). */
const PRODUCT_NAMES: Record<Platform['product'], string> = { moodle: 'Moodle', canvas: 'Canvas', other: 'The platform' };

function bearer(query: z.infer<typeof RegistrationQuery>): Record<string, string> {
  return query.registration_token ? { authorization: `Bearer ${query.registration_token}` } : {};
}

/** A platform's short error code (Moodle: token_already_used, missing_domain…), never free text: the message's `said` and `code`. */
function platformSaid(body: string): { said: 'yes' | 'no'; code: string } {
  const code = body.trim();
  return /^[A-Za-z0-9_.:-]{1,60}$/.test(code) ? { said: 'yes', code } : { said: 'no', code: '' };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function servedByIssuer(issuer: string, configUrl: string, c: z.infer<typeof OpenIdConfiguration>): boolean {
  const origin = new URL(issuer).origin;
  const urls = [configUrl, c.registration_endpoint, c.jwks_uri, c.authorization_endpoint, c.token_endpoint];
  return configUrl.startsWith(`${issuer}/`) && urls.every((u) => new URL(u).origin === origin);
}

/**
 * What we ask the platform for. Moodle 4.5 maps the request to the tool's settings in
 * mod/lti/classes/local/ltiopenid/registration_helper.php (registration_to_config):
 * - client_name → the tool name; tool configuration `description` → its description (shown in the
 *   activity chooser); logo_uri → its icon;
 * - any AGS scope → "Accept grades from the tool": "Delegate to teacher" (never "Always"), and the
 *   lineitem scope → "IMS LTI Assignment and Grade Services": "Use this service for grade sync and
 *   column management"; the NRPS scope → "IMS LTI Names and Role Provisioning": "Use this service to
 *   retrieve members' information as per privacy settings";
 * - claims name / given_name / family_name → "Share launcher's name with tool": "Always"; email →
 *   "Share launcher's email with tool": "Always";
 * - an LtiDeepLinkingRequest message → "Supports Deep Linking (Content-Item Message)", with its
 *   target_link_uri as the content selection URL;
 * - tool configuration custom_parameters → the tool's custom parameters (we need none);
 * - domain must be target_link_uri's host (else 400 domain_targetlinkuri_mismatch).
 * Nothing in the request reaches "Tool configuration usage": Moodle always sets "Show as
 * preconfigured tool when adding an external tool" (LTI_COURSEVISIBLE_PRECONFIGURED), so putting the
 * tool in the activity chooser is the admin's or the teacher's step (README). The launch container is
 * always "Embed, without blocks".
 * Canvas (doc/api/registration.md) honours messages with its placement names and its
 * https://canvas.instructure.com/lti/ extensions (privacy level, tool id, course navigation default,
 * visibility); other keys are ignored.
 */
function registrationRequest(config: Config, product: Platform['product']): Record<string, unknown> {
  const urls = toolUrls(config);
  const canvas = product === 'canvas';
  const messages: Record<string, unknown>[] = [
    {
      type: 'LtiDeepLinkingRequest',
      target_link_uri: urls.launch,
      label: TOOL_NAME,
      ...(canvas ? { icon_uri: urls.icon, placements: ['link_selection', 'assignment_selection'] } : {}),
    },
  ];
  if (canvas) {
    messages.push({
      type: 'LtiResourceLinkRequest',
      target_link_uri: urls.launch,
      label: TOOL_NAME,
      icon_uri: urls.icon,
      placements: ['course_navigation'],
      // As the developer key JSON: the cohort hub in every course's navigation, for its members.
      [`${CANVAS_EXT}/course_navigation/default_enabled`]: true,
      [`${CANVAS_EXT}/visibility`]: 'members',
    });
  }
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
      ...(canvas ? { [`${CANVAS_EXT}/privacy_level`]: 'public', [`${CANVAS_EXT}/tool_id`]: 'circlework' } : {}),
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

function unreachable(url: URL): AppError {
  return new AppError(502, 'registration-failed', msg('lti.registration.unreachable', { host: url.host }));
}

/** One exchange with the platform (see registration-fetch.ts); every failure to get an answer looks the same. */
async function askPlatform(deps: RegistrationDeps, url: URL, init: Parameters<typeof fetchFromPlatform>[1]): Promise<PlatformResponse> {
  try {
    return await fetchFromPlatform(url, init, {
      ...REGISTRATION_FETCH_LIMITS,
      allowPrivateAddresses: deps.config.allowInsecureRegistration,
    });
  } catch (err) {
    if (err instanceof PlatformFetchError) throw unreachable(url);
    throw err;
  }
}
