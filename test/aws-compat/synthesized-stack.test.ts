import { ResolveContext, resolveValue } from './synthesized-stack';

const ctx: ResolveContext = {
  accountId: '123456789012',
  region: 'us-east-1',
  stackName: 'ExposedKeyResponder',
  ref: (id) => `ref-of-${id}`,
  getAtt: (id, attribute) => `${attribute}-of-${id}`,
};

describe('resolving a template\'s intrinsics as CloudFormation would', () => {
  it('resolves Ref, Fn::GetAtt (both forms), Fn::Join and the pseudo parameters inside nested values', () => {
    const value = {
      Topic: { Ref: 'Topic1' },
      Arns: [{ 'Fn::GetAtt': ['Fn1', 'Arn'] }, { 'Fn::GetAtt': 'Fn2.Arn' }],
      Policy: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
    };

    expect(resolveValue(value, ctx)).toEqual({
      Topic: 'ref-of-Topic1',
      Arns: ['Arn-of-Fn1', 'Arn-of-Fn2'],
      Policy: 'arn:aws:iam::123456789012:root',
    });
  });

  it('resolves Fn::Sub with its own variables, attributes and pseudo parameters, and Fn::Select over Fn::Split', () => {
    expect(resolveValue({ 'Fn::Sub': ['${Name}-${Fn1.Arn}-${AWS::Region}-${Bucket}', { Name: 'x' }] }, ctx)).toBe('x-Arn-of-Fn1-us-east-1-ref-of-Bucket');
    expect(resolveValue({ 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] }, ctx)).toBe('b');
  });

  it('refuses an intrinsic it does not know rather than guess', () => {
    expect(() => resolveValue({ 'Fn::ImportValue': 'Other-Export' }, ctx)).toThrow('the template uses Fn::ImportValue, which this check does not resolve');
  });
});
