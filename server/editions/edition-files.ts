// An edition as a folder of files, the same format as content/: modules/NN-slug.md (YAML front
// matter, then the framing text), plus five-factors.yaml and edition.yaml (its name); zipped for
// download, and read back from an uploaded zip.
import { CONTENT_LANGUAGES } from '../i18n/locales.ts';
import { posix } from 'node:path';
import { ZipArchive } from 'archiver';
import yauzl from 'yauzl';
import YAML from 'yaml';
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { msg } from '../i18n/i18n.ts';
import { defaultFiveFactors, EditionContentSchema, FIVE_FACTOR_IDS, formatPath, moduleFile, parseModuleFile, WorkshopContentError, type EditionContent, type ModuleSource } from '../modules/workshop-content.ts';

/** An upload larger than this, or unpacking to more, is refused (the nine modules are ~60 KB). */
export const MAX_ZIP_BYTES = 2 * 1024 * 1024;
const MAX_ENTRIES = 50;
const MAX_FILE_BYTES = 256 * 1024;

export interface EditionFile {
  name: string;
  text: string;
}

/** The edition's files, named inside one folder (a zip's entries). */
export function editionFiles(name: string, content: EditionContent, language: string = 'en'): EditionFile[] {
  return [
    { name: 'edition.yaml', text: YAML.stringify({ name, language }) },
    { name: 'five-factors.yaml', text: YAML.stringify(content.fiveFactors, { lineWidth: 0 }) },
    ...content.modules.map((m) => {
      const f = moduleFile(m);
      return { name: `modules/${f.name}`, text: f.text };
    }),
  ];
}

const EditionYaml = z.object({ name: z.string().trim().min(1).max(100), language: z.enum(CONTENT_LANGUAGES) }).partial();
const FiveFactorsYaml = z.array(z.object({ id: z.enum(FIVE_FACTOR_IDS), label: z.string(), description: z.string() }));

/** Files (paths inside one folder, or inside one top folder) → the edition's name and content; a 400 naming the file on any problem. */
export function editionFromFiles(files: EditionFile[]): { name: string | undefined; content: EditionContent; language: string | undefined } {
  const top = commonTopFolder(files.map((f) => f.name));
  const rel = (n: string) => (top ? n.slice(top.length + 1) : n);
  const modules: ModuleSource[] = [];
  let name: string | undefined;
  let language: string | undefined;
  let fiveFactors = defaultFiveFactors();
  for (const f of files) {
    const path = rel(f.name);
    try {
      if (path === 'edition.yaml') ({ name, language } = EditionYaml.parse(YAML.parse(f.text) ?? {}));
      else if (path === 'five-factors.yaml') fiveFactors = FiveFactorsYaml.parse(YAML.parse(f.text));
      else if (path.startsWith('modules/') && path.endsWith('.md')) modules.push(parseModuleFile(path, posix.basename(path), f.text));
    } catch (err) {
      if (err instanceof WorkshopContentError) throw new ValidationError(msg('editions.errors.fileProblem', { details: err.message.replace(/^Workshop content /, '') }));
      throw new ValidationError(err instanceof z.ZodError ? msg('editions.errors.unreadableFile', { file: path, details: err.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ') }) : msg('editions.errors.notYaml', { file: path }));
    }
  }
  if (modules.length === 0) throw new ValidationError(msg('editions.errors.noModules'));
  const content = EditionContentSchema.safeParse({ modules: modules.sort((a, b) => a.id - b.id), fiveFactors });
  if (!content.success) throw new ValidationError(msg('editions.errors.notImportable', { details: content.error.issues.map((i) => (i.path.length ? `${formatPath(i.path)}: ${i.message}` : i.message)).join('; ') }));
  return { name, content: content.data, language };
}

function commonTopFolder(names: string[]): string | undefined {
  const firsts = new Set(names.map((n) => (n.includes('/') ? n.split('/')[0] : '')));
  const [only] = [...firsts];
  return firsts.size === 1 && only && only !== 'modules' ? only : undefined;
}

/** The edition's files as a zip, in one folder named `folder`. */
export async function zipEdition(folder: string, files: EditionFile[]): Promise<Buffer> {
  const zip = new ZipArchive({ zlib: { level: 6 } });
  const chunks: Buffer[] = [];
  zip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    zip.on('end', () => resolve());
    zip.on('error', reject);
  });
  // A fixed date: the same edition zips to the same bytes.
  for (const f of files) zip.append(f.text, { name: `${folder}/${f.name}`, date: new Date('2026-01-01T00:00:00Z') });
  await zip.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** An uploaded zip's text files; refuses what is not a zip, too many entries, or too much once unpacked. */
export async function unzipEdition(buf: Buffer): Promise<EditionFile[]> {
  const notAZip = () => new ValidationError(msg('editions.errors.notAZip'));
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true }, (err, z) => (err ? reject(notAZip()) : resolve(z!))));
  const files: EditionFile[] = [];
  let total = 0;
  return new Promise<EditionFile[]>((resolve, reject) => {
    const fail = (err: Error) => {
      zip.close();
      reject(err);
    };
    zip.on('error', () => fail(notAZip()));
    zip.on('end', () => resolve(files));
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/') || entry.fileName.startsWith('__MACOSX/') || posix.basename(entry.fileName).startsWith('.')) return zip.readEntry();
      if (files.length >= MAX_ENTRIES) return fail(new ValidationError(msg('editions.errors.tooManyFiles', { max: MAX_ENTRIES })));
      if (entry.uncompressedSize > MAX_FILE_BYTES || total + entry.uncompressedSize > MAX_ZIP_BYTES) return fail(new ValidationError(msg('editions.errors.fileTooLarge', { file: entry.fileName })));
      total += entry.uncompressedSize;
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return fail(notAZip());
        const parts: Buffer[] = [];
        stream.on('data', (c: Buffer) => parts.push(c));
        stream.on('error', () => fail(notAZip()));
        stream.on('end', () => {
          files.push({ name: entry.fileName, text: Buffer.concat(parts).toString('utf8') });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
}
