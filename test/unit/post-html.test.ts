// A post's kept rendering is keyed by its whole view: a reader in another relation to the post
// (author, kudos given, facilitator) or a changed post never gets another view's HTML.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { createPostRenderer } from '../../server/discussions/post-html.ts';
import { postView, threadView, type PostRow } from '../../server/discussions/discussions.views.ts';
import type { Space, Thread } from '../../models/schema.ts';
import type { LaunchContext } from '../../server/launch-context.ts';
import { i18nFor } from '../../server/i18n/i18n.ts';

const en = i18nFor('en');
const fr = i18nFor('fr');

const cohortId = '00000000-0000-4000-8000-000000000001';
const author = '00000000-0000-4000-8000-000000000002';
const reader = '00000000-0000-4000-8000-000000000003';
const who = (membershipId: string, role: LaunchContext['role'] = 'learner') => ({ tenantId: 'tenant', cohortId, membershipId, personId: `person-${membershipId}`, role, displayName: 'Someone' }) as LaunchContext;
const row = (over: Partial<PostRow> = {}): PostRow => ({
  id: '00000000-0000-4000-8000-000000000009', parentPostId: null, authorMembershipId: author, bodySource: 'Hello', bodyHtml: '<p>Hello</p>',
  status: 'visible', createdAt: new Date('2026-12-01T10:00:00Z'), editedAt: null, moderationReason: null, facilitatorEditedAt: null, endorsedAt: null,
  authorName: 'Ann', authorRole: 'learner', revisionCount: 0, kudos: [], ...over,
});
const controls = (html: string) => parse(html).querySelectorAll('[data-test]').map((e) => e.getAttribute('data-test'));

describe('post HTML (kept renderings)', () => {
  it('gives each view its own rendering: author, reader before and after kudos, facilitator, an edited body', () => {
    const render = createPostRenderer({ cache: true });
    const fresh = createPostRenderer({ cache: false });
    const views = [
      postView(en, who(reader), 'thread', row()),
      postView(en, who(author), 'thread', row()),
      postView(en, who(reader), 'thread', row({ kudos: [{ reason: 'Clear', fromMembershipId: reader, fromName: 'Ben' }] })),
      postView(en, who(reader, 'facilitator'), 'thread', row()),
      postView(en, who(reader), 'thread', row({ bodyHtml: '<p>Hello again</p>', editedAt: new Date() })),
    ];
    // Twice over: the second pass comes from the kept renderings.
    for (const pass of [1, 2]) {
      for (const v of views) expect(render(v, en), `pass ${pass}`).to.equal(fresh(v, en));
    }
    expect(controls(render(views[0]!, en))).to.include('give-kudos');
    expect(controls(render(views[1]!, en))).to.include('delete').and.not.include('give-kudos');
    expect(controls(render(views[2]!, en))).to.not.include('give-kudos');
    expect(controls(render(views[3]!, en))).to.include('moderate-post').and.include('endorse');
    expect(render(views[4]!, en)).to.contain('Hello again');
  });

  it('keeps renderings up to its size in characters, the least recently used dropped first', () => {
    const render = createPostRenderer({ cache: true, chars: 5000 });
    const views = Array.from({ length: 20 }, (_, i) => postView(en, who(reader), 'thread', row({ bodyHtml: `<p>${'x'.repeat(1000)} ${i}</p>` })));
    for (const v of views) expect(render(v, en)).to.contain(` ${views.indexOf(v)}</p>`);
    expect(render.keptChars()).to.be.above(0).and.at.most(5000);
  });

  it('keeps a rendering per reader’s language: the same post read in French after English reads in French', () => {
    const render = createPostRenderer({ cache: true });
    const view = postView(en, who(reader), 'thread', row());
    expect(controls(render(view, en))).to.include('give-kudos');
    const english = parse(render(view, en)).querySelector('[data-test=give-kudos]')!.text;
    const french = parse(render(view, fr)).querySelector('[data-test=give-kudos]')!.text;
    expect(english).to.equal('Give kudos');
    expect(french).to.equal('Dire bravo');
  });

  it('writes Latin-1 HTML, as the pages do: a name, a body and the controls’ words beyond it as character references', () => {
    const render = createPostRenderer({ cache: true });
    const html = render(postView(en, who(author), 'thread', row({ authorName: 'Zoë 😀', bodyHtml: '<p>C’est « ça » — 中文</p>' })), en);
    expect(/[^\x00-\xff]/u.test(html), html).to.equal(false);
    const post = parse(html);
    expect(post.querySelector('strong')!.text).to.equal('Zoë 😀');
    expect(post.querySelector('[data-test=post-body]')!.text).to.equal('C’est « ça » — 中文');
    expect(post.querySelector('[data-test=delete]')!.text).to.equal('Delete…');
  });

  it('renders a frozen row (a kept thread page’s) once per reader’s relation to it, and each reader still gets their own view', () => {
    const keeping = createPostRenderer({ cache: true });
    const fresh = createPostRenderer({ cache: false });
    const [giver, uploader, other] = ['4', '5', '6'].map((n) => `00000000-0000-4000-8000-00000000000${n}`);
    const file = (id: string, membershipId: string, hiddenAt: Date | null) => ({
      id, kind: 'document' as const, fileName: `${id}.pdf`, contentType: 'application/pdf', sizeBytes: '100', width: null, height: null, contentHash: 'h', hiddenAt, membershipId,
    });
    const rows = [
      row(),
      row({ id: '00000000-0000-4000-8000-000000000010', kudos: [{ reason: 'Clear', fromMembershipId: giver!, fromName: 'Gil' }], authorPhotoId: 'photo', authorPhotoHash: 'hash' } as Partial<PostRow>),
      row({ id: '00000000-0000-4000-8000-000000000011', attachments: [file('f1', uploader!, new Date()), file('f2', other!, null)] }),
      row({ id: '00000000-0000-4000-8000-000000000012', status: 'hidden', moderationReason: 'Off topic' }),
      row({ id: '00000000-0000-4000-8000-000000000013', status: 'deleted', createdAt: new Date(Date.now() - 3 * 60_000) }),
    ].map((r) => Object.freeze({ ...r, inPage: true }));
    const space = { id: 'space', cohortId, groupId: null } as Space;
    const thread = { id: 'thread', title: 'T', pinnedAt: null, lockedAt: null } as Thread;
    const page = { posts: rows, hasOlder: false, hasNewer: false };
    const readers = [who(author), who(giver!), who(uploader!), who(other!), who(other!, 'observer'), who(other!, 'facilitator'), { ...who(other!), cohortId: '00000000-0000-4000-8000-0000000000ff' }];
    const htmlOf = (i18n: typeof en, w: LaunchContext, render: typeof keeping) =>
      threadView(i18n, w, space, thread, page, (r, key, view) => render.row(r, key, view, i18n)).posts.map((p) => p.html);
    // Every reader after the others, twice: the renderings kept for one never reach another.
    for (const pass of [1, 2]) {
      for (const i18n of [en, fr]) {
        for (const w of readers) expect(htmlOf(i18n, w, keeping), `pass ${pass}, ${i18n.locale}, ${w.role} ${w.membershipId}`).to.deep.equal(htmlOf(i18n, w, fresh));
      }
    }
    const giversView = htmlOf(en, who(giver!), keeping)[1]!;
    expect(controls(giversView)).to.not.include('give-kudos');
    expect(controls(htmlOf(en, who(other!), keeping)[1]!)).to.include('give-kudos');
    expect(parse(htmlOf(en, who(uploader!), keeping)[2]!).querySelectorAll('[data-test=attachment]')).to.have.length(2);
    expect(parse(htmlOf(en, who(other!), keeping)[2]!).querySelectorAll('[data-test=attachment]')).to.have.length(1);
  });
});
