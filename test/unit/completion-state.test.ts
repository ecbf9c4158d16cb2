// A module's completion state (issue 16 item 1): the one function the hub, the module page, the
// console's progress and the grades page read, and the words each state is shown with.
import { expect } from 'chai';
import { i18nFor } from '../../server/i18n/i18n.ts';
import { completionState, completionView, COMPLETION_LABEL } from '../../server/modules/schedule.ts';

const now = new Date('2026-12-04T12:00:00Z');
const opened = new Date('2026-12-01T00:00:00Z');
const later = new Date('2026-12-11T00:00:00Z');

describe('module completion state', () => {
  it('is complete once the completion is recorded, whatever else', () => {
    expect(completionState(now, opened, { completed: true, started: true })).to.equal('complete');
    expect(completionState(now, opened, { completed: true, started: false })).to.equal('complete');
    // The facilitator moved the date after the learner completed it: still complete.
    expect(completionState(now, later, { completed: true, started: true })).to.equal('complete');
  });

  it('is locked before its open date, even when started before the date was moved', () => {
    expect(completionState(now, later, { completed: false, started: false })).to.equal('locked');
    expect(completionState(now, later, { completed: false, started: true })).to.equal('locked');
  });

  it('is in progress once started (a response or a post), not started otherwise; open at the very instant of its date', () => {
    expect(completionState(now, opened, { completed: false, started: true })).to.equal('in-progress');
    expect(completionState(now, opened, { completed: false, started: false })).to.equal('not-started');
    expect(completionState(now, now, { completed: false, started: false })).to.equal('not-started');
  });

  it('has one label per state, in the words every page uses', () => {
    expect(COMPLETION_LABEL).to.deep.equal({ locked: 'Opens later', 'not-started': 'Not started', 'in-progress': 'In progress', complete: 'Complete' });
    expect(completionView(i18nFor('en'), 'in-progress')).to.deep.equal({ state: 'in-progress', label: 'In progress' });
  });
});
