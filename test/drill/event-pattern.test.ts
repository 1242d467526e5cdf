import { matchesPattern } from '../../drill/event-pattern';

describe('matchesPattern', () => {
  const quarantineAttach = {
    source: ['aws.iam'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventName: ['AttachUserPolicy'],
      requestParameters: { policyArn: [{ prefix: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine' }] },
      errorCode: [{ exists: false }],
    },
  };
  const attach = (policyArn: string, extra: Record<string, unknown> = {}) => ({
    source: 'aws.iam',
    'detail-type': 'AWS API Call via CloudTrail',
    detail: { eventName: 'AttachUserPolicy', requestParameters: { userName: 'u', policyArn }, ...extra },
  });

  it.each(['', 'V2', 'V3', 'V4'])('matches the AWS quarantine policy %s by prefix', (suffix) => {
    expect(matchesPattern(quarantineAttach, attach(`arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine${suffix}`))).toBe(true);
  });

  it('does not match a customer policy with a look-alike name', () => {
    expect(matchesPattern(quarantineAttach, attach('arn:aws:iam::123456789012:policy/AWSCompromisedKeyQuarantineV2'))).toBe(false);
  });

  it('does not match a call that failed (errorCode present)', () => {
    expect(matchesPattern(quarantineAttach, attach('arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2', { errorCode: 'AccessDenied' }))).toBe(false);
  });

  it('does not match when a field of the pattern is missing from the event', () => {
    expect(matchesPattern({ detail: { status: ['ERROR'] } }, { detail: {} })).toBe(false);
    expect(matchesPattern({ detail: { status: ['ERROR'] } }, { source: 'x' })).toBe(false);
  });

  it('matches any listed value, and an array field when one element matches', () => {
    expect(matchesPattern({ code: ['A', 'B'] }, { code: 'B' })).toBe(true);
    expect(matchesPattern({ tags: ['x'] }, { tags: ['w', 'x'] })).toBe(true);
    expect(matchesPattern({ code: ['A', 'B'] }, { code: 'C' })).toBe(false);
  });

  it('supports anything-but, suffix, equals-ignore-case, wildcard and numeric', () => {
    expect(matchesPattern({ s: [{ 'anything-but': ['a'] }] }, { s: 'b' })).toBe(true);
    expect(matchesPattern({ s: [{ 'anything-but': ['a'] }] }, { s: 'a' })).toBe(false);
    expect(matchesPattern({ s: [{ 'anything-but': { prefix: 'tmp-' } }] }, { s: 'tmp-1' })).toBe(false);
    expect(matchesPattern({ s: [{ suffix: '.png' }] }, { s: 'a.png' })).toBe(true);
    expect(matchesPattern({ s: [{ 'equals-ignore-case': 'ERROR' }] }, { s: 'error' })).toBe(true);
    expect(matchesPattern({ s: [{ wildcard: 'arn:*:user/*' }] }, { s: 'arn:aws:user/x' })).toBe(true);
    expect(matchesPattern({ n: [{ numeric: ['>', 0, '<=', 5] }] }, { n: 5 })).toBe(true);
    expect(matchesPattern({ n: [{ numeric: ['>', 0, '<=', 5] }] }, { n: 6 })).toBe(false);
  });

  it('supports $or', () => {
    const pattern = { $or: [{ a: ['1'] }, { b: ['2'] }] };
    expect(matchesPattern(pattern, { b: '2' })).toBe(true);
    expect(matchesPattern(pattern, { a: '2' })).toBe(false);
  });

  it('throws on an operator it does not know instead of guessing', () => {
    expect(() => matchesPattern({ s: [{ 'cidr': '10.0.0.0/8' }] }, { s: '10.0.0.1' })).toThrow(/unsupported/);
  });

  it('does not match something that is not an object', () => {
    expect(matchesPattern({ source: ['aws.health'] }, null)).toBe(false);
    expect(matchesPattern({ source: ['aws.health'] }, 'aws.health')).toBe(false);
  });
});
