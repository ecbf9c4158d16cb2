// Our pages leave the template engine as ISO-8859-1 text: every character beyond it ("’", "—", "…",
// a name in Arabic, an emoji) is written as a numeric character reference ("&#8217;"), which every
// HTML parser reads back as the same character. Why: V8 keeps a string of Latin-1 characters one
// byte per character, and the page is built from thousands of pieces; a single "’" among them made
// the whole page a two-byte string, and widening 70 kB of one-byte pieces into it (when the page is
// joined, then when it is encoded for the socket) cost a quarter of the thread page's CPU. Testing a
// one-byte string for such characters costs nothing (V8 answers from the string's representation),
// so checking every piece that goes out is free where there is nothing to do.
//
// Only for HTML: a character reference means nothing in a <script> or <style> element's text, and our
// templates put none of their text or values there (their scripts are static ASCII).
import Handlebars from 'handlebars';

// The test without the u flag: it answers the same (an astral character's surrogates are beyond
// Latin-1 too), and irregexp then skips a one-byte string at once, where with u it scans all of it
// (0.4 ms for 800 kB of SVG). Replacing needs u, to write an astral character as one reference.
const BEYOND_LATIN1 = /[^\x00-\xff]/;
const EACH_BEYOND_LATIN1 = /[^\x00-\xff]/gu;

const reference = (c: string) => `&#${c.codePointAt(0)};`;
// Text of Latin-1 characters only, as a one-byte string: what `replace` or a slice returns keeps its
// subject's two bytes per character whatever it holds; read back as Latin-1 bytes, it is one byte each.
const oneByte = (latin1: string) => Buffer.from(latin1, 'latin1').toString('latin1');

/** `html` with every character beyond Latin-1 written as a numeric character reference. */
export function latin1Html(html: string): string {
  return BEYOND_LATIN1.test(html) ? oneByte(html.replace(EACH_BEYOND_LATIN1, reference)) : html;
}

/**
 * The same text as a one-byte string when all of it is Latin-1. Text cut from a larger string that
 * held one character beyond it (a title read from a Markdown file with a "’" in it) keeps two bytes a
 * character, and one such piece makes the whole page two-byte again. For text kept and written on
 * many pages (the workshop's titles); a copy, so not for every value.
 */
export function compactLatin1(text: string): string {
  return BEYOND_LATIN1.test(text) ? text : oneByte(text);
}

/** `latin1Html` for HTML kept and written on many pages (rendered Markdown): always a one-byte string. */
export function compactLatin1Html(html: string): string {
  return oneByte(html.replace(EACH_BEYOND_LATIN1, reference));
}

/**
 * Where compiled templates find the encoder: an entry of the helpers that is not a function, so
 * Handlebars neither wraps it (a helper's last argument must be its options) nor lets a template
 * call it, and the generated code calls `helpers.<HELPER>.encode(value)`.
 */
const HELPER = '__latin1Output';
const ENCODER = `helpers.${HELPER}.encode`;

/** A template's rendering handed on to another template (a view to its layout): encoded already. */
export class TemplateOutput {
  readonly html: string;
  constructor(html: string) {
    this.html = html;
  }
  toString(): string {
    return this.html;
  }
}

/** What a template writes unescaped ({{{…}}}, a block's or a partial's output): null stays null (nothing written). */
function latin1Value(value: unknown): unknown {
  if (typeof value === 'string') return latin1Html(value);
  if (value instanceof TemplateOutput) return value.html;
  if (value instanceof Handlebars.SafeString) return latin1Html(value.toHTML());
  return value;
}

// Handlebars's two compilers, extended as its documentation invites (`Compiler`, `JavaScriptCompiler`):
// the template's own text is encoded once when it is compiled; a value it writes ({{value}},
// {{{value}}}) goes through the encoder; what a block or a partial writes is template output,
// encoded already, and is not looked at again (testing it would first join its pieces, at every
// level of nesting).
interface Opcode { opcode: string }
const BaseCompiler = (Handlebars as unknown as { Compiler: unknown }).Compiler as new () => {
  opcodes: Opcode[];
  BlockStatement(block: unknown): void;
  PartialStatement(partial: unknown): void;
};

class Latin1Compiler extends BaseCompiler {
  override BlockStatement(block: unknown): void {
    super.BlockStatement(block);
    this.#lastAppendIsTemplateOutput();
  }

  // {{> partial}}, and {{#> partial}}…{{/partial}} through it.
  override PartialStatement(partial: unknown): void {
    super.PartialStatement(partial);
    this.#lastAppendIsTemplateOutput();
  }

  #lastAppendIsTemplateOutput(): void {
    const last = this.opcodes.at(-1);
    if (last?.opcode === 'append') last.opcode = 'appendTemplateOutput';
  }
}
// Nested programs ({{#each}}…{{/each}}) are compiled by `compiler`, which must be this one too.
(Latin1Compiler.prototype as unknown as { compiler: unknown }).compiler = Latin1Compiler;

interface CodeGeneratorInternals {
  push(expr: unknown): unknown;
  popStack(): unknown;
  aliasable(name: string): unknown;
  pushSource(source: unknown): void;
  appendToBuffer(source: unknown): unknown;
  appendContent(content: string): void;
  append(): void;
}
const BaseCodeGenerator = (Handlebars as unknown as { JavaScriptCompiler: unknown }).JavaScriptCompiler as new () => CodeGeneratorInternals;

class Latin1CodeGenerator extends BaseCodeGenerator {
  /** The template's own text. */
  override appendContent(content: string): void {
    super.appendContent(latin1Html(content));
  }

  /** {{{value}}} */
  override append(): void {
    this.push([this.aliasable(ENCODER), '(', this.popStack(), ')']);
    super.append();
  }

  /** What a block or a partial wrote (see Latin1Compiler). */
  appendTemplateOutput(): void {
    super.append();
  }

  /** {{value}}: escaped, then encoded. */
  appendEscaped(): void {
    this.pushSource(this.appendToBuffer([this.aliasable(ENCODER), '(', this.aliasable('container.escapeExpression'), '(', this.popStack(), '))']));
  }
}
(Latin1CodeGenerator.prototype as unknown as { compiler: unknown }).compiler = Latin1CodeGenerator;

/** A Handlebars environment whose templates write Latin-1 HTML (see above). */
export function createLatin1Handlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  Object.assign(hbs, { Compiler: Latin1Compiler, JavaScriptCompiler: Latin1CodeGenerator });
  (hbs.helpers as Record<string, unknown>)[HELPER] = Object.freeze({ encode: latin1Value });
  return hbs;
}
