import { expect } from 'chai';
import { planRosterChanges } from '../../server/roster/roster.service.ts';
import { nextLink } from '../../lti/nrps.ts';
import type { RosterMember } from '../../lti/nrps.ts';
import type { RosterMembershipRow } from '../../models/roster.queries.ts';

const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';

const member = (userId: string, roles: string[], status: RosterMember['status'] = 'Active'): RosterMember => ({
  userId, roles, status, name: null, givenName: null, familyName: null, email: null,
});
const membership = (personId: string, m: Partial<RosterMembershipRow> = {}): RosterMembershipRow => ({
  membershipId: `m-${personId}`, personId, role: 'learner', lmsRoles: [LEARNER], status: 'active', firstLaunchAt: null, ...m,
});

describe('planRosterChanges', () => {
  const ids = new Map([['a', 'p-a'], ['b', 'p-b'], ['c', 'p-c']]);

  it('adds active members without a membership, and no one Inactive or Deleted', () => {
    const plan = planRosterChanges([member('a', [INSTRUCTOR]), member('b', [LEARNER], 'Inactive'), member('c', [LEARNER], 'Deleted')], ids, new Map());
    expect(plan.toAdd).to.deep.equal([{ personId: 'p-a', role: 'facilitator', lmsRoles: [INSTRUCTOR] }]);
    expect(plan.toDeactivate).to.deep.equal([]);
  });

  it('deactivates active memberships the LMS marks Inactive or Deleted, and reactivates the Active again', () => {
    const existing = new Map([
      ['p-a', membership('p-a')],
      ['p-b', membership('p-b')],
      ['p-c', membership('p-c', { status: 'inactive' })],
    ]);
    const plan = planRosterChanges([member('a', [LEARNER], 'Inactive'), member('b', [LEARNER], 'Deleted'), member('c', [LEARNER])], ids, existing);
    expect(plan.toDeactivate).to.deep.equal(['m-p-a', 'm-p-b']);
    expect(plan.toActivate).to.deep.equal(['m-p-c']);
    expect(plan.toAdd).to.deep.equal([]);
  });

  it('changes the role of people who never launched, and leaves the role of those who did to their launches', () => {
    const existing = new Map([
      ['p-a', membership('p-a')],
      ['p-b', membership('p-b', { role: 'facilitator', lmsRoles: [LEARNER, 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator'], firstLaunchAt: new Date() })],
    ]);
    const plan = planRosterChanges([member('a', [INSTRUCTOR]), member('b', [LEARNER])], ids, existing);
    expect(plan.roleChanges).to.deep.equal([{ membershipId: 'm-p-a', role: 'facilitator', lmsRoles: [INSTRUCTOR] }]);
  });

  it('changes nothing for people the roster no longer lists', () => {
    const plan = planRosterChanges([], ids, new Map([['p-a', membership('p-a')]]));
    expect(plan).to.deep.equal({ toAdd: [], toActivate: [], toDeactivate: [], roleChanges: [] });
  });
});

describe('nextLink', () => {
  const base = 'https://lms.example/nrps/1/memberships?limit=10';
  it('finds rel="next" among several links, resolved against the page', () => {
    expect(nextLink('<https://lms.example/nrps/1/memberships?from=10>; rel="next", <https://lms.example/x>; rel="differences"', base)).to.equal(
      'https://lms.example/nrps/1/memberships?from=10',
    );
    expect(nextLink('</nrps/1/memberships?page=2>; rel=next', base)).to.equal('https://lms.example/nrps/1/memberships?page=2');
    expect(nextLink('<https://lms.example/a>; title="x"; rel="prev next"', base)).to.equal('https://lms.example/a');
  });
  it('finds none on the last page', () => {
    expect(nextLink(null, base)).to.equal(undefined);
    expect(nextLink('<https://lms.example/x>; rel="differences"', base)).to.equal(undefined);
  });
});
