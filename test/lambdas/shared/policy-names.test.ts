import { QUARANTINE_INLINE_POLICY_NAME, RESPONDER_POLICY_PATH, revokedBefore } from '../../../lambdas/shared/policies';

// The names the responder's policies carry in IAM: restore, the dispatcher's look for an earlier
// quarantine and the operator read them back by these names, so each is the documented literal.
describe('the names of the responder\'s policies in IAM', () => {
  it('puts the managed quarantine under the IAM path /exposed-key-responder/', () => {
    expect(RESPONDER_POLICY_PATH).toBe('/exposed-key-responder/');
  });

  it('names the inline quarantine fallback ExposedKeyResponder-Quarantine', () => {
    expect(QUARANTINE_INLINE_POLICY_NAME).toBe('ExposedKeyResponder-Quarantine');
  });
});

describe('revokedBefore on a Statement that is no statement', () => {
  it.each([[null], [false], [0], ['Deny *'], [true]])('finds no revocation in Statement %p', (statement) => {
    expect(revokedBefore({ Version: '2012-10-17', Statement: statement })).toBeUndefined();
  });
});
