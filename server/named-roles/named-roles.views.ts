// The tool admin's page of a deployment's people named to a role, one template for both roles
// (views/admin/named-roles.hbs): what differs is said here.
import type { NamedRole } from '../../models/schema.ts';
import { ROLE_NOUN } from './named-roles.service.ts';

interface NamedRolePage {
  /** Under /admin/tenants/:tenantId/; also the page section's data-test. */
  path: string;
  title: string;
  /** The data-test names of one named person and of the list ("lead": lead-added, lead-value, #lead-form). */
  one: string;
  many: string;
  /** What removing someone takes from them, on the confirmation page. */
  loses: string;
}

export const NAMED_ROLE_PAGES: Record<NamedRole, NamedRolePage> = {
  'programme-lead': {
    path: 'programme-leads',
    title: 'Programme leads',
    one: 'lead',
    many: 'leads',
    loses: 'will no longer see the programme view of this deployment (unless their LMS gives them the Administrator role)',
  },
  'content-editor': {
    path: 'content-editors',
    title: 'Content editors',
    one: 'editor',
    many: 'editors',
    loses: 'will no longer edit this deployment’s workshop editions (unless their LMS gives them the Content Developer or Administrator role)',
  },
};

interface AdminTenant {
  id: string;
  deploymentId: string;
  platformName: string;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
export const namedRolesBase = (tenantId: string, role: NamedRole) => `/admin/tenants/${tenantId}/${NAMED_ROLE_PAGES[role].path}`;

export function namedRolesPageView(
  role: NamedRole,
  tenant: AdminTenant,
  named: Array<{ id: string; lmsUserId: string | null; email: string | null }>,
  flash: { added: boolean; removed: boolean },
) {
  const page = NAMED_ROLE_PAGES[role];
  return {
    title: `${page.title} of deployment ${tenant.deploymentId}`,
    tenant,
    page,
    role,
    noun: ROLE_NOUN[role],
    Noun: capitalised(ROLE_NOUN[role]),
    base: namedRolesBase(tenant.id, role),
    named: named.map((n) => ({ id: n.id, by: n.email ? 'Email' : 'LMS user id', value: n.email ?? n.lmsUserId })),
    ...flash,
    form: { by: 'email', value: '' },
  };
}

/** The confirmation before someone named to the role is removed. */
export function removeNamedView(role: NamedRole, tenantId: string, named: { id: string; lmsUserId: string | null; email: string | null }) {
  const base = namedRolesBase(tenantId, role);
  return {
    title: `Remove this ${ROLE_NOUN[role]}?`,
    message: `${named.email ?? named.lmsUserId} ${NAMED_ROLE_PAGES[role].loses}. You can name them again later.`,
    action: `${base}/${named.id}/remove`,
    fields: [],
    confirmLabel: `Remove ${ROLE_NOUN[role]}`,
    cancelHref: base,
  };
}
