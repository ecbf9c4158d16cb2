// Forms read from a parsed page as a browser would submit them.
import type { HTMLElement } from 'node-html-parser';

/** A form's fields as a browser would send them (checked boxes only, selected options), then `overrides`. */
export function formOf(doc: HTMLElement, selector: string, overrides: Record<string, string | null> = {}): Record<string, string> {
  const form = doc.querySelector(selector);
  if (!form) throw new Error(`no form ${selector}`);
  const out: Record<string, string> = {};
  for (const el of form.querySelectorAll('input, textarea, select')) {
    const name = el.getAttribute('name');
    if (!name || name === '_csrf') continue;
    const type = el.getAttribute('type');
    if (el.tagName === 'TEXTAREA') out[name] = el.text;
    else if (el.tagName === 'SELECT') out[name] = (el.querySelector('option[selected]') ?? el.querySelector('option'))?.getAttribute('value') ?? '';
    else if (type === 'checkbox') {
      if (el.hasAttribute('checked')) out[name] = 'on';
    } else if (type !== 'submit') out[name] = el.getAttribute('value') ?? '';
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
