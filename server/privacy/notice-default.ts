// The privacy notice a tenant shows until its tool admin writes its own. Each claim is checked
// against models/schema.ts and the code that keeps or deletes the data; change both together.
export const DEFAULT_NOTICE = `### What Circlework is

Circlework is the social-learning workshop your course opens from your LMS (Moodle, Canvas). Your organisation runs it; it is the controller of your data.

### What it stores about you, and why

- **Who you are in the LMS:** the LMS's user id for you, and your name and email address only when your LMS shares them; your role and the times you opened Circlework in each course. To know who is who, and to email you.
- **What you write:** reflections, practice evidence, curation shares with their why, your five-factor answers, your posts and replies (with their earlier versions when edited), kudos you give, your group's norms, your action plan, its check-ins and journal entries, your profile. To run the workshop: it is your work.
- **What others write to you:** replies, kudos, comments from your accountability partners and from your manager (who sees only what you share, by a link you send).
- **What a facilitator records:** flags, hidden or removed posts with the reason, mutes, nudges and announcements, in an audit log.
- **Progress and scores:** the modules you completed and the scores sent to your LMS's gradebook.
- **Relationship analytics:** who replied to, thanked or mentioned whom. Your facilitator sees it only as cohort figures (people shown as "Learner 1…n" unless the cohort shows names), and can turn it off for the cohort; the picture of your own network is shown to you alone.
- **Email choices:** the kinds of email you turned off.

Circlework sets one session cookie (it ends after 8 hours) and no tracking or advertising cookies. It loads nothing from other sites.

### Where

In one PostgreSQL database run by your organisation (or its hosting provider) for this server; exports of your own data are kept there too, for 24 hours. Emails go through your organisation's mail server.

### How long

As long as your organisation keeps the course’s data in Circlework (a retention period it sets per deployment); an export you ask for is deleted after 24 hours; sign-in records and one-time links expire within days.

### Your rights

- **Take your data with you:** on your profile, *Your data* prepares a zip of everything you wrote or received, in Markdown and JSON.
- **Erasure:** ask your organisation's administrator, or use the erasure option where your organisation offers it.
- Questions go to your organisation's data protection contact.
`;
