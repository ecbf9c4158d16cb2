// The tool admin's page of a deployment's people named to a role, one template for both roles
// (views/admin/named-roles.hbs): what differs is said here.
import type { NamedRole } from '../../models/schema.ts';
import type { I18n } from '../i18n/i18n.ts';

interface NamedRolePage {
  /** Under /admin/tenants/:tenantId/; also the page section's data-test. */
  path: string;
  /**
   * The data-test names of one named person and of the list ("lead": lead-added, lead-value,
   * #lead-form); `one` also selects the role's words in the catalogs (admin.roles.*).
   */
  one: 'lead' | 'editor';
  many: string;
}

export const NAMED_ROLE_PAGES: Record<NamedRole, NamedRolePage> = {
  'programme-lead': {
    path: 'programme-leads',
    one: 'lead',
    many: 'leads',
  },
  'content-editor': {
    path: 'content-editors',
    one: 'editor',
    many: 'editors',
  },
};

interface AdminTenant {
  id: string;
  deploymentId: string;
  platformName: string;
}

export const namedRolesBase = (tenantId: string, role: NamedRole) => `/admin/tenants/${tenantId}/${NAMED_ROLE_PAGES[role].path}`;

export function namedRolesPageView(
  i18n: I18n,
  role: NamedRole,
  tenant: AdminTenant,
  named: Array<{ id: string; lmsUserId: string | null; email: string | null }>,
  flash: { added: boolean; removed: boolean },
) {
  const page = NAMED_ROLE_PAGES[role];
  return {
    title: i18n.t('admin.roles.pageTitle', { one: page.one, deployment: tenant.deploymentId }),
    tenant,
    page,
    role,
    base: namedRolesBase(tenant.id, role),
    named: named.map((n) => ({ id: n.id, byEmail: n.email !== null, value: n.email ?? n.lmsUserId })),
    ...flash,
    form: { by: 'email', value: '' },
  };
}

/** The confirmation before someone named to the role is removed. */
export function removeNamedView(i18n: I18n, role: NamedRole, tenantId: string, named: { id: string; lmsUserId: string | null; email: string | null }) {
  const base = namedRolesBase(tenantId, role);
  const one = NAMED_ROLE_PAGES[role].one;
  return {
    title: i18n.t('admin.roles.removeTitle', { one }),
    message: i18n.t('admin.roles.removeMessage', { one, who: named.email ?? named.lmsUserId ?? '' }),
    action: `${base}/${named.id}/remove`,
    fields: [],
    confirmLabel: i18n.t('admin.roles.removeConfirm', { one }),
    cancelHref: base,
  };
}
