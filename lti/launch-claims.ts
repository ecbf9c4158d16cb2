// Every claim of a launch we rely on, validated with zod after ltijs has checked the signature.
// Lengths and URI shapes are bounded; PII the LMS sends in a bad shape is dropped, not trusted.
import { z } from 'zod';

const C = 'https://purl.imsglobal.org/spec/lti/claim/';
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const NRPS = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';
const CLOCK_SKEW_SECONDS = 60;

const id = z.string().trim().min(1).max(255);
const text = (max: number) => z.string().max(max);
const optionalPii = (schema: z.ZodType<string>) => schema.optional().catch(undefined);
const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
// Moodle sends `"lineitem": ""` once a tool-made line item exists for the link: an empty or
// malformed service field is absent for that field only, never a reason to drop its whole claim.
const blankIsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const serviceUrl = z.preprocess(blankIsAbsent, httpUrl.optional()).catch(undefined);

export const LaunchClaims = z
  .looseObject({
    iss: httpUrl,
    aud: z.union([id, z.array(id).min(1).max(10)]),
    azp: id.optional(),
    sub: id,
    exp: z.number(),
    iat: z.number(),
    nonce: z.string().min(1).max(255),
    name: optionalPii(text(255)),
    given_name: optionalPii(text(255)),
    family_name: optionalPii(text(255)),
    email: optionalPii(z.email().max(320)),
    // OpenID Connect's standard claim; LTI's launch_presentation.locale is read first.
    locale: text(100).optional().catch(undefined),
    [`${C}message_type`]: z.enum(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']),
    [`${C}version`]: z.literal('1.3.0'),
    [`${C}deployment_id`]: id,
    [`${C}target_link_uri`]: httpUrl.optional(),
    [`${C}roles`]: z.array(text(255)).max(100),
    [`${C}resource_link`]: z.looseObject({ id, title: text(1000).optional().catch(undefined) }).optional(),
    [`${C}context`]: z
      .looseObject({ id, title: text(1000).optional().catch(undefined), label: text(255).optional().catch(undefined) })
      .optional(),
    [`${C}custom`]: z.record(z.string().max(255), z.unknown()).optional(),
    [AGS]: z
      .looseObject({ scope: z.array(z.string().max(255)).max(20).default([]).catch([]), lineitems: serviceUrl, lineitem: serviceUrl })
      .optional()
      .catch(undefined),
    [NRPS]: z.looseObject({ context_memberships_url: httpUrl }).optional().catch(undefined),
    [DL]: z
      .looseObject({
        deep_link_return_url: httpUrl,
        accept_types: z.array(z.string().max(100)).max(20).default([]),
        accept_multiple: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
        accept_lineitem: z.union([z.boolean(), z.enum(['true', 'false'])]).optional().catch(undefined),
        data: z.string().max(4096).optional(),
      })
      .optional(),
    [`${C}launch_presentation`]: z
      .looseObject({ return_url: httpUrl.optional().catch(undefined), document_target: text(50).optional().catch(undefined), locale: text(100).optional().catch(undefined) })
      .optional(),
  })
  .refine((c) => c.iat <= Date.now() / 1000 + CLOCK_SKEW_SECONDS, { message: 'issued in the future', path: ['iat'] })
  .refine((c) => c[`${C}message_type`] !== 'LtiDeepLinkingRequest' || c[DL] !== undefined, {
    message: 'a deep linking request needs its settings',
    path: [DL],
  })
  .refine((c) => c[`${C}message_type`] !== 'LtiResourceLinkRequest' || c[`${C}resource_link`] !== undefined, {
    message: 'a resource link launch needs a resource_link id',
    path: ['resource_link'],
  });

export type LaunchClaims = z.infer<typeof LaunchClaims>;

/** The claims we use, by plain names. */
export interface Launch {
  issuer: string;
  clientId: string;
  deploymentId: string;
  sub: string;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  messageType: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  roles: string[];
  context: { id: string; title: string; label: string | null } | undefined;
  resourceLink: { id: string; title: string | null } | undefined;
  custom: Record<string, string>;
  /** The module a link opens (custom parameter module=1..9); none for the hub. */
  moduleId: number | undefined;
  ags: { scopes: string[]; lineitems: string | undefined; lineitem: string | undefined } | undefined;
  nrpsUrl: string | undefined;
  deepLinking: DeepLinkingSettings | undefined;
  /** Where the LMS wants people sent back to the course (launch_presentation.return_url), when it says. */
  returnUrl: string | undefined;
  /** The LMS's locale for this person (launch_presentation.locale, else the id_token's locale), as sent. */
  locale: string | undefined;
}

/** What the LMS accepts back from a deep linking request (kept in the session until the answer). */
export interface DeepLinkingSettings {
  returnUrl: string;
  acceptTypes: string[];
  acceptMultiple: boolean;
  /** Absent (Moodle 4.5, Canvas never send it) says nothing: both create a grade item from a returned lineItem. */
  acceptLineItem: boolean | undefined;
  data: string | undefined;
}

export function toLaunch(c: LaunchClaims, clientId: string): Launch {
  const context = c[`${C}context`] as { id: string; title?: string; label?: string } | undefined;
  const resourceLink = c[`${C}resource_link`] as { id: string; title?: string } | undefined;
  const custom = (c[`${C}custom`] ?? {}) as Record<string, unknown>;
  const ags = c[AGS] as { scope: string[]; lineitems?: string; lineitem?: string } | undefined;
  const nrps = c[NRPS] as { context_memberships_url: string } | undefined;
  const moduleParam = typeof custom.module === 'string' ? Number(custom.module) : NaN;
  const dl = c[DL] as { deep_link_return_url: string; accept_types: string[]; accept_multiple?: boolean | string; accept_lineitem?: boolean | string; data?: string } | undefined;
  const presentation = c[`${C}launch_presentation`] as { return_url?: string; locale?: string } | undefined;
  const name = c.name?.trim() || [c.given_name, c.family_name].filter(Boolean).join(' ').trim() || null;
  return {
    issuer: c.iss,
    clientId,
    deploymentId: c[`${C}deployment_id`] as string,
    sub: c.sub,
    name,
    givenName: c.given_name ?? null,
    familyName: c.family_name ?? null,
    email: c.email ?? null,
    messageType: c[`${C}message_type`] as Launch['messageType'],
    roles: (c[`${C}roles`] as string[]).filter((r) => r.trim().length > 0),
    context: context && {
      id: context.id,
      title: context.title?.trim() || context.label?.trim() || 'Course',
      label: context.label?.trim() || null,
    },
    resourceLink: resourceLink && { id: resourceLink.id, title: resourceLink.title ?? null },
    custom: Object.fromEntries(Object.entries(custom).filter((e): e is [string, string] => typeof e[1] === 'string')),
    moduleId: Number.isInteger(moduleParam) && moduleParam >= 1 && moduleParam <= 9 ? moduleParam : undefined,
    ags: ags && { scopes: ags.scope, lineitems: ags.lineitems, lineitem: ags.lineitem },
    nrpsUrl: nrps?.context_memberships_url,
    deepLinking: dl && {
      returnUrl: dl.deep_link_return_url,
      acceptTypes: dl.accept_types,
      acceptMultiple: dl.accept_multiple !== false && dl.accept_multiple !== 'false',
      acceptLineItem: dl.accept_lineitem === undefined ? undefined : dl.accept_lineitem === true || dl.accept_lineitem === 'true',
      data: dl.data,
    },
    returnUrl: presentation?.return_url,
    locale: presentation?.locale?.trim() || c.locale?.trim() || undefined,
  };
}
