// Community of Inquiry indicators (module 7: social, cognitive and teaching presence), counted per
// group by transparent rules over posts and actions. Pure: the page lists COI_RULES in plain words,
// and the same table drives the counting, so what is shown is what is computed.

export type Presence = 'social' | 'cognitive' | 'teaching';

export interface InquiryPost {
  /** The Markdown the author wrote. */
  body: string;
  authorRole: 'learner' | 'facilitator' | 'observer';
  /** A reply in a thread, not the post that opened it. */
  isReply: boolean;
  /** A facilitator endorsed it. */
  endorsed?: boolean;
}

export interface InquiryActions {
  /** Kudos given on posts in the group's spaces. */
  kudos: number;
  /** Announcements to this group or to the whole cohort. */
  announcements: number;
}

interface PostRule {
  id: string;
  presence: Presence;
  label: string;
  rule: string;
  matches?: (p: InquiryPost, ownText: string) => boolean;
}

const GREETING = /^\s*(hi|hello|hey|dear|welcome|good (morning|afternoon|evening)|thanks|thank you|cheers)\b/i;
const STORY = /\b(i|we)\s+(was|were|had|did|tried|learned|learnt|remember|used to|once|found|realised|realized|noticed|felt)\b|\bin my (team|job|work|role|experience|last)\b|\bwhen i\b/i;
const LINK = /https?:\/\/\S+/i;
const BUILDS_ON = /\b(building on|build on|adding to|as you said|as (\w+) said|you mentioned|i agree|i disagree|to your point|like you)\b/i;
const MENTION = /(^|[^\w@])@[\w.-]+/;

/** The post's own words: quoted lines (`> `, as quote-replies make them) are someone else's. */
export function ownText(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((l) => !/^\s*>/.test(l))
    .join('\n');
}

const words = (s: string) => s.replace(/https?:\/\/\S+/gi, ' ').split(/\s+/).filter((w) => /\w/.test(w)).length;
const learner = (p: InquiryPost) => p.authorRole === 'learner';

/** Every rule, in the order the page lists them. Post rules count each post at most once per rule. */
export const COI_RULES: readonly PostRule[] = [
  {
    id: 'greeting', presence: 'social', label: 'Greetings and thanks',
    rule: 'A learner’s post that opens with a greeting or thanks (hi, hello, hey, dear, welcome, good morning/afternoon/evening, thanks, thank you, cheers).',
    matches: (p, own) => learner(p) && GREETING.test(own),
  },
  {
    id: 'personal-story', presence: 'social', label: 'Personal stories',
    rule: 'A learner’s post that tells something from their own experience: “I” or “we” with a past-tense verb (was, had, tried, learned, remember, noticed…), “when I”, or “in my team/job/work/role/experience”.',
    matches: (p, own) => learner(p) && STORY.test(own),
  },
  { id: 'kudos', presence: 'social', label: 'Kudos', rule: 'Each kudos given on a post in the group’s spaces.' },
  {
    id: 'question', presence: 'cognitive', label: 'Questions',
    rule: 'A learner’s post that asks a question: a question mark ending a sentence in their own words (quoted lines do not count).',
    matches: (p, own) => learner(p) && /\?(\s|$|["”’)])/.test(own.replace(LINK, ' ')),
  },
  {
    id: 'link-with-why', presence: 'cognitive', label: 'Links with a why',
    rule: 'A learner’s post with a web link and at least 15 words of their own besides it (why it matters).',
    matches: (p, own) => learner(p) && LINK.test(own) && words(own) >= 15,
  },
  {
    id: 'builds-on', presence: 'cognitive', label: 'Replies that build on others',
    rule: 'A learner’s reply that quotes another post, mentions someone (@name), or refers to what others said (“building on”, “adding to”, “as you said”, “you mentioned”, “I agree”, “I disagree”, “to your point”).',
    matches: (p, own) => learner(p) && p.isReply && (/^\s*>/m.test(p.body) || MENTION.test(own) || BUILDS_ON.test(own)),
  },
  {
    id: 'facilitator-post', presence: 'teaching', label: 'Facilitator posts',
    rule: 'Each post written by a facilitator of the cohort in the group’s spaces.',
    matches: (p) => p.authorRole === 'facilitator',
  },
  {
    id: 'endorsement', presence: 'teaching', label: 'Endorsements',
    rule: 'Each post in the group’s spaces that a facilitator endorsed.',
    matches: (p) => p.endorsed === true,
  },
  { id: 'announcement', presence: 'teaching', label: 'Announcements', rule: 'Each announcement to the group, or to the whole cohort.' },
];

export const THIN_TEACHING_RULE = 'Teaching presence is thin when a group has learner posts and fewer than one teaching indicator for every ten of them.';

export interface InquiryIndicators {
  learnerPosts: number;
  byRule: Record<string, number>;
  social: number;
  cognitive: number;
  teaching: number;
  thinTeaching: boolean;
}

/** The rule ids a post matches (for explaining one post's count). */
export function rulesMatched(post: InquiryPost): string[] {
  const own = ownText(post.body);
  return COI_RULES.filter((r) => r.matches?.(post, own)).map((r) => r.id);
}

export function inquiryIndicators(posts: readonly InquiryPost[], actions: InquiryActions): InquiryIndicators {
  const byRule: Record<string, number> = Object.fromEntries(COI_RULES.map((r) => [r.id, 0]));
  for (const p of posts) for (const id of rulesMatched(p)) byRule[id]!++;
  byRule.kudos = actions.kudos;
  byRule.announcement = actions.announcements;
  const sum = (presence: Presence) => COI_RULES.filter((r) => r.presence === presence).reduce((n, r) => n + byRule[r.id]!, 0);
  const learnerPosts = posts.filter(learner).length;
  const teaching = sum('teaching');
  return { learnerPosts, byRule, social: sum('social'), cognitive: sum('cognitive'), teaching, thinTeaching: learnerPosts > 0 && teaching * 10 < learnerPosts };
}
