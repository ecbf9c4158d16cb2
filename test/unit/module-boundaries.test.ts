import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// lti/ is the LTI protocol adapter: it may lean on the shared basics in server/
// (typed errors, configuration, the catalogs' messages its refusals name) but not on product
// behaviour, which depends on it.
const allowedFromServer = new Set(['server/errors.ts', 'server/config.ts', 'server/i18n/i18n.ts']);

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFilesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports or re-exports, static or dynamic, type-only included:
 *  `from '…'`, a bare `import '…'` and `import('…')`. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('module boundaries', () => {
  it('lti/ imports nothing from server/ but errors.ts, config.ts and i18n/i18n.ts', () => {
    const files = tsFilesUnder(join(root, 'lti'));
    expect(files).to.not.be.empty;
    const offending: string[] = [];
    for (const file of files) {
      for (const specifier of importsOf(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = relative(root, resolve(dirname(file), specifier)).split('\\').join('/');
        if (target.startsWith('server/') && !allowedFromServer.has(target)) {
          offending.push(`${relative(root, file)} → ${target}`);
        }
      }
    }
    expect(offending, offending.join('\n')).to.deep.equal([]);
  });
});
