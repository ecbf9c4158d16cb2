// Deep linking choices → content items: the hub (the whole workshop) and/or single modules, each a
// link back to /lti/launch; a module link carries custom module=N so its launch opens that module.
import { signDeepLinkingResponse, type ResourceLinkItem } from '../../lti/deep-linking.ts';
import type { LtijsServices } from '../../lti/lti-tool.ts';
import type { Config } from '../config.ts';
import { AppError, ValidationError } from '../errors.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { Workshop } from '../modules/workshop-content.ts';

const HUB = 'hub';

function requireDeepLinking(who: LaunchContext): NonNullable<LaunchContext['deepLinking']> {
  if (!who.deepLinking) {
    throw new AppError(400, 'no-deep-linking', 'This page answers your course’s “Select content” request. Start again from your course (Add an activity or resource → Circlework → Select content).');
  }
  return who.deepLinking;
}

/**
 * Whether to offer a gradebook column. Only an explicit `accept_lineitem: false` says no: Moodle 4.5
 * and Canvas never send the setting, yet both create a graded activity from a returned lineItem.
 */
function offersGradebook(dl: NonNullable<LaunchContext['deepLinking']>): boolean {
  return dl.acceptLineItem !== false;
}

export function selectionView(who: LaunchContext, workshop: Workshop) {
  const dl = requireDeepLinking(who);
  return {
    cohort: { id: who.cohortId, title: '' },
    person: { name: who.displayName },
    multiple: dl.acceptMultiple,
    canGrade: offersGradebook(dl),
    options: [
      { value: HUB, title: 'The whole workshop', summary: 'One link to the cohort hub: all nine modules, progress and groups.' },
      ...workshop.modules.map((m) => ({ value: String(m.id), title: `Module ${m.id}: ${m.title}`, summary: m.summary })),
    ],
  };
}

export async function chooseContent(deps: { config: Config; workshop: Workshop; lti: LtijsServices }, who: LaunchContext, chosen: string[], graded: boolean) {
  const dl = requireDeepLinking(who);
  const valid = chosen.filter((c) => c === HUB || deps.workshop.byId(Number(c)) !== undefined);
  if (valid.length === 0 || valid.length !== chosen.length) throw new ValidationError('Choose the whole workshop or at least one module.');
  if (!dl.acceptMultiple && valid.length > 1) throw new ValidationError('Your course accepts one item at a time: choose one.');
  const launchUrl = new URL('/lti/launch', deps.config.publicUrl).href;
  const items: ResourceLinkItem[] = valid.map((c) => {
    const module = c === HUB ? undefined : deps.workshop.byId(Number(c))!;
    const title = module ? `Circlework ${module.id}: ${module.title}` : 'Circlework: social learning workshop';
    return {
      type: 'ltiResourceLink',
      title,
      text: module?.summary ?? 'Nine modules of learning with each other at work.',
      url: launchUrl,
      ...(module ? { custom: { module: String(module.id) } } : {}),
      ...(graded && offersGradebook(dl) ? { lineItem: { scoreMaximum: 100, label: title, resourceId: module ? `circlework-module-${module.id}` : 'circlework-hub' } } : {}),
    };
  });
  const jwt = await signDeepLinkingResponse(deps.lti, who, items, `Added ${items.length === 1 ? items[0]!.title : `${items.length} Circlework links`}.`);
  return { returnUrl: dl.returnUrl, jwt, items: items.map((i) => i.title), person: { name: who.displayName } };
}
