// The audit log as facilitators browse it: filtered by action, by person (who acted or was acted
// on) and by date (UTC days, both ends included).
import type { Db } from '../../models/db.ts';
import * as moderation from '../../models/moderation.queries.ts';
import * as cohorts from '../../models/cohorts.queries.ts';
import { ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import { requireFacilitator } from './moderation.service.ts';
import { ACTIONS } from './moderation.schemas.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: string, field: string, fields: Record<string, string>): Date | undefined {
  if (value === '') return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  if (!DAY.test(value) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    fields[field] = 'use a date like 2026-11-25';
    return undefined;
  }
  return d;
}

export async function auditLog(deps: { db: Db }, who: LaunchContext, q: { action: string; person: string; from: string; to: string }) {
  requireFacilitator(who, 'audit-log');
  const members = await cohorts.listCohortMembers(deps.db, who.tenantId, who.cohortId);
  const fields: Record<string, string> = {};
  if (q.action !== '' && !(ACTIONS as readonly string[]).includes(q.action)) fields.action = 'choose an action from the list';
  if (q.person !== '' && !members.some((m) => m.membershipId === q.person)) fields.person = 'choose a person from the list';
  const from = day(q.from, 'from', fields);
  const to = day(q.to, 'to', fields);
  if (from && to && to < from) fields.to = 'is before the start date';
  if (Object.keys(fields).length > 0) {
    throw new ValidationError(`Check the filters (${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('; ')}).`, fields);
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
