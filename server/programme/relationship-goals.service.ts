// A programme lead's relationship goals for their tenant: a kind from the fixed set (GOAL_KINDS), a
// share as threshold (a whole percent) and the module or week it is measured at.
import type { Db } from '../../models/db.ts';
import * as programme from '../../models/programme.queries.ts';
import { AppError, NotFoundError, ValidationError, type UserText } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { GOAL_KINDS } from './comparisons.ts';
import type { ProgrammeLead } from './programme.service.ts';
import { GOAL_KIND_IDS } from './programme.schemas.ts';

/** At most this many goals per tenant: the page shows one column per goal. */
export const MAX_GOALS = 12;

function invalid(field: string, message: UserText): ValidationError {
  return new ValidationError(message, { [field]: message });
}

/** Sets a goal; 400 with the field's message for bad input, 409 when the same kind is set at that module or week. */
export async function setRelationshipGoal(db: Db, lead: ProgrammeLead, form: { kind: string; threshold: string; at: string }): Promise<void> {
  const kind = GOAL_KIND_IDS.find((k) => k === form.kind);
  if (!kind) throw invalid('kind', msg('programme.errors.kind'));
  const threshold = /^\d{1,3}$/.test(form.threshold) ? Number(form.threshold) : NaN;
  if (!(threshold >= 0 && threshold <= 100)) throw invalid('threshold', msg('programme.errors.threshold'));
  const spec = GOAL_KINDS[kind];
  const at = /^\d{1,2}$/.test(form.at) ? Number(form.at) : NaN;
  if (!(spec.atChoices as readonly number[]).includes(at)) {
    throw invalid('at', spec.at === 'module' ? msg('programme.errors.module') : msg('programme.errors.week', { weeks: spec.atChoices.join(', ') }));
  }
  if ((await programme.countRelationshipGoals(db, lead.tenantId)) >= MAX_GOALS) throw invalid('kind', msg('programme.errors.tooMany', { max: MAX_GOALS }));
  if (!(await programme.insertRelationshipGoal(db, { tenantId: lead.tenantId, kind, thresholdPercent: threshold, at }))) {
    throw new AppError(409, 'goal-exists', msg('programme.errors.exists'));
  }
}

export async function removeRelationshipGoal(db: Db, lead: ProgrammeLead, goalId: string): Promise<void> {
  if (!(await programme.deleteRelationshipGoal(db, lead.tenantId, goalId))) throw new NotFoundError('goal');
}
