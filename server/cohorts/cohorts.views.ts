import type { Cohort } from '../../models/schema.ts';
import type { CohortMemberRow } from '../../models/cohorts.queries.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { Workshop } from '../modules/workshop-content.ts';

const ROLE_LABEL = { learner: 'Learner', facilitator: 'Facilitator', observer: 'Observer' } as const;

export function hubView(cohort: Cohort, launch: LaunchContext, workshop: Workshop) {
  return {
    cohort: { id: cohort.id, title: cohort.title, label: cohort.label },
    person: { name: launch.displayName, isFacilitator: launch.role === 'facilitator' },
    modules: workshop.modules.map((m) => ({
      number: m.id,
      title: m.title,
      summary: m.summary,
      href: `/cohorts/${cohort.id}/modules/${m.slug}`,
    })),
  };
}

export function consoleView(cohort: Cohort, launch: LaunchContext, members: CohortMemberRow[]) {
  const rows = members.map((m) => ({
    name: m.name ?? 'Name not shared by the LMS',
    email: m.email,
    role: ROLE_LABEL[m.role],
    status: m.status,
    lastLaunch: m.lastLaunchAt ? m.lastLaunchAt.toISOString().slice(0, 16).replace('T', ' ') : 'Not yet',
  }));
  return {
    cohort: { id: cohort.id, title: cohort.title, label: cohort.label },
    person: { name: launch.displayName },
    members: rows,
    counts: {
      learners: members.filter((m) => m.role === 'learner').length,
      facilitators: members.filter((m) => m.role === 'facilitator').length,
    },
  };
}
