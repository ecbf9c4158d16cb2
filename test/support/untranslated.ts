// Finds interface text that did not come from the catalogs: render a page in the pseudo-locale en-XA
// (every catalog string accented and wrapped in ⟦…⟧) and any plain English word left on it was
// hard-coded. Text that is nobody's to translate is skipped: an element marked translate="no"
// (people's names, their posts, an LMS's course title) or carrying its own lang (workshop content in
// the cohort's language), and <script>, <style>, <code>, <pre>, <textarea>, <title>.
import { Parser } from 'htmlparser2';

// <textarea> holds what a person typed; <title> mostly names the page's subject (a person, a course
// title from the LMS) and repeats its <h1>, which is checked; <time> holds a date formatted for the
// locale (the pseudo-locales format as British English), not a catalog string.
const SKIPPED_ELEMENTS = new Set(['script', 'style', 'code', 'pre', 'svg:style', 'template', 'noscript', 'textarea', 'title', 'time']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
// Words that are the same in every language we ship: the product's name, units.
const ALLOWED = new Set(['Circlework', 'LTI', 'CSV', 'SVG', 'PDF', 'URL', 'UTC', 'JSON', 'OK', 'LMS', 'AGS', 'NRPS', 'ZIP', 'Moodle', 'Canvas', 'Markdown', 'HTML', 'RSS', 'JPEG', 'PNG', 'GIF', 'WebP', 'MB', 'KB', 'GB']);
// Attributes whose text a person reads or hears.
const READ_ATTRIBUTES = ['title', 'alt', 'placeholder', 'aria-label', 'aria-description'];

/** The plain English words on a page rendered in en-XA, with a little context each (empty: all translated). */
export function untranslatedText(html: string): string[] {
  const found: string[] = [];
  // A stack of "skipping?" per open element.
  const stack: { name: string; skip: boolean }[] = [];
  let pseudoDepth = 0;
  const skipping = () => stack.length > 0 && stack[stack.length - 1]!.skip;
  const check = (text: string, where: string) => {
    // Text inside ⟦…⟧ came from the catalog; so did accented words outside (placeholders' neighbours).
    let outside = '';
    for (const ch of text) {
      if (ch === '⟦') pseudoDepth++;
      else if (ch === '⟧') pseudoDepth = Math.max(0, pseudoDepth - 1);
      else if (pseudoDepth === 0) outside += ch;
    }
    for (const m of outside.matchAll(/[A-Za-z][A-Za-z'’]{2,}/g)) {
      if (ALLOWED.has(m[0])) continue;
      found.push(`${where}: “${outside.trim().slice(0, 80)}”`);
      break;
    }
  };
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const skip = skipping() || SKIPPED_ELEMENTS.has(name) || attrs.translate === 'no' || (attrs.lang !== undefined && name !== 'html') || attrs.hidden !== undefined && name === 'template';
        if (!skip) for (const a of READ_ATTRIBUTES) if (attrs[a]) check(attrs[a], `<${name} ${a}>`);
        if (!skip && name === 'input' && (attrs.type === 'submit' || attrs.type === 'button') && attrs.value) check(attrs.value, '<input value>');
        if (!VOID.has(name)) stack.push({ name, skip });
      },
      ontext(text) {
        if (!skipping() && text.trim()) check(text, `<${stack[stack.length - 1]?.name ?? '#'}>`);
      },
      onclosetag(name) {
        if (VOID.has(name)) return;
        // Pop to the matching element (tolerates the implied closes HTML allows).
        for (let i = stack.length - 1; i >= 0; i--) {
          if (stack[i]!.name === name) {
            stack.length = i;
            break;
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return found;
}
