// Community of Inquiry rules on hand-made posts: which rule each post meets, and the group's counts.
import { expect } from 'chai';
import { COI_RULES, inquiryIndicators, rulesMatched, type InquiryPost } from '../../server/analytics/inquiry-indicators.ts';

const learner = (body: string, isReply = false): InquiryPost => ({ body, authorRole: 'learner', isReply });

describe('Community of Inquiry indicators', () => {
  it('matches each rule on the posts it describes, and no other', () => {
    expect(rulesMatched(learner('Hello all, glad to meet you.'))).to.deep.equal(['greeting']);
    expect(rulesMatched(learner('Thanks for setting this up'))).to.deep.equal(['greeting']);
    expect(rulesMatched(learner('Last year I tried writing weeknotes and my team loved them.'))).to.deep.equal(['personal-story']);
    expect(rulesMatched(learner('How do you find time for this?'))).to.deep.equal(['question']);
    expect(rulesMatched(learner('See https://example.org/article because it shows how small teams share what they learn every single week at work.'))).to.deep.equal(['link-with-why']);
    expect(rulesMatched(learner('https://example.org/article'))).to.deep.equal([]);
    expect(rulesMatched(learner('> Sam wrote: we share weekly\n\nThat would suit us too.', true))).to.deep.equal(['builds-on']);
    expect(rulesMatched(learner('Building on that, a short demo works well.', true))).to.deep.equal(['builds-on']);
    expect(rulesMatched(learner('@sam that works for me.', true))).to.deep.equal(['builds-on']);
    // the same words in a thread's opening post do not build on anyone
    expect(rulesMatched(learner('Building on last week, a short demo.'))).to.deep.equal([]);
    // a question inside a quote is someone else's
    expect(rulesMatched(learner('> Why weekly?\n\nIt fits our rhythm.', true))).to.deep.equal(['builds-on']);
    expect(rulesMatched(learner('An email address ann@example.org is not a mention.', true))).to.deep.equal([]);
    expect(rulesMatched({ body: 'Hello! What do you think?', authorRole: 'facilitator', isReply: false })).to.deep.equal(['facilitator-post']);
    expect(rulesMatched({ ...learner('Plain words.'), endorsed: true })).to.deep.equal(['endorsement']);
  });

  it('counts a group’s presences from its posts, kudos and announcements', () => {
    const posts: InquiryPost[] = [
      learner('Hi everyone! When I started here I felt lost. What helped you?'), // greeting, story, question
      learner('> What helped you?\n\nI agree, a buddy helped me.', true), // builds-on
      learner('Read https://example.org because it explains the idea of working out loud in plain words for busy teams.'), // link-with-why
      { body: 'Good thread, keep going.', authorRole: 'facilitator', isReply: true, endorsed: false }, // facilitator-post
      { ...learner('We tried it.', true), endorsed: true }, // personal-story, endorsement
    ];
    const c = inquiryIndicators(posts, { kudos: 3, announcements: 1 });
    expect(c.byRule).to.deep.equal({ greeting: 1, 'personal-story': 2, kudos: 3, question: 1, 'link-with-why': 1, 'builds-on': 1, 'facilitator-post': 1, endorsement: 1, announcement: 1 });
    expect([c.learnerPosts, c.social, c.cognitive, c.teaching, c.thinTeaching]).to.deep.equal([4, 6, 3, 3, false]);
  });

  it('flags thin teaching presence: fewer than one teaching indicator per ten learner posts', () => {
    const ten = Array.from({ length: 10 }, () => learner('ok'));
    expect(inquiryIndicators(ten, { kudos: 0, announcements: 1 }).thinTeaching).to.equal(false);
    expect(inquiryIndicators([...ten, learner('ok')], { kudos: 0, announcements: 1 }).thinTeaching).to.equal(true);
    expect(inquiryIndicators([learner('ok')], { kudos: 0, announcements: 0 }).thinTeaching).to.equal(true);
    expect(inquiryIndicators([], { kudos: 0, announcements: 0 }).thinTeaching).to.equal(false);
  });

  it('describes every rule in plain words for the page', () => {
    expect(COI_RULES.map((r) => r.presence)).to.deep.equal(['social', 'social', 'social', 'cognitive', 'cognitive', 'cognitive', 'teaching', 'teaching', 'teaching']);
    for (const r of COI_RULES) expect(r.rule.length, r.id).to.be.greaterThan(20);
  });
});
