// The deny documents the responder puts, compared with literal expected documents (see
// test/lambdas/quarantine-literals.ts): AWS's published list plus ours, spelled out.
import {
  COMPACT_QUARANTINE_ACTIONS,
  compactQuarantinePolicy,
  QUARANTINE_DENIED_ACTIONS,
  quarantinePolicyDocument,
} from '../../../lambdas/shared/policies';
import {
  AWS_QUARANTINE_V3,
  EXPECTED_COMPACT_QUARANTINE_DOCUMENT,
  EXPECTED_QUARANTINE_DOCUMENT,
  OUR_HIGH_RISK_ACTIONS,
  RESPONDER_TAMPERING,
} from '../quarantine-literals';

describe('the quarantine documents, action by action', () => {
  it('reads AWS\'s published V3 list as 89 actions, the first and last as AWS publishes them', () => {
    expect(AWS_QUARANTINE_V3).toHaveLength(89);
    expect(AWS_QUARANTINE_V3.slice(0, 2)).toEqual(['cloudtrail:LookupEvents', 'ec2:RequestSpotInstances']);
    expect(AWS_QUARANTINE_V3.slice(-2)).toEqual(['sns:GetSMSAttributes', 'mediapackagev2:CreateChannel']);
  });

  it('makes the managed quarantine exactly AWS\'s V3 list plus ours, the tampering denies and the SSE-C deny', () => {
    expect(quarantinePolicyDocument()).toEqual(EXPECTED_QUARANTINE_DOCUMENT);
  });

  it('lists every unconditional deny of the managed quarantine in QUARANTINE_DENIED_ACTIONS, in order', () => {
    expect(QUARANTINE_DENIED_ACTIONS).toEqual([...AWS_QUARANTINE_V3, ...OUR_HIGH_RISK_ACTIONS, ...RESPONDER_TAMPERING]);
  });

  it('makes the compact inline quarantine exactly the literal list of 40 patterns', () => {
    expect(compactQuarantinePolicy()).toEqual(EXPECTED_COMPACT_QUARANTINE_DOCUMENT);
    expect(COMPACT_QUARANTINE_ACTIONS).toEqual(EXPECTED_COMPACT_QUARANTINE_DOCUMENT.Statement[0].Action);
    expect(COMPACT_QUARANTINE_ACTIONS).toHaveLength(40);
  });

  it('gives each call a document of its own: changing one never changes the next', () => {
    const first = quarantinePolicyDocument();
    (first.Statement[0].Action as string[]).length = 0;
    const compact = compactQuarantinePolicy();
    (compact.Statement[0].Action as string[]).length = 0;

    expect(quarantinePolicyDocument()).toEqual(EXPECTED_QUARANTINE_DOCUMENT);
    expect(compactQuarantinePolicy()).toEqual(EXPECTED_COMPACT_QUARANTINE_DOCUMENT);
  });
});
