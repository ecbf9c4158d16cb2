// The console's edition page: ready values only.
import type { ModuleChange, VersionChoice } from './edition-moves.service.ts';

const label = (v: VersionChoice) => ({ editionName: v.editionName, number: v.number });

export function moveView(cohortId: string, c: { current: VersionChoice | undefined; choices: VersionChoice[] }, preview: { to: VersionChoice; changes: ModuleChange[]; answeredGoing: number; languageChange?: string | undefined } | undefined, moved: boolean) {
  return {
    cohort: { id: cohortId },
    action: `/cohorts/${cohortId}/console/edition`,
    backHref: `/cohorts/${cohortId}/console`,
    current: c.current ? label(c.current) : undefined,
    choices: c.choices.map((v) => ({ value: v.id, ...label(v), selected: preview?.to.id === v.id })),
    moved,
    preview: preview && {
      to: label(preview.to),
      versionId: preview.to.id,
      answeredGoing: preview.answeredGoing,
      languageChange: preview.languageChange,
      changes: preview.changes.map((m) => ({
        ...m,
        removed: m.removed.map((r) => ({ ...r, answered: r.learners > 0 })),
      })),
    },
  };
}
