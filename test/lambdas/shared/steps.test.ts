import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { ContainInputSchema, parseStepInput } from '../../../lambdas/shared/steps';
import { anIncident, REVOKE_BEFORE } from '../helpers';

describe('parseStepInput', () => {
  it('returns the parsed input when it fits', () => {
    const input = { incident: anIncident(), action: 'deactivate-key', revokeBefore: REVOKE_BEFORE };

    expect(parseStepInput(ContainInputSchema, input, 'contain')).toEqual(input);
  });

  it('throws InvalidIncidentError naming the step and every field that does not fit', () => {
    const input = { incident: anIncident({ accessKeyId: 'x' }), action: 'delete-key', revokeBefore: 'yesterday' };

    const parse = () => parseStepInput(ContainInputSchema, input, 'contain');

    expect(parse).toThrow(InvalidIncidentError);
    expect(parse).toThrow(/^contain: input does not fit: /);
    expect(parse).toThrow(/incident\.accessKeyId: not an IAM access key id/);
    expect(parse).toThrow(/action: /);
    expect(parse).toThrow(/revokeBefore: /);
  });

  it('accepts the Step Functions execution start time as revokeBefore', () => {
    const input = { incident: anIncident(), action: 'quarantine', revokeBefore: '2026-11-20T10:00:00.123Z' };

    expect(parseStepInput(ContainInputSchema, input, 'contain').revokeBefore).toBe('2026-11-20T10:00:00.123Z');
  });
});
