import { parseScenario } from '../../drill/scenario';
import { inInvocation, INLINE_USER_POLICY_QUOTA, SimulatedAccount } from '../../drill/simulated-account';

function account(raw: unknown = {}, existing: string[] = []) {
  return new SimulatedAccount(parseScenario(raw), existing);
}

const user = { userName: 'u', accessKeys: [{ accessKeyId: 'AKIAUSERKEY000000001' }] };

describe('SimulatedAccount', () => {
  it('answers injected faults the given number of times, then behaves normally', () => {
    const a = account({ users: [user], faults: [{ operation: 'iam:UpdateAccessKey', error: 'Throttling', times: 2 }] });
    const input = { UserName: 'u', AccessKeyId: 'AKIAUSERKEY000000001', Status: 'Inactive' };

    expect(() => a.call('iam', 'UpdateAccessKey', input)).toThrow(expect.objectContaining({ name: 'Throttling' }));
    expect(() => a.call('iam', 'UpdateAccessKey', input)).toThrow(expect.objectContaining({ name: 'Throttling' }));
    a.call('iam', 'UpdateAccessKey', input);

    expect(a.view().users[0].accessKeys[0].status).toBe('Inactive');
    expect(a.calls.map((c) => c.error ?? 'ok')).toEqual(['Throttling', 'Throttling', 'ok']);
  });

  it('refuses UpdateAccessKey for a key of another user, as IAM does', () => {
    const a = account({ users: [user, { userName: 'v', accessKeys: [] }] });

    expect(() => a.call('iam', 'UpdateAccessKey', { UserName: 'v', AccessKeyId: 'AKIAUSERKEY000000001', Status: 'Inactive' })).toThrow(
      expect.objectContaining({ name: 'NoSuchEntityException' }),
    );
    expect(a.view().users[0].accessKeys[0].status).toBe('Active');
  });

  it('enforces the 2,048-character quota of a user inline policies', () => {
    const a = account({ users: [user] });
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'x'.repeat(INLINE_USER_POLICY_QUOTA), Resource: '*' }] });

    expect(() => a.call('iam', 'PutUserPolicy', { UserName: 'u', PolicyName: 'p', PolicyDocument: doc })).toThrow(
      expect.objectContaining({ name: 'LimitExceededException' }),
    );
  });

  it('attaches only policies that exist, once', () => {
    const ours = 'arn:aws:iam::123456789012:policy/exposed-key-responder/Q';
    const a = account({ users: [user] }, [ours]);

    a.call('iam', 'AttachUserPolicy', { UserName: 'u', PolicyArn: ours });
    a.call('iam', 'AttachUserPolicy', { UserName: 'u', PolicyArn: ours });

    expect(a.view().users[0].attachedPolicyArns).toEqual([ours]);
    expect(() => a.call('iam', 'AttachUserPolicy', { UserName: 'u', PolicyArn: 'arn:aws:iam::123456789012:policy/missing' })).toThrow(
      expect.objectContaining({ name: 'NoSuchEntityException' }),
    );
  });

  it('answers ExecutionAlreadyExists for a second execution of the same name with another input', () => {
    const a = account();
    const start = (input: string) => a.call('sfn', 'StartExecution', { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:M', name: 'n', input });

    start('{"a":1}');

    expect(start('{"a":1}')).toMatchObject({ executionArn: expect.stringContaining(':execution:M:n') });
    expect(() => start('{"a":2}')).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
    expect(a.executions.size).toBe(1);
  });

  it('says so when asked for an operation it does not simulate', () => {
    expect(() => account().call('iam', 'DeleteGroup', {})).toThrow(/does not implement iam:DeleteGroup/);
  });

  it('attributes each call to the invocation that made it', async () => {
    const a = account({ users: [user] });

    await inInvocation('DeactivateKey', async () => a.call('iam', 'ListAccessKeys', { UserName: 'u' }));

    expect(a.calls[0]).toMatchObject({ service: 'iam', operation: 'ListAccessKeys', invocation: 'DeactivateKey' });
  });

  it('answers GetUser with the path and tags the scenario gives', () => {
    const a = account({ users: [{ ...user, path: '/breakglass/', tags: { 'exposed-key-responder:protected': 'true' } }, { userName: 'plain' }] });

    expect(a.call('iam', 'GetUser', { UserName: 'u' })).toMatchObject({
      User: { UserName: 'u', Path: '/breakglass/', Tags: [{ Key: 'exposed-key-responder:protected', Value: 'true' }] },
    });
    expect(a.call('iam', 'GetUser', { UserName: 'plain' })).toMatchObject({ User: { UserName: 'plain', Path: '/' } });
    expect(() => parseScenario({ users: [{ userName: 'x', path: 'no-slashes' }] })).toThrow(/an IAM path starts and ends with \//);
  });

  it('finds a support case by its display id, and refuses an unknown case id of the list as the Support API does', () => {
    const a = account({ supportCases: [{ caseId: 'case-1', displayId: '1234567890', subject: 'AWS case' }] });

    expect(a.call('support', 'DescribeCases', { displayId: '1234567890' })).toMatchObject({ cases: [{ caseId: 'case-1', displayId: '1234567890' }] });
    expect(a.call('support', 'DescribeCases', { displayId: '999' })).toEqual({ cases: [] });
    expect(() => a.call('support', 'DescribeCases', { caseIdList: ['case-unknown'] })).toThrow(expect.objectContaining({ name: 'CaseIdNotFound' }));
  });

  it('no longer creates customer-managed policies: the responder never asks', () => {
    expect(() => account().call('iam', 'CreatePolicy', { PolicyName: 'p', PolicyDocument: '{}' })).toThrow(/does not implement iam:CreatePolicy/);
  });

  it('rejects a scenario with an unknown field instead of ignoring it', () => {
    expect(() => parseScenario({ user: [] })).toThrow(/scenario is not usable/);
  });
});
