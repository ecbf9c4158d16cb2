import { expect } from 'chai';
import { membershipRoleFor, parseRole } from '../../lti/roles.ts';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const I = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person';
const S = 'http://purl.imsglobal.org/vocab/lis/v2/system/person';

describe('membershipRoleFor', () => {
  for (const role of ['Instructor', 'TeachingAssistant', 'Administrator', 'ContentDeveloper']) {
    it(`makes a facilitator of the long context role ${role}`, () => {
      expect(membershipRoleFor([`${M}#${role}`])).to.equal('facilitator');
    });
    it(`makes a facilitator of the short role ${role}`, () => {
      expect(membershipRoleFor([role])).to.equal('facilitator');
    });
  }

  it('makes a facilitator of the Instructor#TeachingAssistant sub-role', () => {
    expect(membershipRoleFor([`${M}/Instructor#TeachingAssistant`])).to.equal('facilitator');
  });

  it('makes a facilitator of institution and system administrators', () => {
    expect(membershipRoleFor([`${I}#Administrator`])).to.equal('facilitator');
    expect(membershipRoleFor([`${S}#Administrator`])).to.equal('facilitator');
  });

  it('does not make a facilitator of an institution Instructor who is a learner in this course (Canvas)', () => {
    expect(membershipRoleFor([`${I}#Instructor`, `${M}#Learner`])).to.equal('learner');
  });

  it('gives learner to learners, to unknown roles and to no role at all', () => {
    expect(membershipRoleFor([`${M}#Learner`])).to.equal('learner');
    expect(membershipRoleFor(['Learner', `${I}#Student`])).to.equal('learner');
    expect(membershipRoleFor(['http://example.com/role#Wizard'])).to.equal('learner');
    expect(membershipRoleFor([''])).to.equal('learner');
    expect(membershipRoleFor([])).to.equal('learner');
  });

  it('gives observer to a mentor with no other context role', () => {
    expect(membershipRoleFor([`${M}#Mentor`])).to.equal('observer');
    expect(membershipRoleFor([`${M}#Mentor`, `${M}#Learner`])).to.equal('learner');
  });

  it('takes the strongest of several roles', () => {
    expect(membershipRoleFor([`${M}#Learner`, `${M}#Instructor`])).to.equal('facilitator');
  });
});

describe('parseRole', () => {
  it('reads scope and name of long and short roles and rejects foreign vocabularies', () => {
    expect(parseRole(`${M}#Instructor`)).to.deep.equal({ scope: 'context', name: 'Instructor' });
    expect(parseRole(`${I}#Administrator`)).to.deep.equal({ scope: 'institution', name: 'Administrator' });
    expect(parseRole('Learner')).to.deep.equal({ scope: 'context', name: 'Learner' });
    expect(parseRole('urn:lti:role:ims/lis/Instructor')).to.equal(undefined);
    expect(parseRole(`${M}#`)).to.equal(undefined);
  });
});
