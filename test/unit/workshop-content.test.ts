// The content linter: the nine modules in content/modules load, follow the workshop's rules, and
// the loader refuses malformed files with a message that names the file.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import matter from 'gray-matter';
import YAML from 'yaml';
import { ACTIVITY_KINDS, FIVE_FACTORS, WorkshopContentError, type Workshop, type WorkshopModule } from '../../server/modules/workshop-content.ts';
import { loadWorkshop } from '../../server/modules/workshop-files.ts';

const CONTENT_DIR = fileURLToPath(new URL('../../content/modules/', import.meta.url));

function moduleById(workshop: Workshop, id: number): WorkshopModule {
  const mod = workshop.byId(id);
  if (!mod) throw new Error(`module ${id} is missing`);
  return mod;
}

describe('workshop content', () => {
  let workshop: Workshop;

  before(() => {
    workshop = loadWorkshop();
  });

  it('parses every module file in content/modules', () => {
    const files = readdirSync(CONTENT_DIR).filter((n) => n.endsWith('.md'));
    expect(files).to.have.length(9);
    expect(workshop.modules).to.have.length(9);
  });

  it('lists modules 1 to 9 in order, each file named NN-slug.md after its module', () => {
    expect(workshop.modules.map((m) => m.id)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const files = readdirSync(CONTENT_DIR).filter((n) => n.endsWith('.md')).sort();
    expect(files).to.deep.equal(workshop.modules.map((m) => `0${m.id}-${m.slug}.md`));
  });

  it('finds modules by id and by slug', () => {
    expect(workshop.byId(3)?.slug).to.equal('seek-sense-share');
    expect(workshop.bySlug('work-out-loud')?.id).to.equal(2);
    expect(workshop.byId(10)).to.equal(undefined);
    expect(workshop.bySlug('nope')).to.equal(undefined);
  });

  it('uses only known activity kinds', () => {
    for (const mod of workshop.modules) {
      for (const activity of mod.activities) {
        expect(ACTIVITY_KINDS, `module ${mod.id} activity ${activity.id}`).to.include(activity.kind);
      }
    }
  });

  it('keeps every framing text between 300 and 700 words', () => {
    for (const mod of workshop.modules) {
      expect(mod.wordCount, `module ${mod.id} (${mod.slug})`).to.be.within(300, 700);
    }
  });

  it('gives every module 2–4 activities, at least one required and at least one discussion', () => {
    for (const mod of workshop.modules) {
      const label = `module ${mod.id}`;
      expect(mod.activities.length, label).to.be.within(2, 4);
      expect(mod.activities.some((a) => a.required), label).to.equal(true);
      expect(mod.activities.some((a) => a.kind === 'discussion'), label).to.equal(true);
      expect(new Set(mod.activities.map((a) => a.id)).size, label).to.equal(mod.activities.length);
    }
  });

  it('gives every module a summary, 1–2 readings and a framing text that ends with what to do this week', () => {
    for (const mod of workshop.modules) {
      const label = `module ${mod.id}`;
      expect(mod.summary, label).to.not.equal('');
      expect(mod.readings.length, label).to.be.within(1, 2);
      expect(mod.framingHtml, label).to.match(/<h2>What you(’|&#8217;)ll do this week<\/h2>/);
    }
  });

  it('has a five-factor check in modules 1 and 9 and in no other module', () => {
    const withCheck = workshop.modules
      .filter((m) => m.activities.some((a) => a.kind === 'five-factor-check'))
      .map((m) => m.id);
    expect(withCheck).to.deep.equal([1, 9]);
    for (const id of [1, 9]) {
      const check = moduleById(workshop, id).activities.find((a) => a.kind === 'five-factor-check');
      expect(check?.required, `module ${id}`).to.equal(true);
    }
  });

  it('has the activities each module promises', () => {
    const has = (id: number, activityId: string, kind: string) => {
      const activity = moduleById(workshop, id).activities.find((a) => a.id === activityId);
      expect(activity?.kind, `module ${id} activity ${activityId}`).to.equal(kind);
      expect(activity?.required, `module ${id} activity ${activityId}`).to.equal(true);
    };
    has(1, 'set-your-intention', 'reflection');
    has(3, 'share-with-the-why', 'curation');
    has(4, 'agree-group-norms', 'discussion');
    has(6, 'map-who-you-learn-from', 'reflection');
    has(8, 'thank-and-credit', 'practice');
    has(9, 'prepare-your-action-plan', 'reflection');
  });

  it('renders framing, readings and prompts to HTML', () => {
    const first = moduleById(workshop, 1);
    expect(first.framingHtml).to.include('<h2>');
    expect(first.readings[0]?.bodyHtml).to.match(/^<p>/);
    expect(first.activities[0]?.promptHtml).to.include('<ol>');
  });

  it('describes five distinct factors for the check form', () => {
    expect(FIVE_FACTORS).to.have.length(5);
    expect(new Set(FIVE_FACTORS.map((f) => f.id)).size).to.equal(5);
    for (const factor of FIVE_FACTORS) {
      expect(factor.label).to.not.equal('');
      expect(factor.description).to.not.equal('');
    }
  });
});

describe('loadWorkshop with malformed content', () => {
  let dir: string;
  const target = '03-seek-sense-share.md';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'circlework-content-'));
    for (const name of readdirSync(CONTENT_DIR)) copyFileSync(join(CONTENT_DIR, name), join(dir, name));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Rewrites the copy of module 3 after changing its front matter and/or framing text. */
  function rewrite(edit: (data: Record<string, unknown>) => void, body?: string): void {
    const path = join(dir, target);
    const parsed = matter(readFileSync(path, 'utf8'), { engines: { yaml: (s: string): object => YAML.parse(s) } });
    const data = structuredClone(parsed.data) as Record<string, unknown>;
    edit(data);
    writeFileSync(path, `---\n${YAML.stringify(data)}---\n${body ?? parsed.content}`);
  }

  function activities(data: Record<string, unknown>): Record<string, unknown>[] {
    return data.activities as Record<string, unknown>[];
  }

  function loadError(): WorkshopContentError {
    try {
      loadWorkshop(dir);
    } catch (err) {
      expect(err).to.be.instanceOf(WorkshopContentError);
      return err as WorkshopContentError;
    }
    throw new Error('expected loadWorkshop to throw');
  }

  it('loads an unchanged copy of the content', () => {
    expect(loadWorkshop(dir).modules).to.have.length(9);
  });

  it('rejects an unknown activity kind, naming the file', () => {
    rewrite((d) => {
      activities(d)[0]!.kind = 'quiz';
    });
    const err = loadError();
    expect(err.message).to.include(target).and.include('activities[0].kind');
    expect(err.file).to.equal(join(dir, target));
  });

  it('rejects a module with no title, naming the file', () => {
    rewrite((d) => {
      delete d.title;
    });
    expect(loadError().message).to.include(target).and.match(/\btitle: /);
  });

  it('rejects an activity with no title, naming the file', () => {
    rewrite((d) => {
      delete activities(d)[1]!.title;
    });
    expect(loadError().message).to.include(target).and.include('activities[1].title');
  });

  it('rejects a duplicate activity id, naming the file', () => {
    rewrite((d) => {
      activities(d)[1]!.id = activities(d)[0]!.id;
    });
    expect(loadError().message).to.include(target).and.include('duplicate activity id "map-your-sources"');
  });

  it('rejects an unknown key in the front matter, naming the file', () => {
    rewrite((d) => {
      d.colour = 'blue';
    });
    expect(loadError().message).to.include(target).and.include('colour');
  });

  it('rejects an unknown key in an activity, naming the file', () => {
    rewrite((d) => {
      activities(d)[0]!.points = 10;
    });
    expect(loadError().message).to.include(target).and.include('activities[0]').and.include('points');
  });

  it('rejects a five-factor check outside modules 1 and 9', () => {
    rewrite((d) => {
      activities(d)[0]!.kind = 'five-factor-check';
    });
    expect(loadError().message).to.include(target).and.include('only allowed in modules 1 and 9');
  });

  it('rejects a module with no required activity', () => {
    rewrite((d) => {
      for (const a of activities(d)) a.required = false;
    });
    expect(loadError().message).to.include(target).and.include('at least one activity must be required');
  });

  it('rejects a file whose prefix does not match its id', () => {
    rewrite((d) => {
      d.id = 4;
    });
    expect(loadError().message).to.include(target).and.include('does not match id 4');
  });

  it('rejects front matter that is not valid YAML', () => {
    writeFileSync(join(dir, target), '---\nid: 3\ntitle: [unclosed\n---\nSome framing.\n');
    expect(loadError().message).to.include(target).and.include('not valid YAML');
  });

  it('rejects a file with an empty framing text', () => {
    rewrite(() => {}, '\n');
    expect(loadError().message).to.include(target).and.include('framing text');
  });

  it('rejects a content directory with a module missing', () => {
    unlinkSync(join(dir, target));
    expect(loadError().message).to.include('missing module(s) 3');
  });

  it('renders raw HTML in the Markdown as text, not markup', () => {
    rewrite(() => {}, '## Hello\n\n<script>alert(1)</script> and <b>bold</b>\n');
    const html = loadWorkshop(dir).byId(3)?.framingHtml ?? '';
    expect(html).to.not.include('<script>').and.not.include('<b>');
    expect(html).to.include('&lt;script&gt;');
  });
});
