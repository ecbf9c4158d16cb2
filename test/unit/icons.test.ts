// Icons are inline SVG from one sprite (public/icons.svg), not emoji or font glyphs that render as
// boxes where the reader lacks the font: every icon a view asks for is in the sprite, and the
// partial hides it from screen readers (the text beside it says what it means).
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { i18nFor } from '../../server/i18n/i18n.ts';

const root = path.join(import.meta.dirname, '../..');
const viewsDir = path.join(root, 'views');
const templates = fs.readdirSync(viewsDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.hbs'));
const sprite = fs.readFileSync(path.join(root, 'public/icons.svg'), 'utf8');
const symbols = new Set([...sprite.matchAll(/<symbol id="([^"]+)"/g)].map((m) => m[1]!));

describe('icons', () => {
  it('finds every icon a view names in the sprite, and every name the console’s attention list uses', async () => {
    const missing: string[] = [];
    for (const file of templates) {
      const source = fs.readFileSync(path.join(viewsDir, file), 'utf8');
      for (const m of source.matchAll(/\{\{>\s*icon\s+name="([^"]+)"/g)) if (!symbols.has(m[1]!)) missing.push(`${file}: ${m[1]}`);
    }
    const { attentionView } = await import('../../server/cohorts/console.views.ts');
    for (const item of attentionView(i18nFor('en'), 'c', { flaggedPosts: 1, failedGrades: 1, neverLaunched: 1, quiet: 1, overdueCheckIns: 1 })) {
      if (!symbols.has(item.icon)) missing.push(`attention ${item.kind}: ${item.icon}`);
    }
    expect(missing).to.deep.equal([]);
  });

  it('draws icons hidden from screen readers, from the sprite, in the text colour', () => {
    const partial = fs.readFileSync(path.join(viewsDir, 'partials/icon.hbs'), 'utf8');
    expect(partial).to.contain('aria-hidden="true"').and.to.contain('focusable="false"').and.to.contain('href="/public/icons.svg#{{name}}"');
    for (const m of sprite.matchAll(/<symbol\b[^>]*>/g)) expect(m[0]).to.match(/currentColor/);
  });

  it('leaves no emoji in the views', () => {
    const emoji = templates.filter((f) => /\p{Extended_Pictographic}/u.test(fs.readFileSync(path.join(viewsDir, f), 'utf8').replace(/[←→✓…]/g, '')));
    expect(emoji).to.deep.equal([]);
  });
});
