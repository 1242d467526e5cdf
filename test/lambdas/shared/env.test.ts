import { boolEnv, listEnv, requireEnv } from '../../../lambdas/shared/env';

describe('requireEnv', () => {
  it('returns a set variable', () => {
    expect(requireEnv('TOPIC_ARN', { TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t' })).toBe('arn:aws:sns:us-east-1:123456789012:t');
  });

  it.each([['missing', {}], ['empty', { TOPIC_ARN: '' }]])('fails naming a %s variable', (_what, env) => {
    expect(() => requireEnv('TOPIC_ARN', env)).toThrow('environment variable TOPIC_ARN is required');
  });
});

describe('boolEnv', () => {
  it('reads true and false', () => {
    expect(boolEnv('DRY_RUN', { DRY_RUN: 'true' })).toBe(true);
    expect(boolEnv('DRY_RUN', { DRY_RUN: 'false' })).toBe(false);
  });

  it.each(['yes', '1', 'TRUE'])('refuses %j rather than guessing', (value) => {
    expect(() => boolEnv('DRY_RUN', { DRY_RUN: value })).toThrow(`environment variable DRY_RUN must be true or false, got "${value}"`);
  });
});

describe('listEnv', () => {
  it('splits on commas, trims and drops empty entries', () => {
    expect(listEnv('PROTECTED_USERS', { PROTECTED_USERS: ' break-glass , ,admin,' })).toEqual(['break-glass', 'admin']);
  });

  it('reads an empty string as an empty list but a missing variable as an error', () => {
    expect(listEnv('PROTECTED_USERS', { PROTECTED_USERS: '' })).toEqual([]);
    expect(() => listEnv('PROTECTED_USERS', {})).toThrow('environment variable PROTECTED_USERS is required');
  });
});
