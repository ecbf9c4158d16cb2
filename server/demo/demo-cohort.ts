// The demo cohort's made-up people and what they wrote: the roster the demo platform serves (launches,
// NRPS) and the words the seed puts through our services. Nothing here is a real person.

export interface DemoPerson {
  sub: string;
  givenName: string;
  familyName: string;
  role: 'learner' | 'facilitator';
  job: string;
  /** Modules the learner has completed (0–9); the seed makes their work match. */
  completed: number;
  intention: string;
}

const learner = (sub: string, givenName: string, familyName: string, job: string, completed: number, intention: string): DemoPerson =>
  ({ sub, givenName, familyName, role: 'learner', job, completed, intention });

export const DEMO_COURSE = { id: 'demo-course', title: 'Working Out Loud — third cohort', label: 'WOL-3' } as const;
export const DEMO_LINK = { id: 'demo-workshop', title: 'Circlework: the whole workshop' } as const;
export const DEMO_DEPLOYMENT_ID = 'demo';
export const DEMO_CLIENT_ID = 'circlework-demo';
/** Made-up organisation: the people's email domain (example.org is reserved for examples). */
export const DEMO_EMAIL_DOMAIN = 'northwind.example.org';

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { sub: 'demo-facilitator', givenName: 'Helen', familyName: 'Okafor', role: 'facilitator', job: 'Learning partner, People team', completed: 0, intention: '' },
  learner('demo-01', 'Priya', 'Nair', 'Product manager, Payments', 9, 'Get better at asking for help early, before a small problem in a release becomes a big one.'),
  learner('demo-02', 'Tom', 'Becker', 'Site reliability engineer', 9, 'Write down what I know about our on-call runbooks so the team stops depending on me at 3 a.m.'),
  learner('demo-03', 'Amara', 'Mensah', 'Customer support lead', 8, 'Turn the questions customers ask us into something the product teams actually read.'),
  learner('demo-04', 'Jonas', 'Lindqvist', 'Data analyst, Finance', 9, 'Learn how other analysts in the company build their forecasts, instead of reinventing mine every quarter.'),
  learner('demo-05', 'Sofia', 'Ricci', 'UX researcher', 7, 'Share research findings while they are still rough, so designers can use them earlier.'),
  learner('demo-06', 'Daniel', 'Kim', 'Backend developer', 6, 'Get comfortable explaining my work to people outside engineering.'),
  learner('demo-07', 'Grace', 'Adeyemi', 'HR business partner', 8, 'Build a network of managers who try new ways of giving feedback, and learn from what works.'),
  learner('demo-08', 'Marek', 'Nowak', 'Warehouse operations supervisor', 5, 'Find out how the other sites solved the picking errors we keep having on night shift.'),
  learner('demo-09', 'Lucía', 'Fernández', 'Marketing specialist', 7, 'Learn enough about our data tools to answer my own campaign questions.'),
  learner('demo-10', 'Ben', 'Carter', 'Sales engineer', 4, 'Keep a record of the technical objections I hear so the next demo goes better.'),
  learner('demo-11', 'Yuki', 'Tanaka', 'Quality engineer', 6, 'Learn how other teams run their test retrospectives and borrow the best parts.'),
  learner('demo-12', 'Ahmed', 'Hassan', 'Finance business partner', 5, 'Understand the operations side well enough to challenge budgets with good questions.'),
  learner('demo-13', 'Chloé', 'Martin', 'Graduate engineer', 3, 'Find two or three people I can learn from while I find my feet in my first year.'),
  learner('demo-14', 'Oliver', 'Grant', 'Team lead, Customer success', 9, 'Make learning in my team visible, so we stop solving the same customer problem twice.'),
  learner('demo-15', 'Nadia', 'Petrova', 'Procurement specialist', 2, 'Learn how to negotiate with suppliers by watching people who do it well.'),
  learner('demo-16', 'Kwame', 'Boateng', 'Field service technician', 6, 'Share the fixes I find on site with the other technicians, not just my own van.'),
];

export const fullName = (p: DemoPerson): string => `${p.givenName} ${p.familyName}`;
/** The @handle our discussions give a name (its letters without spaces). */
export const handleOf = (p: DemoPerson): string => `@${fullName(p).replace(/\s+/g, '')}`;
export const emailOf = (p: DemoPerson): string =>
  `${p.givenName}.${p.familyName}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase() + `@${DEMO_EMAIL_DOMAIN}`;

/**
 * The conversation in each module's group space: an opening post and replies, in the voice of people
 * at work. `{a}`, `{b}`: the opener's and the previous writer's @handles; `{name}`: the writer's job.
 */
export const MODULE_THREADS: Record<number, { title: string; opener: string; replies: string[] }> = {
  1: {
    title: 'Hello from {first}',
    opener: 'Hi all! I work as {job}. What I want out of these weeks: {intention} Looking forward to learning with you.',
    replies: [
      'Hi {a}, good to meet you. I am {job}. Honestly I signed up because my manager suggested it, but your intention made me think mine should be more concrete too.',
      'Hello everyone. {job} here. {a} — I think we will overlap a lot: I have the same problem of knowledge living in one person’s head.',
      'Hi! Slightly nervous about the "out loud" part, but here goes. {b}, could we compare notes after module 2?',
      'Great group. I like that none of us has the same job: more to learn from each other.',
    ],
  },
  2: {
    title: 'Narrating this week: {first}',
    opener: 'This week I am in the middle of a messy piece of work and writing it down as I go. Half-finished thoughts below — tell me where I am fooling myself.\n\n1. What I tried on Monday did not work.\n2. I asked one colleague, which saved me a day.\n3. Still unsure how to explain it to my manager.',
    replies: [
      '{a} point 2 is the whole workshop in one line. Who did you ask, and how did you pick them?',
      'I tried narrating too and felt silly for about ten minutes, then someone from another team replied with exactly the link I needed.',
      'For point 3: I show my manager the notes themselves. It turned a status meeting into a real conversation.',
      'Reading this made me post my own draft in the team channel. Two comments already.',
    ],
  },
  3: {
    title: 'What I found this week, and why it matters',
    opener: 'I shared an article on running blameless reviews. The why: we keep arguing about who broke things instead of what we learned. Anyone tried this in a non-engineering team?',
    replies: [
      '{a} we tried a version in support: "what surprised us" instead of "what went wrong". Changed the tone completely.',
      'Saving this. The line about separating the timeline from the judgement is something I can use on Monday.',
      '{b} I would love to see your support version written down — could you share it in the commons?',
      'I found the opposite view in a podcast: sometimes someone does need to own a mistake. Maybe both are true?',
    ],
  },
  4: {
    title: 'Our group norms — draft',
    opener: 'Proposal for how we work together:\n\n- We reply within two working days, even if only to say "later".\n- Questions are welcome, half-finished work is welcome.\n- What is shared here stays here unless the person says otherwise.\n\nWhat would you add?',
    replies: [
      'Add: "disagree with the idea, not the person". {a} thanks for starting this.',
      'Could we add that it is fine to miss a week if we say so? Night shifts make my weeks unpredictable.',
      '+1 to {b}. And maybe one norm about giving credit when we use someone’s idea at work.',
      'Looks good to me. I asked my sincere question this week and it went much better with these in mind.',
    ],
  },
  5: {
    title: 'A story about learning from someone unexpected',
    opener: 'The most useful thing I learned this month came from a contractor on their last week. I almost did not ask because I thought it was not their job to teach me. What is your story?',
    replies: [
      '{a} mine is the night-shift team lead who had a spreadsheet that solved what three projects failed to.',
      'A customer taught me our product better than our onboarding did. I now ask every new customer one question about how they use it.',
      'Reading these, I notice the people were all outside our formal learning. {b} did you thank them?',
      'I am going to try the "one question" idea from this thread tomorrow.',
    ],
  },
  6: {
    title: 'Looking for someone who knows forecasting models',
    opener: 'My network map showed I only learn from people in my own team. This week I want to find one person elsewhere who builds forecasts. Does anyone know who I should ask?',
    replies: [
      '{a} try the analytics guild — they meet on Thursdays. I can introduce you.',
      'Not forecasting, but the planning team in logistics has a model for seasonal demand. Happy to connect you.',
      'My map looked the same as yours. Doing the reach-out practice this week made me realise how easy it was once I asked.',
      '{b} thank you — that introduction would help me too.',
    ],
  },
  7: {
    title: 'Which communities do we actually belong to?',
    opener: 'For the three-presences check: in my main community I am mostly a reader. I rarely ask and never answer. This week I posted one answer. Small step.',
    replies: [
      '{a} a first answer is not small! I am the opposite: I answer a lot and never admit I do not know something.',
      'Our technicians’ chat group is my real community, even though it is not official. Teaching presence there is strong.',
      'I would like our group to keep going after the course, as a small community of its own.',
    ],
  },
  8: {
    title: 'What gets recognised in our teams?',
    opener: 'Honest observation: in my team we celebrate launches, never the person who wrote the documentation that made the launch possible. How is it where you are?',
    replies: [
      '{a} same. I started thanking people by name in our weekly update; two people mentioned it to me afterwards.',
      'We have a kudos channel, but it is mostly managers thanking managers. Going to post there this week about the support team.',
      'This module made me notice how rarely I credit where my ideas come from. Changing that.',
    ],
  },
  9: {
    title: 'Looking for accountability partners',
    opener: 'My action plan is up. I am looking for one partner who will ask me every two weeks whether I actually did the things. Anyone?',
    replies: [
      '{a} yes — and I would like you to do the same for me. My goals are about documentation too.',
      'I can partner too. I like that the check-ins are short.',
      'Count me in for the check-in at four weeks. Great working with you all.',
    ],
  },
};

/** The facilitator's welcome in the commons, and a few answers from the cohort. */
export const COMMONS_THREAD = {
  title: 'Welcome to the third cohort',
  opener: 'Welcome, everyone! Over nine weeks we will practise learning with and from each other at work. Post here anything you want the whole cohort to see: useful links, questions for everyone, invitations. Your group spaces are for the weekly discussions.',
  replies: [
    'Thanks Helen! Quick question for everyone: is anyone else in the Leeds office? Would be nice to meet for coffee.',
    'Sharing a tip from my group: write the first version of your intention badly, then fix it. Helped me start.',
  ],
};

/** The norms each group agrees in module 4 (one per line, as the norms form takes them). */
export const GROUP_NORMS = 'We reply within two working days, even if only to say "later".\nHalf-finished work and questions are welcome here.\nWhat is shared here stays here unless the person says otherwise.\nDisagree with the idea, not the person.\nCredit people when we use their ideas at work.';

/** The opener's answer to the first reply: conversations go both ways. */
export const OPENER_ANSWER = 'Thanks {b} — that helps. Trying it this week and will report back.';

/** Asking the whole cohort (the commons): answers come from other groups, so ties cross groups. */
export const COMMONS_ASK = {
  title: 'Who builds forecasts outside Finance?',
  opener: 'My network map says I only learn from my own team. Who in the company builds forecasts or demand plans? I would like to buy them a coffee and ask how they do it.',
  replies: [
    '{a} the planning team in logistics does seasonal demand forecasts. I sit next to them — happy to introduce you.',
    '{a} our support team forecasts ticket volume every quarter. Not fancy, but it works. Ask me.',
    'Following this: I want to learn the same thing for campaign budgets. {a} could I join the coffee?',
  ],
};

/** A reply someone flags to the facilitators (the flagged post the demo shows in the moderation queue). */
export const FLAGGED_REPLY = {
  body: 'Honestly, the support team should just read the docs before asking us. Most of their questions are lazy.',
  reason: 'This feels unfair to the support team and goes against our group norms.',
};

/** What learners submit for each kind of activity, in their own words (an index picks one). */
export const ACTIVITY_WORDS = {
  reflection: [
    'I noticed I learn most when I explain something to someone else. This week that happened twice, both times by accident. I want to make it happen on purpose.',
    'Writing this down showed me I avoid asking questions in big meetings but ask freely in one-to-ones. Small groups suit me.',
    'The most useful conversation this week was a ten-minute call I almost cancelled. Keeping that in mind for next time.',
    'I keep a list of people I learn from now. It is longer than I thought, and almost nobody on it is my manager.',
  ],
  practice: [
    'Posted my work-in-progress notes in the team channel and asked for one suggestion. Got three, and one saved me an afternoon.',
    'Asked a colleague from another department a real question about how they plan their week. We talked for half an hour.',
    'Thanked two people by name in our weekly update for help they gave me. One of them messaged me to say nobody had done that before.',
    'Tried the activity from the module with my own team: five minutes at the end of stand-up for "what did you learn yesterday".',
  ],
  curation: [
    { url: 'https://en.wikipedia.org/wiki/Working_out_loud', why: 'A short history of working out loud. It helped me explain the idea to my team without sounding like a fad.' },
    { url: 'https://en.wikipedia.org/wiki/Community_of_practice', why: 'The idea behind the groups we formed. Useful for anyone trying to keep a group going after the course.' },
    { url: 'https://en.wikipedia.org/wiki/Tacit_knowledge', why: 'Explains why the most useful things we know are the hardest to write down, and what helps anyway.' },
    { url: 'https://en.wikipedia.org/wiki/Psychological_safety', why: 'Why people in my team do not ask questions in meetings, and what a lead can do about it.' },
  ],
  fiveFactorComment: [
    'My intention is clear, but I rarely find the time to act on it.',
    'I know who to ask now; before the course I did not.',
    'Tools are fine. Time is the problem.',
  ],
} as const;

/** Kudos reasons, in the giver's words. */
export const KUDOS_REASONS = [
  'Thank you — this is exactly what I needed this week.',
  'Really honest, and it made me try the same thing.',
  'Great question: it changed how our group talked this week.',
  'Saving this one. Useful well beyond this course.',
];

/** The action plans of the learners who finished (in the roster's order: Priya, Tom, Jonas, Oliver), in their words. */
export const PLAN_GOALS = [
  { title: 'Ask for help earlier', actions: ['Post a "stuck" note within a day of being stuck', 'Book a 15-minute call with one expert a fortnight'], success: 'No release slips because I waited too long to ask.', support: 'My partner checks in every two weeks.' },
  { title: 'Share what I learn on call', actions: ['Write one runbook page after each incident', 'Ask a teammate to follow it without me'], success: 'Someone fixes a night-time incident without calling me.', support: 'An hour a week in my calendar that my manager protects.' },
  { title: 'Learn from other analysts', actions: ['Join the analytics guild on Thursdays', 'Pair with someone from planning on next quarter’s forecast'], success: 'Next quarter’s forecast reuses one method from another team.', support: 'Introductions from my group.' },
  { title: 'Make team learning visible', actions: ['Add "what did we learn" to the weekly team update', 'Thank one person by name each week'], success: 'The team solves a repeated customer problem once and writes it down.', support: 'My manager’s backing for ten minutes in our weekly meeting.' },
];

/**
 * Two earlier cohorts of the same workshop in the demo tenant, small and finished, so the programme
 * view (the facilitator is named the tenant's programme lead) has cohorts to compare. `weeksAgo`:
 * when their first module opened. Their people are other made-up colleagues; the facilitator is the same.
 */
export const PAST_COHORTS: ReadonlyArray<{ course: { id: string; title: string; label: string }; weeksAgo: number; learners: readonly DemoPerson[] }> = [
  {
    course: { id: 'demo-course-first', title: 'Working Out Loud — first cohort', label: 'WOL-1' },
    weeksAgo: 40,
    learners: [
      learner('demo-a1', 'Elif', 'Yilmaz', 'Payroll specialist', 9, 'Learn how the other payroll teams handle the year-end rush.'),
      learner('demo-a2', 'Sam', 'Wright', 'Network engineer', 9, 'Write up our outage fixes so others can find them.'),
      learner('demo-a3', 'Ines', 'Costa', 'Recruiter', 8, 'Find hiring managers who want to try structured interviews.'),
      learner('demo-a4', 'Ravi', 'Patel', 'Financial analyst', 9, 'Stop rebuilding the same forecast model every quarter.'),
      learner('demo-a5', 'Hanna', 'Schmidt', 'Office manager', 5, 'Learn what the other offices do about onboarding.'),
      learner('demo-a6', 'Leo', 'Dubois', 'Frontend developer', 3, 'Show my work to designers before it is finished.'),
    ],
  },
  {
    course: { id: 'demo-course-second', title: 'Working Out Loud — second cohort', label: 'WOL-2' },
    weeksAgo: 24,
    learners: [
      learner('demo-w1', 'Maya', 'Cohen', 'Compliance officer', 9, 'Explain new rules to teams before they trip over them.'),
      learner('demo-w2', 'Felix', 'Wagner', 'Logistics planner', 9, 'Learn how the other depots plan around holidays.'),
      learner('demo-w3', 'Zara', 'Ali', 'Content designer', 9, 'Share drafts earlier and ask sharper questions.'),
      learner('demo-w4', 'Owen', 'Price', 'Maintenance technician', 7, 'Keep a shared log of the fixes that worked.'),
      learner('demo-w5', 'Aiko', 'Sato', 'Product analyst', 9, 'Find the people who already answered my question.'),
      learner('demo-w6', 'Pedro', 'Silva', 'Account manager', 6, 'Learn from colleagues who renew difficult accounts.'),
      learner('demo-w7', 'Lena', 'Berg', 'Trainer', 8, 'Build a group of trainers who swap exercises.'),
    ],
  },
];
