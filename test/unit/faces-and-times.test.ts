// Faces and times as the social pages show them (issue 16 item 4): initials and a stable colour per
// member, relative times with their exact UTC time, and who has been here lately.
import { expect } from 'chai';
import { avatarView, initialsOf, AVATAR_TONES } from '../../server/http/avatar.ts';
import { relativeTime, timeView } from '../../server/http/relative-time.ts';
import { presenceOf } from '../../server/groups/member-strip.ts';
import { i18nFor } from '../../server/i18n/i18n.ts';

const en = i18nFor('en');
const fr = i18nFor('fr');

const now = new Date('2026-12-04T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('faces and times', () => {
  it('takes the initials of the first and last names; one name gives one; none gives "?"', () => {
    expect(initialsOf('Ana María López')).to.equal('AL');
    expect(initialsOf('  sam  ')).to.equal('S');
    expect(initialsOf('Élodie Ñúñez')).to.equal('ÉÑ');
    expect(initialsOf(null)).to.equal('?');
    expect(initialsOf('')).to.equal('?');
  });

  it('gives a member the same colour every time, and spreads members over every colour', () => {
    expect(avatarView('m-1', 'A B')).to.deep.equal(avatarView('m-1', 'A B'));
    const tones = new Set(Array.from({ length: 200 }, (_, i) => avatarView(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 'X').tone));
    expect(tones.size).to.equal(AVATAR_TONES);
  });

  it('says how long ago in the largest unit that fits', () => {
    expect(relativeTime(ago(10_000), now, en)).to.equal('just now');
    expect(relativeTime(new Date(now.getTime() + 5_000), now, en), 'a clock slightly ahead').to.equal('just now');
    expect(relativeTime(ago(3 * MIN), now, en)).to.equal('3 minutes ago');
    expect(relativeTime(ago(HOUR), now, en)).to.equal('1 hour ago');
    expect(relativeTime(ago(3 * HOUR + 50 * MIN), now, en)).to.equal('3 hours ago');
    expect(relativeTime(ago(DAY + HOUR), now, en)).to.equal('yesterday');
    expect(relativeTime(ago(3 * DAY), now, en)).to.equal('3 days ago');
    expect(relativeTime(ago(8 * DAY), now, en)).to.equal('last week');
    expect(relativeTime(ago(65 * DAY), now, en)).to.equal('2 months ago');
    expect(relativeTime(ago(800 * DAY), now, en)).to.equal('2 years ago');
    expect(relativeTime(ago(DAY + HOUR), now, fr)).to.equal('hier');
    expect(relativeTime(ago(3 * MIN), now, i18nFor('es'))).to.equal('hace 3 minutos');
  });

  it('keeps the exact UTC time and the instant beside the relative one', () => {
    expect(timeView(new Date('2026-12-04T08:46:30Z'), now, en)).to.deep.equal({ iso: '2026-12-04T08:46:30.000Z', exact: '4 Dec 2026, 08:46 UTC', relative: '3 hours ago' });
    expect(timeView(new Date('2026-12-04T08:46:30Z'), now, fr)).to.deep.equal({ iso: '2026-12-04T08:46:30.000Z', exact: '4 déc. 2026 à 08:46 UTC', relative: 'il y a 3 heures' });
  });

  it('tells who was here today, this week, earlier, or not yet', () => {
    expect(presenceOf(ago(2 * HOUR), now, en)).to.deep.equal({ presence: 'today', label: 'Active today' });
    expect(presenceOf(ago(3 * DAY), now, en)).to.deep.equal({ presence: 'this-week', label: 'Active this week' });
    expect(presenceOf(ago(20 * DAY), now, en)).to.deep.equal({ presence: 'earlier', label: 'Last here 2 weeks ago' });
    expect(presenceOf(null, now, en)).to.deep.equal({ presence: 'not-yet', label: 'Not here yet' });
    expect(presenceOf(ago(20 * DAY), now, fr)).to.deep.equal({ presence: 'earlier', label: 'Dernière visite il y a 2 semaines' });
  });
});
