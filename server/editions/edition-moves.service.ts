// A facilitator moves their cohort to a newer version of its edition (or, from the default edition,
// to one of the tenant's editions): first a preview of what changes, with a warning where learners
// already answered an activity the new version does not have. Nothing a learner wrote is deleted:
// answers stay in activity_responses, and the module page still shows them.
import { msg } from '../i18n/i18n.ts';
import { LOCALE_NAMES, type ContentLanguage } from '../i18n/locales.ts';
import type { Db } from '../../models/db.ts';
import * as editions from '../../models/editions.queries.ts';
import { findCohort } from '../../models/cohorts.queries.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { Workshop } from '../modules/workshop-content.ts';
import type { Workshops } from './workshops.ts';

export interface MovesDeps {
  db: Db;
  workshops: Workshops;
}

export interface VersionChoice {
  id: string;
  editionName: string;
  number: number;
  /** The language the edition is written in. */
  language: string;
}

export interface ModuleChange {
  moduleId: number;
  title: string;
  renamedFrom: string | undefined;
  added: string[];
  changed: string[];
  removed: Array<{ title: string; learners: number }>;
}

function facilitatorOnly(who: LaunchContext): void {
  if (who.role !== 'facilitator') throw new ForbiddenError('move-edition', msg('editionMoves.facilitatorsOnly'));
}

/** What the cohort runs and may move to, read once per request. */
export interface EditionChoices {
  /** The version the cohort runs (undefined: the default edition). */
  current: VersionChoice | undefined;
  /** The versions it may move to. */
  choices: VersionChoice[];
  /** The cohort's language and pinned version now. */
  cohort: { language: string; editionVersionId: string | null };
}

export async function editionChoices(deps: MovesDeps, who: LaunchContext): Promise<EditionChoices> {
  facilitatorOnly(who);
  const cohort = await findCohort(deps.db, who.tenantId, who.cohortId);
  if (!cohort) throw new NotFoundError('cohort');
  const current = cohort.editionVersionId ? await editions.findVersion(deps.db, who.tenantId, cohort.editionVersionId) : undefined;
  const list = await editions.listEditions(deps.db, who.tenantId);
  const choices: VersionChoice[] = [];
  for (const e of list) {
    // On an edition: only its newer versions. On the default: each edition's latest version.
    if (current && e.id !== current.editionId) continue;
    const versions = await editions.listPublishedVersions(deps.db, who.tenantId, e.id);
    for (const v of versions) {
      if (current ? v.number > current.number : v === versions[0]) choices.push({ id: v.id, editionName: e.name, number: v.number, language: e.language });
    }
  }
  return {
    current: current && { id: current.id, editionName: current.editionName, number: current.number, language: cohort.language },
    choices,
    cohort: { language: cohort.language, editionVersionId: cohort.editionVersionId },
  };
}

/** The version chosen, if the cohort may move to it. */
function chosen(c: EditionChoices, versionId: string): VersionChoice {
  const to = c.choices.find((v) => v.id === versionId);
  if (!to) throw new ValidationError(msg('editionMoves.chooseNewer'), { versionId: msg('editionMoves.chooseNewer') });
  return to;
}

/** Module by module, what moving from `from` to `to` changes, with how many learners answered what goes. */
export function compareWorkshops(from: Workshop, to: Workshop, answered: Map<string, number>): ModuleChange[] {
  const changes: ModuleChange[] = [];
  for (const next of to.modules) {
    const prev = from.byId(next.id);
    const before = new Map((prev?.activities ?? []).map((a) => [a.id, a]));
    const after = new Set(next.activities.map((a) => a.id));
    const change: ModuleChange = {
      moduleId: next.id,
      title: next.title,
      renamedFrom: prev && prev.title !== next.title ? prev.title : undefined,
      added: next.activities.filter((a) => !before.has(a.id)).map((a) => a.title),
      changed: next.activities.filter((a) => {
        const b = before.get(a.id);
        return b !== undefined && (b.title !== a.title || b.promptHtml !== a.promptHtml || b.required !== a.required || b.kind !== a.kind);
      }).map((a) => a.title),
      removed: (prev?.activities ?? []).filter((a) => !after.has(a.id)).map((a) => ({ title: a.title, learners: answered.get(`${next.id}/${a.id}`) ?? 0 })),
    };
    const framingChanged = prev !== undefined && prev.framingHtml !== next.framingHtml;
    if (change.renamedFrom || change.added.length || change.changed.length || change.removed.length || framingChanged) changes.push(change);
  }
  return changes;
}

/** What moving to `versionId` would change, given the choices already read for this request. */
export async function previewMove(deps: MovesDeps, who: LaunchContext, c: EditionChoices, versionId: string): Promise<{ to: VersionChoice; changes: ModuleChange[]; answeredGoing: number; languageChange: string | undefined }> {
  const to = chosen(c, versionId);
  const [from, next, answered] = await Promise.all([
    deps.workshops.forCohort(who.tenantId, who.cohortId),
    deps.workshops.forVersion(who.tenantId, to.id),
    editions.listAnsweredActivities(deps.db, who.tenantId, who.cohortId),
  ]);
  const changes = compareWorkshops(from, next, new Map(answered.map((a) => [`${a.moduleId}/${a.activityId}`, a.learners])));
  // Moving to an edition in another language changes the language of the cohort's modules.
  const languageChange = c.cohort.language !== to.language ? (LOCALE_NAMES[to.language as ContentLanguage] ?? to.language) : undefined;
  return { to, changes, answeredGoing: changes.reduce((n, c) => n + c.removed.reduce((m, r) => m + r.learners, 0), 0), languageChange };
}

/** Moves the cohort; its learners' answers stay where they are. */
export async function moveCohort(deps: MovesDeps, who: LaunchContext, versionId: string): Promise<VersionChoice> {
  const to = chosen(await editionChoices(deps, who), versionId);
  await editions.updateCohortEditionVersion(deps.db, who.tenantId, who.cohortId, to.id);
  return to;
}
