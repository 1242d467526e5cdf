import { REVOCATION_MARGIN_SECONDS, latestTime, revocationTime, revokedBefore, revokeOlderSessionsPolicy } from '../../../lambdas/shared/policies';
import { readPolicy } from '../helpers';

const BEFORE = '2026-11-20T10:00:00.123Z';

describe('revokeOlderSessionsPolicy', () => {
  it('denies every action on every resource for credentials issued before the given time', () => {
    const document = revokeOlderSessionsPolicy(BEFORE);

    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RevokeOlderSessions',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': BEFORE } },
        },
      ],
    });
  });

  it('has the shape of the AWSRevokeOlderSessions example in the IAM User Guide', () => {
    const example = readPolicy('AWSRevokeOlderSessions-example.json');
    const exampleStatement = example.Statement;

    const [statement] = revokeOlderSessionsPolicy(exampleStatement.Condition.DateLessThan['aws:TokenIssueTime']).Statement;

    const { Sid: _sid, ...withoutSid } = statement;
    expect(withoutSid).toEqual(exampleStatement);
  });

  it('grants nothing: every statement is a Deny', () => {
    const document = revokeOlderSessionsPolicy(BEFORE);

    expect(document.Statement.map((s) => s.Effect)).toEqual(['Deny']);
  });
});

describe('revokedBefore', () => {
  it('reads back the time of our own policy after a JSON round trip (as IAM returns it)', () => {
    const stored = JSON.parse(JSON.stringify(revokeOlderSessionsPolicy(BEFORE)));

    expect(revokedBefore(stored)).toBe(BEFORE);
  });

  it('reads the time of the IAM User Guide example, whose Statement is a single object', () => {
    const example = readPolicy('AWSRevokeOlderSessions-example.json');

    expect(revokedBefore(example)).toBe('2014-05-07T23:47:00Z');
  });

  it('does not read an Allow statement as a revocation', () => {
    const document = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': BEFORE } } }],
    };

    expect(revokedBefore(document)).toBeUndefined();
  });

  it('does not read a deny of some actions only as a revocation', () => {
    const document = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': BEFORE } } }],
    };

    expect(revokedBefore(document)).toBeUndefined();
  });

  it('finds nothing in the AWS quarantine policy or in shapes that are not policies', () => {
    const quarantine = readPolicy('AWSCompromisedKeyQuarantineV3.json').PolicyVersion.Document;

    expect(revokedBefore(quarantine)).toBeUndefined();
    expect(revokedBefore(undefined)).toBeUndefined();
    expect(revokedBefore(null)).toBeUndefined();
    expect(revokedBefore('{"Statement":[]}')).toBeUndefined();
    expect(revokedBefore({ Version: '2012-10-17', Statement: [] })).toBeUndefined();
  });
});

describe('revocationTime', () => {
  it('reaches five minutes past the start, so sessions minted while the deactivation propagates are revoked too', () => {
    expect(REVOCATION_MARGIN_SECONDS).toBe(300);
    expect(revocationTime('2026-11-20T10:00:00.123Z')).toBe('2026-11-20T10:05:00.123Z');
    expect(revocationTime('2026-11-20T11:00:00+01:00')).toBe('2026-11-20T10:05:00.000Z');
  });

  it('refuses something that is not a date', () => {
    expect(() => revocationTime('yesterday')).toThrow(/not a date/);
  });
});

describe('revokedBefore with an action list', () => {
  it('reads a deny of ["*"] as a revocation', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['*'], Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': BEFORE } } }] };

    expect(revokedBefore(doc)).toBe(BEFORE);
  });
});

describe('latestTime', () => {
  it('picks the later time, ignoring what is missing or not a date', () => {
    expect(latestTime('2026-11-20T10:05:00.000Z', '2026-11-20T10:05:00.001Z')).toBe('2026-11-20T10:05:00.001Z');
    expect(latestTime(undefined, '2026-11-20T10:05:00.000Z')).toBe('2026-11-20T10:05:00.000Z');
    expect(latestTime('not a date', '2026-11-19T00:00:00Z')).toBe('2026-11-19T00:00:00Z');
    expect(latestTime(undefined, 'garbage')).toBeUndefined();
  });
});
