// The edition editor (list, edition, module and five-factor forms, with their errors, a preview and
// a conflict) in the pseudo-locale en-XA shows no string outside the catalogs; what editors wrote
// (edition names, module texts) is marked translate="no". A French editor gets French.
import { expect } from 'chai';
import { cohortSuite, type Member, type Page } from '../support/cohort-members.ts';
import { formOf } from '../support/html-forms.ts';
import { untranslatedText } from '../support/untranslated.ts';

const CONTENT_DEVELOPER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper';
const dana = { sub: 'dana', name: 'Dana Designer', roles: [CONTENT_DEVELOPER] };
const devi = { sub: 'devi', name: 'Devi Designer', roles: [CONTENT_DEVELOPER] };

describe('the edition editor in every language', () => {
  const { env, launchIn, get, post } = cohortSuite({ context: { id: 'course-i18n-ed', title: 'Course' } });
  const url = (path: string) => `${env.app.url}${path}`;
  const pages: Array<[string, Page]> = [];
  const keep = (name: string, page: Page, status = 200) => {
    expect(page.status, `${name}: ${page.body.slice(0, 300)}`).to.equal(status);
    pages.push([name, page]);
    return page;
  };

  it('en-XA: every page and state of the editor speaks through the catalogs', async () => {
    const a: Member = await launchIn(dana, 'en-XA');
    const b: Member = await launchIn(devi, 'en-XA');
    keep('list, empty', await get(a, url('/editions')));
    keep('list, name refused', await post(a, url('/editions'), { name: ' ', from: 'default', language: 'en' }), 400);
    const created = await post(a, url('/editions'), { name: 'Managers', from: 'default', language: 'en' });
    expect(created.status).to.equal(303);
    const id = created.location!.split('/')[2]!.split('?')[0]!;
    keep('edition, created', await get(a, url(`/editions/${id}?created=1`)));
    const moduleUrl = url(`/editions/${id}/modules/2`);
    const form = keep('module', await get(a, moduleUrl));
    keep('module, errors', await post(a, moduleUrl, { ...formOf(form.doc, '#module-form', { title: ' ', minutes: '0', reading_0_link: 'ftp://x' }), intent: 'save' }), 400);
    keep('module, whole-edition rule', await post(a, moduleUrl, { ...formOf(form.doc, '#module-form', { activity_0_kind: 'five-factor-check' }), intent: 'save' }), 400);
    keep('module, preview', await post(a, moduleUrl, { ...formOf(form.doc, '#module-form'), intent: 'preview' }));
    const formB = formOf((await get(b, moduleUrl)).doc, '#module-form');
    expect((await post(a, moduleUrl, { ...formOf((await get(a, moduleUrl)).doc, '#module-form', { title: 'Dana’s title' }), intent: 'save' })).status).to.equal(303);
    keep('module, saved', await get(a, `${moduleUrl}?saved=1`));
    keep('module, conflict', await post(b, moduleUrl, { ...formB, title: 'Devi’s title', intent: 'save' }), 409);
    const ff = keep('five factors', await get(a, url(`/editions/${id}/five-factors`)));
    keep('five factors, refused', await post(a, url(`/editions/${id}/five-factors`), formOf(ff.doc, '#five-factors-form', { intention_label: '' })), 400);
    const draft = keep('edition, draft', await get(a, url(`/editions/${id}`)));
    expect((await post(a, url(`/editions/${id}/publish`), formOf(draft.doc, '#publish'))).status).to.equal(303);
    keep('edition, published', await get(a, url(`/editions/${id}?published=1`)));
    keep('list, for new courses refused', await post(a, url('/editions/for-new-cohorts'), { editionId: '00000000-0000-4000-8000-000000000000', language: 'en' }), 404);
    expect((await post(a, url('/editions/for-new-cohorts'), { editionId: id, language: 'en' })).status).to.equal(303);
    keep('list, chosen', await get(a, url('/editions?chosen=1')));

    const found = pages.flatMap(([name, page]) => untranslatedText(page.body).map((t) => `${name}: ${t}`));
    expect(found.join('\n')).to.equal('');
    // The editors' own words are shown as written.
    expect(pages.find(([n]) => n === 'module, conflict')![1].doc.querySelector('[data-test=their-version] h3')?.text).to.equal('Dana’s title');
  });

  it('fr: the editor in French, its messages too', async () => {
    const a = await launchIn({ ...dana, sub: 'dana-fr' }, 'fr-FR');
    const list = await get(a, url('/editions'));
    expect(list.body).to.match(/<html lang="fr"/);
    expect(list.doc.querySelector('h1')?.text).to.equal('Éditions de l’atelier');
    const refused = await post(a, url('/editions'), { name: ' ', from: 'default', language: 'fr' });
    expect(refused.status).to.equal(400);
    expect(refused.doc.querySelector('#name-error')?.text).to.contain('Donnez à l’édition un nom de 1 à 100 caractères.');
  });
});
