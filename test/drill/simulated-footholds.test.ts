// The simulated account's operations for the footholds step: roles, console passwords,
// service-specific credentials, StopInstances, and CloudTrail records of role sessions.
import { parseScenario } from '../../drill/scenario';
import { SimulatedAccount } from '../../drill/simulated-account';
import { INLINE_ROLE_POLICY_QUOTA } from '../../drill/simulated-footholds';

function account(raw: unknown = {}) {
  return new SimulatedAccount(parseScenario(raw));
}

const DENY = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
const CREDENTIAL_ID = 'ACCAEXAMPLE123EXAMPLE1';

describe('SimulatedAccount: roles', () => {
  const roles = [
    { roleName: 'deploy', path: '/ci/', tags: { team: 'platform' } },
    { roleName: 'AWSServiceRoleForSupport', path: '/aws-service-role/support.amazonaws.com/' },
  ];

  it('answers GetRole with the role\'s path, ARN and tags, and NoSuchEntity for a role that does not exist', () => {
    const a = account({ roles });

    expect(a.call('iam', 'GetRole', { RoleName: 'deploy' })).toMatchObject({
      Role: { RoleName: 'deploy', Path: '/ci/', Arn: 'arn:aws:iam::123456789012:role/ci/deploy', Tags: [{ Key: 'team', Value: 'platform' }] },
    });
    expect(() => a.call('iam', 'GetRole', { RoleName: 'gone' })).toThrow(expect.objectContaining({ name: 'NoSuchEntityException', message: 'The role with name gone cannot be found.' }));
  });

  it('puts an inline policy on a role and reads it back URL-encoded, as IAM does', () => {
    const a = account({ roles });

    a.call('iam', 'PutRolePolicy', { RoleName: 'deploy', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: JSON.stringify(DENY) });
    const out = a.call('iam', 'GetRolePolicy', { RoleName: 'deploy', PolicyName: 'AWSRevokeOlderSessions' }) as { PolicyDocument: string };

    expect(JSON.parse(decodeURIComponent(out.PolicyDocument))).toEqual(DENY);
    expect(a.view().roles[0]).toEqual({ roleName: 'deploy', path: '/ci/', tags: { team: 'platform' }, inlinePolicies: { AWSRevokeOlderSessions: DENY }, attachedPolicyArns: [] });
    expect(() => a.call('iam', 'GetRolePolicy', { RoleName: 'deploy', PolicyName: 'other' })).toThrow(expect.objectContaining({ name: 'NoSuchEntityException' }));
  });

  it('refuses any change to a service-linked role with UnmodifiableEntity, and changes nothing', () => {
    const a = account({ roles });

    expect(() => a.call('iam', 'PutRolePolicy', { RoleName: 'AWSServiceRoleForSupport', PolicyName: 'p', PolicyDocument: JSON.stringify(DENY) })).toThrow(
      expect.objectContaining({ name: 'UnmodifiableEntity' }),
    );
    expect(a.view().roles[1].inlinePolicies).toEqual({});
  });

  it('enforces the 10,240-character quota of a role\'s inline policies', () => {
    const a = account({ roles });
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'x'.repeat(INLINE_ROLE_POLICY_QUOTA), Resource: '*' }] });

    expect(INLINE_ROLE_POLICY_QUOTA).toBe(10_240);
    expect(() => a.call('iam', 'PutRolePolicy', { RoleName: 'deploy', PolicyName: 'p', PolicyDocument: big })).toThrow(expect.objectContaining({ name: 'LimitExceededException' }));
  });

  it('answers an injected fault on a role operation', () => {
    const a = account({ roles, faults: [{ operation: 'iam:PutRolePolicy', error: 'AccessDenied' }] });

    expect(() => a.call('iam', 'PutRolePolicy', { RoleName: 'deploy', PolicyName: 'p', PolicyDocument: JSON.stringify(DENY) })).toThrow(expect.objectContaining({ name: 'AccessDenied' }));
    expect(a.view().roles[0].inlinePolicies).toEqual({});
  });

  it('refuses a role whose path is not an IAM path', () => {
    expect(() => parseScenario({ roles: [{ roleName: 'r', path: 'ci' }] })).toThrow('roles.0.path: an IAM path starts and ends with /');
  });
});

describe('SimulatedAccount: console passwords and service-specific credentials', () => {
  const users = [{
    userName: 'support-admin',
    loginProfile: true,
    serviceSpecificCredentials: [{ serviceSpecificCredentialId: CREDENTIAL_ID, serviceName: 'bedrock.amazonaws.com' }],
  }];

  it('deletes a console password once, then answers NoSuchEntity', () => {
    const a = account({ users });

    a.call('iam', 'DeleteLoginProfile', { UserName: 'support-admin' });

    expect(a.view().users[0].loginProfile).toBe(false);
    expect(() => a.call('iam', 'DeleteLoginProfile', { UserName: 'support-admin' })).toThrow(
      expect.objectContaining({ name: 'NoSuchEntityException', message: 'Login Profile for User support-admin cannot be found.' }),
    );
  });

  it('lists a user\'s service-specific credentials (Active by default) and sets one Inactive', () => {
    const a = account({ users });

    expect(a.call('iam', 'ListServiceSpecificCredentials', { UserName: 'support-admin' })).toMatchObject({
      ServiceSpecificCredentials: [{ ServiceSpecificCredentialId: CREDENTIAL_ID, ServiceName: 'bedrock.amazonaws.com', Status: 'Active', UserName: 'support-admin' }],
    });
    a.call('iam', 'UpdateServiceSpecificCredential', { UserName: 'support-admin', ServiceSpecificCredentialId: CREDENTIAL_ID, Status: 'Inactive' });

    expect(a.view().users[0].serviceSpecificCredentials).toEqual([{ serviceSpecificCredentialId: CREDENTIAL_ID, serviceName: 'bedrock.amazonaws.com', status: 'Inactive' }]);
    expect(a.call('iam', 'ListServiceSpecificCredentials', { UserName: 'support-admin', ServiceName: 'codecommit.amazonaws.com' })).toEqual({ ServiceSpecificCredentials: [] });
  });

  it('answers NoSuchEntity for a credential the user does not have', () => {
    const a = account({ users });

    expect(() => a.call('iam', 'UpdateServiceSpecificCredential', { UserName: 'support-admin', ServiceSpecificCredentialId: 'ACCAOTHER0000000000000', Status: 'Inactive' })).toThrow(
      expect.objectContaining({ name: 'NoSuchEntityException' }),
    );
  });

  it('shows no serviceSpecificCredentials for a user who has none', () => {
    expect(account({ users: [{ userName: 'u' }] }).view().users[0]).not.toHaveProperty('serviceSpecificCredentials');
  });
});

describe('SimulatedAccount: StopInstances', () => {
  const instances = [
    { region: 'eu-west-1', instanceId: 'i-0miner', state: 'running' },
    { region: 'eu-west-1', instanceId: 'i-0gone', state: 'terminated' },
  ];

  it('stops a running instance in its region, says it was running, and leaves the scenario given as it was', () => {
    const scenario = parseScenario({ regions: ['eu-west-1'], instances });
    const a = new SimulatedAccount(scenario);

    expect(a.call('ec2', 'StopInstances', { InstanceIds: ['i-0miner'] }, 'eu-west-1')).toEqual({
      StoppingInstances: [{ InstanceId: 'i-0miner', PreviousState: { Name: 'running' }, CurrentState: { Name: 'stopping' } }],
    });
    expect(a.call('ec2', 'StopInstances', { InstanceIds: ['i-0miner'] }, 'eu-west-1')).toEqual({
      StoppingInstances: [{ InstanceId: 'i-0miner', PreviousState: { Name: 'stopped' }, CurrentState: { Name: 'stopped' } }],
    });
    expect(a.call('ec2', 'DescribeInstances', { InstanceIds: ['i-0miner'] }, 'eu-west-1')).toMatchObject({ Reservations: [{ Instances: [{ State: { Name: 'stopped' } }] }] });
    expect(scenario.instances[0].state).toBe('running');
  });

  it('answers InvalidInstanceID.NotFound in another region, and IncorrectInstanceState for a terminated instance', () => {
    const a = account({ instances });

    expect(() => a.call('ec2', 'StopInstances', { InstanceIds: ['i-0miner'] }, 'us-east-1')).toThrow(expect.objectContaining({ name: 'InvalidInstanceID.NotFound' }));
    expect(() => a.call('ec2', 'StopInstances', { InstanceIds: ['i-0gone'] }, 'eu-west-1')).toThrow(expect.objectContaining({ name: 'IncorrectInstanceState' }));
  });
});

describe('SimulatedAccount: CloudTrail records of sessions', () => {
  const SESSION_KEY = 'ASIAROLESESSION00001';
  const session = {
    type: 'AssumedRole',
    arn: 'arn:aws:sts::123456789012:assumed-role/deploy/x',
    accessKeyId: SESSION_KEY,
    sessionContext: { sessionIssuer: { type: 'Role', userName: 'deploy', arn: 'arn:aws:iam::123456789012:role/deploy' } },
  };
  const cloudTrail = [
    {
      eventId: 'assume', eventTime: '2026-11-20T09:00:00Z', eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', accessKeyId: 'AKIAEXPOSEDKEY000001', userName: 'ci-deploy',
      requestParameters: { roleArn: 'arn:aws:iam::123456789012:role/deploy', roleSessionName: 'x' }, responseElements: { credentials: { accessKeyId: SESSION_KEY } },
    },
    { eventId: 'backdoor', eventTime: '2026-11-20T09:01:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', userIdentity: session, requestParameters: { userName: 'support-admin' } },
  ];

  it('serves a session\'s record by its key id, with the userIdentity and responseElements CloudTrail wrote', () => {
    const a = account({ cloudTrail });

    const out = a.call('cloudtrail', 'LookupEvents', { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: SESSION_KEY }] }) as { Events: Array<{ EventId: string; AccessKeyId: string; CloudTrailEvent: string }> };

    expect(out.Events.map((e) => [e.EventId, e.AccessKeyId])).toEqual([['backdoor', SESSION_KEY]]);
    expect(JSON.parse(out.Events[0].CloudTrailEvent)).toMatchObject({ userIdentity: session, eventName: 'CreateUser', requestParameters: { userName: 'support-admin' } });
  });

  it('keeps the AssumeRole response, with the session\'s key id, in the key\'s record', () => {
    const a = account({ cloudTrail });

    const out = a.call('cloudtrail', 'LookupEvents', { LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: 'AKIAEXPOSEDKEY000001' }] }) as { Events: Array<{ CloudTrailEvent: string }> };

    expect(JSON.parse(out.Events[0].CloudTrailEvent)).toMatchObject({
      userIdentity: { type: 'IAMUser', userName: 'ci-deploy', accessKeyId: 'AKIAEXPOSEDKEY000001' },
      responseElements: { credentials: { accessKeyId: SESSION_KEY } },
    });
  });

  it.each([
    ['a userIdentity without its type', { userIdentity: { accessKeyId: SESSION_KEY } }, 'cloudTrail.0.userIdentity.type: read as the flat shortcut (no eventVersion, eventID, awsRegion: not a CloudTrail record): userIdentity is an object with its type'],
    ['a responseElements that is not an object', { responseElements: 'ok' }, 'cloudTrail.0.responseElements: read as the flat shortcut (no eventVersion, eventID, awsRegion: not a CloudTrail record): responseElements is an object or null'],
  ])('refuses %s', (_what, fields, message) => {
    expect(() => parseScenario({ cloudTrail: [{ eventTime: '2026-11-20T09:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', ...fields }] })).toThrow(message);
  });
});
