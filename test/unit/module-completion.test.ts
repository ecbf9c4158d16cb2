// Module completion, the one rule (moduleRequirementsMet) every page and grades read through the
// recorded completion: required forms submitted, and the required discussion posted once there is a group.
import { expect } from 'chai';
import { loadWorkshop } from '../../server/modules/workshop-files.ts';
import { moduleRequirementsMet } from '../../server/modules/modules.service.ts';

const module1 = loadWorkshop().byId(1)!;
const forms = new Set(module1.activities.filter((a) => a.required && a.kind !== 'discussion').map((a) => a.id));

describe('module completion', () => {
  it('module 1 has a required discussion activity (the rule below would be untested otherwise)', () => {
    expect(module1.activities.some((a) => a.kind === 'discussion' && a.required)).to.equal(true);
  });

  it('before groups exist, the required forms complete the module: the discussion cannot be done yet', () => {
    expect(moduleRequirementsMet(module1, { submitted: forms, hasGroup: false, postedInGroupSpace: false })).to.equal(true);
  });

  it('with a group, the forms alone do not; a visible post in the group space as well does', () => {
    expect(moduleRequirementsMet(module1, { submitted: forms, hasGroup: true, postedInGroupSpace: false })).to.equal(false);
    expect(moduleRequirementsMet(module1, { submitted: forms, hasGroup: true, postedInGroupSpace: true })).to.equal(true);
  });

  it('a post does not stand in for a missing form', () => {
    const oneShort = new Set([...forms].slice(1));
    expect(moduleRequirementsMet(module1, { submitted: oneShort, hasGroup: true, postedInGroupSpace: true })).to.equal(false);
  });
});
