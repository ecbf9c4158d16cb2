// Every form in views/: each field's label comes before the field, and a form with labelled fields
// has the shared .form class (one column, label above field, at every width). A new form that
// breaks either fails here rather than on a phone.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

const viewsDir = path.join(import.meta.dirname, '../../views');
const templates = fs.readdirSync(viewsDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.hbs'));

describe('form markup in every view', () => {
  it('puts each label before its field', () => {
    const wrong: string[] = [];
    for (const file of templates) {
      const source = fs.readFileSync(path.join(viewsDir, file), 'utf8');
      for (const m of source.matchAll(/<label\b[^>]*\bfor="([^"]+)"/g)) {
        const field = source.search(new RegExp(`<(input|textarea|select)\\b[^>]*\\bid="${m[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
        if (field === -1) wrong.push(`${file}: no field with id="${m[1]}"`);
        else if (field < m.index) wrong.push(`${file}: the label for "${m[1]}" comes after its field`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it('gives every form with labelled fields the shared .form class', () => {
    const wrong: string[] = [];
    for (const file of templates) {
      const source = fs.readFileSync(path.join(viewsDir, file), 'utf8');
      for (const m of source.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
        // A control in a table row with a label for screen readers only (class visually-hidden) is exempt.
        if (/<label\b(?![^>]*visually-hidden)[^>]*\bfor=/.test(m[2]!) && !/class="[^"]*\bform\b/.test(m[1]!)) wrong.push(`${file}: <form${m[1]}>`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });
});
