// The helpers every parser passes an event's values through (lambdas/shared/detection.ts): which
// value is a key, which user name is a hint, and how a string is made safe to carry.
import { bounded, classifyKey, text, UnusableKey, userHint } from '../../../lambdas/shared/detection';

function classify(value: unknown): { keys: string[]; unusable: UnusableKey[] } {
  const keys = new Set<string>();
  const unusable: UnusableKey[] = [];
  classifyKey(value, keys, unusable);
  return { keys: [...keys], unusable };
}

function hint(value: unknown): { userName: string | undefined; ignored: string[] } {
  const ignored: string[] = [];
  return { userName: userHint(value, ignored), ignored };
}

describe('classifyKey: which value is a key IAM may have issued', () => {
  it('takes an upper-case id of 16 to 128 characters for a key', () => {
    expect(classify('AKIAIOSFODNN7EXAMPLE')).toEqual({ keys: ['AKIAIOSFODNN7EXAMPLE'], unusable: [] });
  });

  it.each([
    ['text before the id', 'x-AKIAIOSFODNN7EXAMPLE'],
    ['text after the id', 'AKIAIOSFODNN7EXAMPLE x'],
  ])('takes no key from a value with %s', (_why, value) => {
    expect(classify(value)).toEqual({ keys: [], unusable: [{ value, reason: 'not-a-key-id' }] });
  });

  it('takes temporary credentials only by their ASIA prefix: ASIA inside a key id is a key', () => {
    expect(classify('AKIAASIAEXAMPLE12345')).toEqual({ keys: ['AKIAASIAEXAMPLE12345'], unusable: [] });
    expect(classify('asiaexamplesession01')).toEqual({ keys: [], unusable: [{ value: 'asiaexamplesession01', reason: 'temporary-credentials' }] });
  });

  it('calls a lower-case id lower case only when the whole value has a key id\'s shape', () => {
    expect(classify('akiaiosfodnn7example')).toEqual({ keys: [], unusable: [{ value: 'akiaiosfodnn7example', reason: 'lower-case' }] });
    expect(classify('-akiaiosfodnn7example')).toEqual({ keys: [], unusable: [{ value: '-akiaiosfodnn7example', reason: 'not-a-key-id' }] });
    expect(classify('akiaiosfodnn7example-')).toEqual({ keys: [], unusable: [{ value: 'akiaiosfodnn7example-', reason: 'not-a-key-id' }] });
  });

  it.each([
    ['a list holding a key id', ['AKIAIOSFODNN7EXAMPLE'], '["AKIAIOSFODNN7EXAMPLE"]'],
    ['a number of a key id\'s length', 1234567890123456, '1234567890123456'],
  ])('never takes %s for a key: only a string can be one', (_why, value, shown) => {
    expect(classify(value)).toEqual({ keys: [], unusable: [{ value: shown, reason: 'not-a-key-id' }] });
  });
});

describe('userHint: which user name the event gives is kept', () => {
  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
  ])('an %s user name is no hint, and nothing is noted', (_why, value) => {
    expect(hint(value)).toEqual({ userName: undefined, ignored: [] });
  });

  it('keeps a name of IAM\'s grammar, and the root user\'s names', () => {
    expect(hint('ci-deploy')).toEqual({ userName: 'ci-deploy', ignored: [] });
    expect(hint('<root_account>')).toEqual({ userName: '<root_account>', ignored: [] });
  });

  it.each([
    ['a name outside IAM\'s grammar', 'bad name!', 'user name "bad name!" is not an IAM user name: not used'],
    ['a number', 12345, 'user name "12345" is not an IAM user name: not used'],
    ['a list holding a name', ['alice'], 'user name "alice" is not an IAM user name: not used'],
  ])('drops %s and notes why', (_why, value, note) => {
    expect(hint(value)).toEqual({ userName: undefined, ignored: [note] });
  });
});

describe('text: a string the event gave, or nothing', () => {
  it('is absent for white space only', () => {
    expect(text('   ', 10)).toBeUndefined();
  });

  it('keeps a string, bounded', () => {
    expect(text(' a  b ', 10)).toBe('a b');
  });
});

describe('bounded: a string made safe to carry', () => {
  it('collapses runs of white space into one space and trims the ends', () => {
    expect(bounded('  a  \t b   c  ', 100)).toBe('a b c');
  });

  it('keeps a whole surrogate pair at the start when it cuts: only a half pair at the cut is dropped', () => {
    expect(bounded('😀abcdef', 5)).toBe('😀ab…');
  });
});
