// The audit log as facilitators browse it: filtered by action, by person (who acted or was acted
// on) and by date (UTC days, both ends included).
import type { Db } from '../../models/db.ts';
import * as moderation from '../../models/moderation.queries.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { ValidationError, type UserText } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import type { LaunchContext } from '../launch-context.ts';
import { requireFacilitator } from './moderation.service.ts';
import { ACTIONS } from './moderation.schemas.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: string, field: string, fields: Record<string, UserText>): Date | undefined {
  if (value === '') return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  if (!DAY.test(value) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    fields[field] = msg('moderation.log.error.dateField');
    return undefined;
  }
  return d;
}

export async function auditLog(deps: { db: Db }, who: LaunchContext, q: { action: string; person: string; from: string; to: string }) {
  requireFacilitator(who, 'audit-log');
  const members = await cohorts.listCohortMembers(deps.db, who.tenantId, who.cohortId);
  const fields: Record<string, UserText> = {};
  if (q.action !== '' && !(ACTIONS as readonly string[]).includes(q.action)) fields.action = msg('moderation.log.error.actionField');
  if (q.person !== '' && !members.some((m) => m.membershipId === q.person)) fields.person = msg('moderation.log.error.personField');
  const from = day(q.from, 'from', fields);
  const to = day(q.to, 'to', fields);
  if (from && to && to < from) fields.to = msg('moderation.log.error.toBeforeFrom');
  if (Object.keys(fields).length > 0) {
    throw new ValidationError(msg('moderation.log.error.summary'), fields);
  }
  const rows = await moderation.listModerationActions(deps.db, who.tenantId, who.cohortId, {
    action: q.action === '' ? undefined : (q.action as (typeof ACTIONS)[number]),
    membershipId: q.person === '' ? undefined : q.person,
    from,
    to: to ? new Date(to.getTime() + 86_400_000) : undefined,
  });
  return { rows, members };
}

export function membersForFilter(deps: { db: Db }, who: LaunchContext) {
  return cohorts.listCohortMembers(deps.db, who.tenantId, who.cohortId);
}
