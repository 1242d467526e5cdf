import { parseScenario } from '../../drill/scenario';
import { accountOfKeyId, SimulatedAccount } from '../../drill/simulated-account';

function account(): SimulatedAccount {
  return new SimulatedAccount(
    parseScenario({
      accountId: '123456789012',
      users: [{ userName: 'ci', accessKeys: [{ accessKeyId: 'AKIACIKEY00000000001' }] }],
      cloudTrail: [
        { region: 'us-east-1', eventTime: '2026-11-20T09:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy', requestParameters: { userName: 'ci' } },
        { region: 'us-east-1', eventTime: '2026-11-20T09:01:00Z', eventSource: 'iam.amazonaws.com', eventName: 'PutUserPolicy', requestParameters: { userName: 'ci' } },
      ],
    }),
  );
}

describe('simulated account: what the dispatcher asks', () => {
  it('decodes the account of a key id as STS does (the published example)', () => {
    expect(accountOfKeyId('ASIAY34FZKBOKMUTVV7A')).toBe('609629065308');
    expect(accountOfKeyId('AKIA0000000000000001')).toBeUndefined();
  });

  it('answers GetAccessKeyInfo with this account for its own keys and the encoded account for others', () => {
    const a = account();

    expect(a.call('sts', 'GetAccessKeyInfo', { AccessKeyId: 'AKIACIKEY00000000001' })).toEqual({ Account: '123456789012' });
    expect(a.call('sts', 'GetAccessKeyInfo', { AccessKeyId: 'ASIAY34FZKBOKMUTVV7A' })).toEqual({ Account: '609629065308' });
    expect(() => a.call('sts', 'GetAccessKeyInfo', { AccessKeyId: 'AKIA0000000000000001' })).toThrow(expect.objectContaining({ name: 'InvalidParameterValue' }));
  });

  it('answers GetAccessKeyLastUsed with AccessDenied for another account\'s key and NoSuchEntity for an unknown one', () => {
    const a = account();

    expect(a.call('iam', 'GetAccessKeyLastUsed', { AccessKeyId: 'AKIACIKEY00000000001' })).toMatchObject({ UserName: 'ci' });
    expect(() => a.call('iam', 'GetAccessKeyLastUsed', { AccessKeyId: 'AKIAY34FZKBOKMUTVV7A' })).toThrow(expect.objectContaining({ name: 'AccessDenied' }));
    expect(() => a.call('iam', 'GetAccessKeyLastUsed', { AccessKeyId: 'AKIA0000000000000001' })).toThrow(expect.objectContaining({ name: 'NoSuchEntityException' }));
  });

  it('filters LookupEvents by event name', () => {
    const out = account().call('cloudtrail', 'LookupEvents', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'PutUserPolicy' }] }) as { Events: Array<{ EventName: string }> };

    expect(out.Events.map((e) => e.EventName)).toEqual(['PutUserPolicy']);
  });

  it('records a published message with its message attributes (the slack subscription filters on them)', () => {
    const a = account();
    const attributes = { 'exposed-key-responder.kind': { DataType: 'String', StringValue: 'notice' } };

    expect(a.call('sns', 'Publish', { TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Subject: 's', Message: 'm', MessageAttributes: attributes })).toEqual({ MessageId: 'msg-1' });
    expect(a.call('sns', 'Publish', { TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'plain' })).toEqual({ MessageId: 'msg-2' });
    expect(a.published).toEqual([
      { topicArn: 'arn:aws:sns:us-east-1:123456789012:t', subject: 's', message: 'm', attributes: { 'exposed-key-responder.kind': { DataType: 'String', StringValue: 'notice' } } },
      { topicArn: 'arn:aws:sns:us-east-1:123456789012:t', subject: undefined, message: 'plain' },
    ]);
  });

  it('no longer answers Lambda Invoke: nothing in the responder invokes a Lambda', () => {
    expect(() => account().call('lambda', 'Invoke', { FunctionName: 'slack' })).toThrow('the simulated account does not implement lambda:Invoke');
  });
});
