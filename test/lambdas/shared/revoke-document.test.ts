// Reading a revoke policy back, and the sizes IAM counts: what verify and contain decide from.
import { actionMatches, INLINE_USER_POLICY_QUOTA, latestTime, MANAGED_POLICY_QUOTA, policySize, revokedBefore } from '../../../lambdas/shared/policies';

const AT = '2026-11-20T10:05:00.000Z';
const revoke = (statement: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: statement });
const denyAll = { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': AT } } };

describe('revokedBefore: what counts as a revocation', () => {
  it('finds the revocation in a later statement of the document', () => {
    const document = { Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }, denyAll] };

    expect(revokedBefore(document)).toBe(AT);
  });

  it('reads a single statement object as well as a list', () => {
    expect(revokedBefore(revoke(denyAll))).toBe(AT);
  });

  it.each([
    ['a time that is not a string', { ...denyAll, Condition: { DateLessThan: { 'aws:TokenIssueTime': 1763633100 } } }],
    ['another condition key', { ...denyAll, Condition: { DateLessThan: { 'aws:CurrentTime': AT } } }],
    ['another operator', { ...denyAll, Condition: { DateGreaterThan: { 'aws:TokenIssueTime': AT } } }],
    ['no condition', { Effect: 'Deny', Action: '*', Resource: '*' }],
    ['a list of actions without "*"', { ...denyAll, Action: ['s3:*', 'iam:*'] }],
    ['an Allow', { ...denyAll, Effect: 'Allow' }],
  ])('does not read %s as a revocation', (_what, statement) => {
    expect(revokedBefore(revoke(statement))).toBeUndefined();
    expect(revokedBefore({ Statement: [statement] })).toBeUndefined();
  });

  it.each([['a string', 'Deny *'], ['a number', 42], ['true', true]])('reads a Statement that is %s as no revocation', (_what, statement) => {
    expect(revokedBefore({ Statement: statement })).toBeUndefined();
  });
});

describe('latestTime', () => {
  it('keeps the first of two equal times, and skips what is not a date wherever it is', () => {
    expect(latestTime('2026-11-20T10:05:00Z', '2026-11-20T10:05:00.000Z')).toBe('2026-11-20T10:05:00Z');
    expect(latestTime('2026-11-20T10:05:00Z', 'garbage', '2026-11-20T10:04:00Z')).toBe('2026-11-20T10:05:00Z');
    expect(latestTime()).toBeUndefined();
  });
});

describe('policySize: what IAM counts against a quota', () => {
  it('counts a document\'s JSON, or a text as given, without white space', () => {
    expect(policySize('{ "a" :\n\t"b" }')).toBe(9);
    expect(policySize({ Action: 's3:Get Object' })).toBe(25); // {"Action":"s3:GetObject"}
  });

  it('states IAM\'s quotas: 2,048 for a user\'s inline policies together, 6,144 for a managed policy', () => {
    expect([INLINE_USER_POLICY_QUOTA, MANAGED_POLICY_QUOTA]).toEqual([2048, 6144]);
  });
});

describe('actionMatches: special characters are literal', () => {
  it.each([
    ['s3:Get+Object', 's3:GetObject', false],
    ['s3:Get+Object', 's3:Get+Object', true],
    ['ec2:(Run)', 'ec2:Run', false],
    ['s3:Get|Put', 's3:Get', false],
    ['s3:Get$', 's3:Get$', true],
    ['s3:GetObject', 'xs3:GetObject', false],
    ['s3:GetObject', 's3:GetObjectX', false],
    ['s3:?', 's3:*', false],
  ])('%s matches %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});
