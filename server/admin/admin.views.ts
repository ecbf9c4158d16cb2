// View models for the admin console: templates get ready-made values, no logic (statuses and
// policies as values the templates word; labels built here come from the reader's I18n).
import { LOCALE_NAMES, SHIPPED_LOCALES } from '../i18n/locales.ts';
import type { I18n } from '../i18n/i18n.ts';
import type { Platform, Tenant } from '../../models/schema.ts';
import type { TenantCounts } from '../../models/retention.queries.ts';


function platformSummary(p: Platform) {
  return {
    id: p.id,
    name: p.name,
    issuer: p.issuer,
    clientId: p.clientId,
    product: p.product,
    status: p.status,
    // The built-in demo platform: its tenant holds made-up people, so the console says so everywhere.
    demo: p.demo,
    registeredAt: p.createdAt,
  };
}

export function platformListView(platforms: Array<Platform & { deploymentCount: number }>) {
  const rows = platforms.map((p) => ({ ...platformSummary(p), deploymentCount: p.deploymentCount }));
  return { pending: rows.filter((r) => r.status === 'pending'), others: rows.filter((r) => r.status !== 'pending'), empty: rows.length === 0 };
}

export function platformView(p: Platform, tenants: Tenant[], counts: TenantCounts[] = []) {
  return {
    platform: {
      ...platformSummary(p),
      isActive: p.status === 'active',
      authEndpoint: p.authEndpoint,
      tokenEndpoint: p.tokenEndpoint,
      jwksUri: p.jwksUri,
      frameOriginsText: p.frameOrigins.join('\n'),
      registeredVia: p.registeredVia,
      toolKid: p.toolKid,
    },
    policies: (['strict', 'record', 'approve'] as const).map((value) => ({ value, selected: value === p.deploymentPolicy })),
    deployments: tenants.map((t) => ({
      tenantId: t.id,
      deploymentId: t.deploymentId,
      status: t.status,
      isActive: t.status === 'active',
      addedAt: t.createdAt,
      counts: tenantCounts(counts.find((c) => c.tenantId === t.id)),
      languages: SHIPPED_LOCALES.map((l) => ({ value: l, name: LOCALE_NAMES[l], selected: t.defaultLocale === l })),
    })),
  };
}

/** What a deployment keeps: people, cohorts, posts, files and the oldest cohort's date. */
function tenantCounts(c: TenantCounts | undefined) {
  return c ? { people: c.people, cohorts: c.cohorts, posts: c.posts, files: c.files, oldestData: c.oldestData ?? undefined } : undefined;
}

/** The confirmation step before disabling something: a page that posts the same change, confirmed. */
export function confirmDisableView(i18n: I18n, base: string, what: 'platform' | 'deployment', message: string, cancelHref = base) {
  return {
    title: i18n.t('admin.disable.title', { what }),
    message,
    action: `${base}/status`,
    fields: [{ name: 'status', value: 'disabled' }],
    confirmLabel: i18n.t('admin.disable.confirm', { what }),
    cancelHref,
  };
}
