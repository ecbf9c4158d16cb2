// Deep linking choices → content items: the hub (the whole workshop) and/or single modules, each a
// link back to /lti/launch; a module link carries custom module=N so its launch opens that module.
import { signDeepLinkingResponse, type ResourceLinkItem } from '../../lti/deep-linking.ts';
import type { LtijsServices } from '../../lti/lti-tool.ts';
import type { Config } from '../config.ts';
import { AppError, ValidationError } from '../errors.ts';
import { msg, type I18n } from '../i18n/i18n.ts';
import type { LaunchContext } from '../launch-context.ts';
import type { Workshop } from '../modules/workshop-content.ts';

const HUB = 'hub';

function requireDeepLinking(who: LaunchContext): NonNullable<LaunchContext['deepLinking']> {
  if (!who.deepLinking) {
    throw new AppError(400, 'no-deep-linking', msg('lti.deepLinking.notASelection'));
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

export function selectionView(i18n: I18n, who: LaunchContext, workshop: Workshop, contentLanguage: string) {
  const dl = requireDeepLinking(who);
  return {
    cohort: { id: who.cohortId, title: '' },
    person: { name: who.displayName },
    multiple: dl.acceptMultiple,
    canGrade: offersGradebook(dl),
    contentLanguage,
    options: [
      { value: HUB, title: i18n.t('lti.deepLinking.wholeWorkshop'), summary: i18n.t('lti.deepLinking.wholeWorkshopSummary'), isModule: false },
      // The module's own title and summary are the workshop's, in its language.
      ...workshop.modules.map((m) => ({ value: String(m.id), title: i18n.t('lti.deepLinking.module', { number: m.id, title: m.title }), summary: m.summary, isModule: true })),
    ],
  };
}

/** The links go into the course in the words of `i18n` (the teacher's language). */
export async function chooseContent(deps: { config: Config; workshop: Workshop; lti: LtijsServices }, i18n: I18n, who: LaunchContext, chosen: string[], graded: boolean) {
  const dl = requireDeepLinking(who);
  const valid = chosen.filter((c) => c === HUB || deps.workshop.byId(Number(c)) !== undefined);
  if (valid.length === 0 || valid.length !== chosen.length) throw new ValidationError(msg('lti.deepLinking.chooseSomething'));
  if (!dl.acceptMultiple && valid.length > 1) throw new ValidationError(msg('lti.deepLinking.onlyOne'));
  const launchUrl = new URL('/lti/launch', deps.config.publicUrl).href;
  const items: ResourceLinkItem[] = valid.map((c) => {
    const module = c === HUB ? undefined : deps.workshop.byId(Number(c))!;
    const title = module ? i18n.t('lti.deepLinking.itemModule', { number: module.id, title: module.title }) : i18n.t('lti.deepLinking.itemHub');
    return {
      type: 'ltiResourceLink',
      title,
      text: module?.summary ?? i18n.t('lti.deepLinking.itemHubText'),
      url: launchUrl,
      ...(module ? { custom: { module: String(module.id) } } : {}),
      ...(graded && offersGradebook(dl) ? { lineItem: { scoreMaximum: 100, label: title, resourceId: module ? `circlework-module-${module.id}` : 'circlework-hub' } } : {}),
    };
  });
  const jwt = await signDeepLinkingResponse(deps.lti, who, items, items.length === 1 ? i18n.t('lti.deepLinking.addedOne', { title: items[0]!.title }) : i18n.t('lti.deepLinking.addedMany', { count: items.length }));
  return { returnUrl: dl.returnUrl, jwt, items: items.map((i) => i.title), itemList: i18n.list(items.map((i) => i.title)), person: { name: who.displayName } };
}
