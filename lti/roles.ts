// LTI roles → our membership role. Context (membership) roles decide; of the institution and system
// roles only Administrator counts, because Canvas sends "institution Instructor" to anyone who teaches
// anywhere, including in courses where they are a student. Custom parameters never grant a role.
import type { MembershipRole } from '../models/schema.ts';

const FACILITATOR_ROLES = new Set(['Instructor', 'TeachingAssistant', 'Administrator', 'ContentDeveloper']);
const OBSERVER_ROLES = new Set(['Mentor']);
const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

interface ParsedRole {
  scope: 'context' | 'institution' | 'system';
  name: string;
}

export function parseRole(role: string): ParsedRole | undefined {
  const r = role.trim();
  if (r.length === 0) return undefined;
  if (!r.includes('/') && !r.includes('#')) return { scope: 'context', name: r };
  if (!r.startsWith(LIS)) return undefined;
  const rest = r.slice(LIS.length); // membership#Instructor, membership/Instructor#TeachingAssistant, institution/person#Administrator
  const name = rest.slice(rest.indexOf('#') + 1);
  if (!rest.includes('#') || name.length === 0) return undefined;
  if (rest.startsWith('membership')) return { scope: 'context', name };
  if (rest.startsWith('institution/')) return { scope: 'institution', name };
  if (rest.startsWith('system/')) return { scope: 'system', name };
  return undefined;
}

/** Unknown, empty or missing roles give the least-privileged working role: learner. */
export function membershipRoleFor(roles: readonly string[]): MembershipRole {
  const parsed = roles.map(parseRole).filter((r): r is ParsedRole => r !== undefined);
  const isFacilitator = parsed.some((r) =>
    r.scope === 'context' ? FACILITATOR_ROLES.has(r.name) : r.name === 'Administrator',
  );
  if (isFacilitator) return 'facilitator';
  const contextRoles = parsed.filter((r) => r.scope === 'context');
  if (contextRoles.length > 0 && contextRoles.every((r) => OBSERVER_ROLES.has(r.name))) return 'observer';
  return 'learner';
}

/**
 * A content editor of the tenant's workshop editions: the LMS's Content Developer (a course role:
 * Canvas's designer) or an Administrator of any scope (a course's, the institution's, the system's).
 */
export function isContentEditorRole(roles: readonly string[]): boolean {
  return roles.map(parseRole).some((r) => r !== undefined && (r.name === 'Administrator' || (r.scope === 'context' && r.name === 'ContentDeveloper')));
}

/**
 * A programme lead of the tenant: the LMS's institution or system Administrator (Moodle's site
 * admin sends both; Canvas's account admin sends institution Administrator). A course's own
 * Administrator role (context scope) makes a facilitator of that course only, never a lead.
 */
export function isProgrammeLeadRole(roles: readonly string[]): boolean {
  return roles.map(parseRole).some((r) => r !== undefined && r.scope !== 'context' && r.name === 'Administrator');
}
