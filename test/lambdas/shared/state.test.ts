import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { parseWorkflowState } from '../../../lambdas/shared/state';
import { aState } from '../report/fixtures';
import { anIncident } from '../helpers';

describe('parseWorkflowState', () => {
  it('keeps every slot that fits its step\'s output schema, and drops keys it does not know', () => {
    const state = { ...aState(), error: { Error: 'X' }, secondLookPlan: { since: 'x' }, notification: { channel: 'email', subject: 'S', body: 'B', messageId: 'm-1' } };

    const parsed = parseWorkflowState(state, 'notify');

    expect(parsed).toEqual({ ...aState(), notification: { channel: 'email', messageId: 'm-1' } });
  });

  it('keeps the one failure shape in any slot, a containment branch included', () => {
    const failed = { failed: { step: 'Verify', error: { Error: 'States.Timeout' } } };
    const branch = { failed: { step: 'Quarantine', error: { Error: 'AccessDenied', Cause: 'no' } } };

    const parsed = parseWorkflowState({ incident: anIncident(), containment: [branch], verification: failed }, 'report');

    expect(parsed).toEqual({ incident: anIncident(), containment: [branch], verification: failed });
  });

  it('turns a slot that does not fit into that step\'s failure, naming what did not fit', () => {
    const parsed = parseWorkflowState({ incident: anIncident(), support: { status: 'lost' } }, 'notify');

    expect(parsed.support).toEqual({
      failed: { step: 'support', error: { Error: 'UnreadableStepOutput', Cause: expect.stringContaining('status') } },
    });
  });

  it('keeps the fields a report may add to the incident: the user it named and the reporter\'s words', () => {
    const incident = { ...anIncident(), reportedUserName: 'alice', reporterNote: 'in a gist' };

    expect(parseWorkflowState({ incident }, 'slack').incident).toEqual(incident);
  });

  it.each([undefined, null, 'state', {}, { incident: { incidentId: 'x' } }])('rejects %p with InvalidIncidentError naming the step', (input) => {
    expect(() => parseWorkflowState(input, 'support')).toThrow(InvalidIncidentError);
    expect(() => parseWorkflowState(input, 'support')).toThrow(/^support: input does not fit: /);
  });
});
