// The id_tokens recorded from real platforms (test/fixtures/lms-recordings, copied from the shared
// recordings), every variant as a full payload, and their replay through the platform simulator:
// re-signed by it, with iss/aud/azp/deployment/nonce/times and the platform's URLs rewritten to the
// simulator's, everything else as recorded.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LtiPlatformSimulator, type LaunchOptions, type PlatformKind } from './lti-platform-simulator.ts';
import { connectPlatform, type ConnectedPlatform } from './lti-fixtures.ts';
import { startTestApp, type TestApp } from './test-app.ts';
import { resetDatabase } from './test-database.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'lms-recordings');
const C = 'https://purl.imsglobal.org/spec/lti/claim/';
const NRPS = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';

export type Payload = Record<string, unknown>;
export interface RecordedIdToken { file: string; variant: string; payload: Payload }

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const read = (dir: string, file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(FIXTURES, dir, file), 'utf8')) as Record<string, unknown>;
const files = (dir: string): string[] => readdirSync(path.join(FIXTURES, dir)).filter((f) => /^id-token-.*\.json$/.test(f)).sort();

/** Moodle: each file's `id_token.payload` and each `variant_*`'s. */
export function moodleIdTokens(): RecordedIdToken[] {
  const out: RecordedIdToken[] = [];
  for (const file of files('moodle-4.5.6')) {
    const rec = read('moodle-4.5.6', file);
    for (const [key, value] of Object.entries(rec)) {
      if (key !== 'id_token' && !key.startsWith('variant_')) continue;
      const token = key === 'id_token' ? value : isObj(value) ? value.id_token : undefined;
      if (isObj(token) && isObj(token.payload)) out.push({ file, variant: key, payload: token.payload });
    }
  }
  return out;
}

/**
 * Canvas: the base payload of each file and every variant applied to it: a roles array, a set of
 * claims, "advantage features disabled" (no AGS, NRPS or notification service), other deep-linking
 * settings.
 */
export function canvasIdTokens(): RecordedIdToken[] {
  const out: RecordedIdToken[] = [];
  for (const file of files('canvas')) {
    const rec = read('canvas', file);
    const baseKey = Object.keys(rec).find((k) => k.startsWith('id_token_payload'));
    const base = baseKey ? rec[baseKey] : undefined;
    if (!baseKey || !isObj(base)) continue;
    out.push({ file, variant: baseKey, payload: base });
    for (const [key, value] of Object.entries(rec)) {
      if (key.startsWith('variant_')) {
        if (Array.isArray(value)) out.push({ file, variant: key, payload: { ...base, [`${C}roles`]: value } });
        else if (isObj(value)) {
          const { _note: _ignored, ...claims } = value;
          out.push({ file, variant: key, payload: { ...base, ...claims } });
        } else if (key === 'variant_all_advantage_features_disabled') {
          const { [AGS]: _a, [NRPS]: _n, [`${C}platformnotificationservice`]: _p, ...rest } = base;
          out.push({ file, variant: key, payload: rest });
        }
      } else if (key.startsWith('deep_linking_settings_') && isObj(value)) {
        out.push({ file, variant: key, payload: { ...base, [DL]: value } });
      } else if (key === 'deep_linking_details_by_placement_source_table' && isObj(value) && isObj(base[DL])) {
        // Canvas's fixed table of settings per placement, as its request builder turns it into the claim.
        for (const [placement, d] of Object.entries(value)) {
          if (!isObj(d)) continue;
          const settings = {
            deep_link_return_url: String(base[DL].deep_link_return_url).replace('link_selection', placement),
            accept_types: d.accept_types, accept_presentation_document_targets: d.document_targets,
            accept_media_types: Array.isArray(d.media_types) ? d.media_types.join(',') : d.media_types, auto_create: d.auto_create, accept_multiple: d.accept_multiple,
          };
          out.push({ file, variant: `placement ${placement}`, payload: { ...base, [DL]: settings, 'https://www.instructure.com/placement': placement } });
        }
      }
    }
  }
  return out;
}

/** The recording's platform origins (its URLs are rewritten to the simulator's). */
const RECORDED_ORIGINS = /^https?:\/\/(127\.0\.0\.1:8080|canvas\.home\.russfeld\.me|school\.instructure\.com|canvas\.instructure\.com)(?=\/|$)/;

function rewriteUrls(v: unknown, base: string): unknown {
  if (typeof v === 'string') return v.replace(RECORDED_ORIGINS, base);
  if (Array.isArray(v)) return v.map((x) => rewriteUrls(x, base));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewriteUrls(x, base)]));
  return v;
}

/**
 * Launch options that replay `recorded` through `sim`: the simulator runs the real login and auth
 * steps for the recorded user, then signs the recorded payload with only these changed: iss, aud,
 * azp, deployment_id, nonce, iat/exp (the recorded lifetime kept), target_link_uri, the platform's
 * URLs, and the NRPS URL (the simulator's roster of the recorded context).
 */
export function replayOptions(sim: LtiPlatformSimulator, recorded: Payload, clientId: string): LaunchOptions {
  const context = isObj(recorded[`${C}context`]) ? (recorded[`${C}context`] as { id: string; title?: string; label?: string }) : null;
  const messageType = recorded[`${C}message_type`] === 'LtiDeepLinkingRequest' ? 'LtiDeepLinkingRequest' : 'LtiResourceLinkRequest';
  // Opened as recorded: Moodle's "window" launches in a top-level window, the rest in the course page's frame.
  const presentation = recorded[`${C}launch_presentation`];
  const documentTarget = isObj(presentation) && presentation.document_target === 'window' ? 'window' : 'iframe';
  return {
    documentTarget,
    user: { sub: String(recorded.sub), roles: [] },
    clientId,
    context: context && { id: context.id, ...(context.title !== undefined ? { title: context.title } : {}), ...(context.label !== undefined ? { label: context.label } : {}) },
    messageType,
    tamperClaims: (ours) => {
      const lifetime = typeof recorded.exp === 'number' && typeof recorded.iat === 'number' ? recorded.exp - recorded.iat : 3600;
      const claims = rewriteUrls(structuredClone(recorded), sim.baseUrl) as Payload;
      Object.assign(claims, {
        iss: ours.iss, aud: ours.aud, nonce: ours.nonce, iat: ours.iat, exp: Number(ours.iat) + lifetime,
        [`${C}deployment_id`]: ours[`${C}deployment_id`], [`${C}target_link_uri`]: ours[`${C}target_link_uri`],
      });
      if ('azp' in recorded) claims.azp = ours.azp;
      if (isObj(claims[NRPS]) && isObj(ours[NRPS])) claims[NRPS] = { ...claims[NRPS], context_memberships_url: ours[NRPS].context_memberships_url };
      return claims;
    },
  };
}

/**
 * The app and one simulated LMS replaying a recorded platform, emptied and connected again before
 * each test; `use` receives them after every (re)connection.
 */
export function recordingsSuite(kind: PlatformKind, name: string, use: (env: { app: TestApp; sim: LtiPlatformSimulator; lms: ConnectedPlatform }) => void) {
  let app: TestApp;
  let sim: LtiPlatformSimulator;
  before(async () => {
    app = await startTestApp();
    sim = await LtiPlatformSimulator.start({ kind, name });
  });
  after(async () => {
    await sim?.close();
    await app?.close();
  });
  beforeEach(async () => {
    await resetDatabase(app.handle);
    const lms = await connectPlatform(app, sim);
    sim.services.serviceCalls.length = 0;
    sim.services.tokenRequests.length = 0;
    use({ app, sim, lms });
  });
  return {
    deps: () => ({ db: app.db, ltiEncryptionKey: app.config.ltiEncryptionKey! }),
    path: (url: string) => new URL(url).pathname,
    cohortIdOf: (url: string) => new URL(url).pathname.split('/')[2]!,
  };
}
