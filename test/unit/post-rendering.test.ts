import { expect } from 'chai';
import { i18nFor } from '../../server/i18n/i18n.ts';
import { parse, type HTMLElement } from 'node-html-parser';
import {
  MAX_POST_LENGTH,
  PostTooLongError,
  QUOTE_LENGTH,
  quoteForReply,
  renderPost,
  sanitizePostHtml,
} from '../../server/discussions/post-rendering.ts';
import { XSS_PAYLOADS } from '../fixtures/xss-payloads.ts';

// Written out here, not imported: the test states the allow-list independently of the code.
const ALLOWED = new Set([
  'p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
  'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span',
]);
const NEVER = ['style', 'src', 'srcdoc', 'action', 'formaction', 'xlink:href', 'class', 'id'];

/** Every element of the HTML, parsed as markup everywhere (no raw-text elements). */
function elementsOf(html: string): HTMLElement[] {
  const root = parse(html, { comment: true, blockTextElements: {} });
  return root.querySelectorAll('*');
}

/** Asserts the HTML can run nothing and load nothing, whatever a browser does with it. */
function expectInert(html: string): void {
  for (const el of elementsOf(html)) {
    const tag = el.rawTagName.toLowerCase();
    expect(ALLOWED, `<${tag}> in ${html}`).to.include(tag);
    const attributes = Object.fromEntries(
      Object.entries(el.attributes).map(([name, value]) => [name.toLowerCase(), value]),
    );
    for (const name of Object.keys(attributes)) {
      expect(name.startsWith('on'), `${name} on <${tag}> in ${html}`).to.equal(false);
      if (!(tag === 'span' && name === 'class')) {
        expect(NEVER, `${name} on <${tag}> in ${html}`).not.to.include(name);
      }
    }
    if (tag === 'a') {
      expect(Object.keys(attributes)).to.satisfy((names: string[]) =>
        names.every((n) => ['href', 'rel', 'target'].includes(n)));
      const rel = (attributes['rel'] ?? '').split(/\s+/);
      expect(rel, html).to.include.members(['nofollow', 'noopener', 'noreferrer']);
      expect(attributes['target']).to.equal('_blank');
      const href = attributes['href'];
      if (href !== undefined) {
        expect(() => new URL(href), `href ${href}`).not.to.throw();
        expect(['http:', 'https:', 'mailto:']).to.include(new URL(href).protocol);
      }
    } else if (tag === 'span') {
      expect(Object.keys(attributes).sort()).to.deep.equal(['class', 'data-person-id']);
      expect(attributes['class']).to.equal('mention');
    } else {
      expect(attributes, `attributes on <${tag}> in ${html}`).to.deep.equal({});
    }
  }
}

const ann = { personId: 'p-ann', handle: 'ann', name: 'Ann Lee' };
const bo = { personId: 'p-bo', handle: 'bo.k-2_x', name: 'Bo Kim' };
/** Someone whose LMS-supplied name and id are hostile. */
const mallory = {
  personId: '"><script>alert(1)</script>',
  handle: 'mallory',
  name: '<img src=x onerror=alert(1)>',
};
const mentionable = [ann, bo, mallory];

describe('renderPost over the XSS corpus', () => {
  it('has at least 60 payloads, each with its own label', () => {
    expect(XSS_PAYLOADS.length).to.be.at.least(60);
    expect(new Set(XSS_PAYLOADS.map((p) => p.label)).size).to.equal(XSS_PAYLOADS.length);
  });

  it('has a checker that does reject active content', () => {
    for (const bad of [
      '<img src=x>', '<p onclick="x()">a</p>', '<a href="javascript:x()" rel="nofollow noopener noreferrer" target="_blank">a</a>',
      '<a href="/relative" rel="nofollow noopener noreferrer" target="_blank">a</a>', '<a href="https://x.example/">a</a>',
      '<p style="color:red">a</p>', '<pre><svg onload=x()></svg></pre>', '<span class="evil" data-person-id="p">a</span>',
    ]) {
      expect(() => expectInert(bad), bad).to.throw();
    }
    expectInert('<p><a href="mailto:a@example.com" rel="nofollow noopener noreferrer" target="_blank">a</a></p>');
  });

  for (const { label, source } of XSS_PAYLOADS) {
    it(`renders nothing active: ${label}`, () => {
      const { html } = renderPost(source, { mentionable });
      expectInert(html);
      expect(html, 'a dangerous scheme inside a tag').not.to.match(/<[^>]*(?:javascript|vbscript|data):/i);
      expect(sanitizePostHtml(html), 'sanitising again changes nothing').to.equal(html);
      expect(renderPost(source, { mentionable }).html, 'rendering again').to.equal(html);
    });

    it(`sanitises it as raw HTML too (the allow-list alone): ${label}`, () => {
      expectInert(sanitizePostHtml(source));
    });
  }

  it('lets a hostile name and person id through only as text', () => {
    const { html, mentions } = renderPost('hi @mallory', { mentionable });
    expectInert(html);
    expect(mentions).to.deep.equal([mallory.personId]);
    const span = parse(html).querySelector('span.mention');
    expect(span?.getAttribute('data-person-id')).to.equal(mallory.personId);
    expect(span?.text).to.equal(`@${mallory.name}`);
  });
});

describe('renderPost', () => {
  const html = (source: string) => renderPost(source).html.trim();

  it('renders emphasis, strong and strikethrough', () => {
    expect(html('*a* **b** ~~c~~')).to.equal('<p><em>a</em> <strong>b</strong> <del>c</del></p>');
  });

  it('renders bullet and numbered lists', () => {
    expect(html('- one\n- two')).to.equal('<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
    expect(html('1. one\n2. two')).to.equal('<ol>\n<li>one</li>\n<li>two</li>\n</ol>');
  });

  it('keeps < escaped in code blocks and code spans, and drops the language class', () => {
    expect(html('```js\nif (a < b) "<b>x</b>";\n```')).to.equal(
      '<pre><code>if (a &lt; b) "&lt;b&gt;x&lt;/b&gt;";\n</code></pre>',
    );
    expect(html('use `<br>` here')).to.equal('<p>use <code>&lt;br&gt;</code> here</p>');
  });

  it('shows raw HTML as text', () => {
    expect(html('<b>hi</b>')).to.equal('<p>&lt;b&gt;hi&lt;/b&gt;</p>');
  });

  it('gives every link rel="nofollow noopener noreferrer" and target="_blank"', () => {
    expect(html('[site](https://example.com/a?b=1&c=2)')).to.equal(
      '<p><a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer" target="_blank">site</a></p>',
    );
  });

  it('links bare URLs and email addresses, not bare domain names', () => {
    const links = parse(html('see https://example.com/x or www.example.org, or mail ann@example.com'))
      .querySelectorAll('a');
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal([
      'https://example.com/x', 'mailto:ann@example.com',
    ]);
    expect(links.every((a) => a.getAttribute('rel') === 'nofollow noopener noreferrer')).to.equal(true);
  });

  it('keeps the text of a link whose address is not allowed, without the link', () => {
    expect(html('[x](javascript:alert(1))')).to.equal('<p>[x](javascript:alert(1))</p>');
    expect(html('[home](/admin)')).to.equal('<p>home</p>');
    expect(html('[far](//evil.example/x)')).to.equal('<p>far</p>');
  });

  it('turns an image into a link to it (no tracking pixels)', () => {
    expect(html('![a chart](https://example.com/c.png)')).to.equal(
      '<p><a href="https://example.com/c.png" rel="nofollow noopener noreferrer" target="_blank">a chart</a></p>',
    );
  });

  it('maps h1 and h2 to h3 and keeps h3 to h6', () => {
    expect(html('# One\n\n## Two\n\nThree\n===\n\n### 3\n\n#### 4\n\n###### 6')).to.equal(
      '<h3>One</h3>\n<h3>Two</h3>\n<h3>Three</h3>\n<h3>3</h3>\n<h4>4</h4>\n<h6>6</h6>',
    );
  });

  it('renders tables without attributes (alignment dropped)', () => {
    const out = html('| a | b |\n|:--|--:|\n| 1 | 2 |');
    expect(out).to.equal(
      '<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>',
    );
  });

  it('renders blockquotes, rules and smart punctuation', () => {
    expect(html('> "quoted" -- (c)\n\n---')).to.equal(
      '<blockquote>\n<p>“quoted” – ©</p>\n</blockquote>\n<hr />',
    );
  });

  it('renders the same source to the same HTML every time', () => {
    const source = '# T\n\n@ann said *hi* to @bo.k-2_x at https://example.com';
    const first = renderPost(source, { mentionable });
    expect(renderPost(source, { mentionable })).to.deep.equal(first);
    expect(sanitizePostHtml(first.html)).to.equal(first.html);
  });

  it('renders a post of exactly the maximum length', () => {
    expect(renderPost('a'.repeat(MAX_POST_LENGTH)).html).to.have.length.above(MAX_POST_LENGTH);
  });

  it('renders pathological inputs of the maximum length in well under a second each', () => {
    for (const unit of ['[', '*a', '<', '@ ', '@ann ', '[@ann](x) ', '> ', '`a', '_a_b']) {
      const source = unit.repeat(Math.floor(MAX_POST_LENGTH / unit.length));
      const started = performance.now();
      renderPost(source, { mentionable });
      expect(performance.now() - started, JSON.stringify(unit)).to.be.below(1000);
    }
  });

  it('throws PostTooLongError (400) above the maximum length', () => {
    expect(() => renderPost('a'.repeat(MAX_POST_LENGTH + 1)))
      .to.throw(PostTooLongError)
      .with.property('status', 400);
  });
});

describe('renderPost mentions', () => {
  it('makes a mention span of a known handle and returns the person id', () => {
    const { html, mentions } = renderPost('Thanks @ann!', { mentionable });
    expect(html.trim()).to.equal(
      '<p>Thanks <span class="mention" data-person-id="p-ann">@Ann Lee</span>!</p>',
    );
    expect(mentions).to.deep.equal(['p-ann']);
  });

  it('reads handles with dots, dashes and underscores, without a sentence’s last full stop', () => {
    const { html, mentions } = renderPost('Ask @bo.k-2_x.', { mentionable });
    expect(html).to.contain('<span class="mention" data-person-id="p-bo">@Bo Kim</span>.</p>');
    expect(mentions).to.deep.equal(['p-bo']);
  });

  it('returns each person once, in the order first mentioned', () => {
    const { mentions } = renderPost('@bo.k-2_x @ann and again @ann, (@BO.K-2_X)', { mentionable });
    expect(mentions).to.deep.equal(['p-bo', 'p-ann']);
  });

  it('leaves unknown handles as plain text', () => {
    const { html, mentions } = renderPost('Hello @nobody and @annie', { mentionable });
    expect(html.trim()).to.equal('<p>Hello @nobody and @annie</p>');
    expect(mentions).to.deep.equal([]);
  });

  it('finds no mentions in code spans or code blocks', () => {
    const { html, mentions } = renderPost('`@ann`\n\n```\n@ann\n```\n\n    @ann', { mentionable });
    expect(html).not.to.contain('mention');
    expect(mentions).to.deep.equal([]);
  });

  it('does not read an email address or an escaped @ as a mention', () => {
    const { mentions } = renderPost('write to x@ann or \\@ann', { mentionable });
    expect(mentions).to.deep.equal([]);
  });

  it('finds mentions in emphasis, lists and quotes', () => {
    const { mentions } = renderPost('*@ann*\n\n- @bo.k-2_x\n\n> @mallory', { mentionable });
    expect(mentions).to.deep.equal(['p-ann', 'p-bo', mallory.personId]);
  });

  it('mentions no one when no one is mentionable', () => {
    expect(renderPost('@ann').mentions).to.deep.equal([]);
  });
});

const en = i18nFor('en');

describe('quoteForReply', () => {
  it('quotes a short post whole, after "*Name wrote:*"', () => {
    expect(quoteForReply('First line\n\nSecond *line*', 'Ann Lee', en)).to.equal(
      '> *Ann Lee wrote:*\n>\n> First line\n>\n> Second *line*\n\n',
    );
  });

  it('renders as a blockquote naming the author', () => {
    const quote = quoteForReply('I tried it at work.', 'Ann Lee', en);
    const { html } = renderPost(`${quote}I did too.`);
    expect(html.trim()).to.equal(
      '<blockquote>\n<p><em>Ann Lee wrote:</em></p>\n<p>I tried it at work.</p>\n</blockquote>\n<p>I did too.</p>',
    );
  });

  it('cuts a long post at a word near the limit and marks the cut', () => {
    const source = 'word '.repeat(400);
    const quote = quoteForReply(source, 'Ann', en);
    const quoted = quote.split('\n').slice(2).join('\n');
    expect(quoted.length).to.be.within(QUOTE_LENGTH * 0.8, QUOTE_LENGTH + 10);
    expect(quote.trimEnd()).to.match(/ word …$/);
  });

  it('quotes nested quotes and Windows line ends line by line', () => {
    expect(quoteForReply('> earlier\r\nmine', 'Bo', en)).to.equal('> *Bo wrote:*\n>\n> > earlier\n> mine\n\n');
  });

  it('escapes Markdown and mentions in the author name', () => {
    const quote = quoteForReply('hi', '[x](javascript:alert(1)) @ann *bold*\nnext', en);
    const { html, mentions } = renderPost(quote, { mentionable });
    expect(mentions).to.deep.equal([]);
    expect(parse(html).querySelector('em')?.text).to.equal(
      '[x](javascript:alert(1)) @ann *bold* next wrote:',
    );
  });
});
