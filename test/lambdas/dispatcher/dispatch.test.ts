import {
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  IAMClient,
  ListAccessKeysCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand, StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { dispatch, DispatchConfig, DispatchDeps } from '../../../lambdas/dispatcher/dispatch';
import { InvalidIncidentError, TransientAwsError } from '../../../lambdas/shared/errors';
import { Incident, incidentIdFor, IncidentSchema } from '../../../lambdas/shared/incident';
import {
  ACCOUNT_ID,
  awsError,
  fakeLogger,
  healthEvent,
  healthEventFromDescribeEvents,
  KEY_ID,
  OTHER_KEY_ID,
  readEvent,
  viaEventBridge,
} from '../helpers';

const iam = mockClient(IAMClient);
const sfn = mockClient(SFNClient);

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-key-response';
const NOW = new Date('2026-11-20T10:00:00.000Z');

function deps(config: Partial<DispatchConfig> = {}, now = NOW): DispatchDeps & { logger: ReturnType<typeof fakeLogger> } {
  return {
    iam: new IAMClient({}),
    sfn: new SFNClient({}),
    logger: fakeLogger(),
    config: { stateMachineArn: STATE_MACHINE_ARN, protectedUsers: [], ...config },
    now: () => now,
  };
}

function executionArn(name: string): string {
  return `arn:aws:states:us-east-1:123456789012:execution:exposed-key-response:${name}`;
}

/** The executions started, with their input parsed back from JSON. */
function startedExecutions(): Array<{ stateMachineArn?: string; name?: string; incident: Incident }> {
  return sfn.commandCalls(StartExecutionCommand).map((c) => {
    const input = c.args[0].input as StartExecutionCommandInput;
    const parsed = JSON.parse(input.input ?? '') as { incident: Incident };
    return { stateMachineArn: input.stateMachineArn, name: input.name, incident: parsed.incident };
  });
}

function trustedAdvisorEvent(key = KEY_ID, userName = 'ci-deploy'): Record<string, any> {
  const event = readEvent('trusted-advisor-exposed-access-keys-sample.json');
  event.account = ACCOUNT_ID;
  event.detail['check-item-detail']['Access Key ID'] = key;
  event.detail['check-item-detail']['User Name (IAM or Root)'] = userName;
  return event;
}

function cloudTrailQuarantineEvent(userName = 'ci-deploy'): Record<string, any> {
  const record = readEvent('cloudtrail-record-attach-quarantine-v2.json');
  record.requestParameters.userName = userName;
  return viaEventBridge(record);
}

function iamQuarantineEvent(): Record<string, any> {
  return healthEventFromDescribeEvents(readEvent('health-describe-events-iam-quarantine-2022.json'));
}

beforeEach(() => {
  iam.reset();
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({
    executionArn: executionArn(input.name ?? ''),
    startDate: NOW,
  }));
});

describe('dispatch: events that name the key and the user', () => {
  it('starts one execution named after the key and the day, with the incident as input, without asking IAM', async () => {
    // Arrange
    const event = readEvent('trusted-advisor-exposed-access-keys-sample.json');

    // Act
    const result = await dispatch(event, deps());

    // Assert
    const expectedIncident: Incident = {
      incidentId: 'ACCESS_KEY_ID_HERE-20261120',
      source: 'trusted-advisor',
      accountId: '111222333444',
      accessKeyId: 'ACCESS_KEY_ID_HERE',
      userName: 'test-user',
      principalType: 'user',
      protectedPrincipal: false,
      detectedAt: '2017-06-10T03:13:31.198Z',
      dispatchedAt: '2026-11-20T10:00:00.000Z',
      detail: 'Trusted Advisor "Exposed Access Keys" (fraud type: Exposed)',
      awsCaseId: '02648f3b-e18f-4019-8d68-ce25efe080ff',
      leakLocation: 'www.github.com/some_user/some_repo/some_file',
    };
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE_ARN,
      name: incidentIdFor('ACCESS_KEY_ID_HERE', NOW),
    });
    expect(startedExecutions()).toEqual([
      { stateMachineArn: STATE_MACHINE_ARN, name: 'ACCESS_KEY_ID_HERE-20261120', incident: expectedIncident },
    ]);
    expect(IncidentSchema.parse(startedExecutions()[0].incident)).toEqual(expectedIncident);
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result).toEqual({
      started: [{ incidentId: 'ACCESS_KEY_ID_HERE-20261120', executionArn: executionArn('ACCESS_KEY_ID_HERE-20261120'), incident: expectedIncident }],
      duplicates: [],
      skipped: [],
    });
  });

  it('takes key and user of a newer Health event from eventMetadata without asking IAM', async () => {
    const event = healthEvent({ eventMetadata: { publicKey: KEY_ID, userName: 'ci-deploy', exposedUrl: 'https://github.com/acme/app' } });

    await dispatch(event, deps());

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(startedExecutions().map((e) => e.incident)).toEqual([
      expect.objectContaining({ accessKeyId: KEY_ID, userName: 'ci-deploy', source: 'health', leakLocation: 'https://github.com/acme/app' }),
    ]);
  });

  it('marks a user on the protected list as a protected principal', async () => {
    const event = trustedAdvisorEvent(KEY_ID, 'break-glass');

    await dispatch(event, deps({ protectedUsers: ['admin', 'break-glass'] }));

    expect(startedExecutions()[0].incident).toMatchObject({ userName: 'break-glass', principalType: 'user', protectedPrincipal: true });
  });

  it('matches the protected list regardless of case, as IAM user names are unique regardless of case', async () => {
    const event = trustedAdvisorEvent(KEY_ID, 'Break-Glass');

    await dispatch(event, deps({ protectedUsers: ['break-glass'] }));

    expect(startedExecutions()[0].incident).toMatchObject({ userName: 'Break-Glass', protectedPrincipal: true });
  });

  it.each(['root', '<root_account>', '<root>'])('treats the Trusted Advisor user %j as the root user', async (userName) => {
    const event = trustedAdvisorEvent(KEY_ID, userName);

    await dispatch(event, deps({ protectedUsers: ['root'] }));

    expect(startedExecutions()[0].incident).toMatchObject({ userName: 'root', principalType: 'root', protectedPrincipal: false });
    expect(iam).not.toHaveReceivedAnyCommand();
  });
});

describe('dispatch: events that name only the key', () => {
  it('asks GetAccessKeyLastUsed for the owner of the key in the 2016 Health sample', async () => {
    const event = readEvent('health-credentials-exposed-2016-sample.json');
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'ACCESS_KEY_ID_HERE' }).resolves({ UserName: 'legacy-app', AccessKeyLastUsed: undefined });

    const result = await dispatch(event, deps());

    expect(iam).toHaveReceivedCommandWith(GetAccessKeyLastUsedCommand, { AccessKeyId: 'ACCESS_KEY_ID_HERE' });
    expect(startedExecutions()).toEqual([
      {
        stateMachineArn: STATE_MACHINE_ARN,
        name: 'ACCESS_KEY_ID_HERE-20261120',
        incident: expect.objectContaining({ accessKeyId: 'ACCESS_KEY_ID_HERE', userName: 'legacy-app', source: 'health', detectedAt: '2016-06-05T06:27:57Z' }),
      },
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('skips a key IAM does not know, starting nothing', async () => {
    const event = readEvent('health-credentials-exposed-2016-sample.json');
    iam.on(GetAccessKeyLastUsedCommand).rejects(new NoSuchEntityException({ message: 'The Access Key with id ACCESS_KEY_ID_HERE cannot be found', $metadata: { httpStatusCode: 404 } }));
    const d = deps();

    const result = await dispatch(event, d);

    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(result).toEqual({
      started: [],
      duplicates: [],
      skipped: [{ accessKeyId: 'ACCESS_KEY_ID_HERE', reason: 'no such access key in this account (already deleted?)' }],
    });
    expect(d.logger.error).toHaveBeenCalledWith('exposure reported but no key to contain', expect.anything());
  });

  it('skips a key whose owner IAM does not name', async () => {
    const event = readEvent('health-credentials-exposed-2016-sample.json');
    iam.on(GetAccessKeyLastUsedCommand).resolves({});

    const result = await dispatch(event, deps());

    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(result.skipped).toEqual([{ accessKeyId: 'ACCESS_KEY_ID_HERE', reason: 'no such access key in this account (already deleted?)' }]);
  });

  it('turns throttling of the owner lookup into TransientAwsError and starts nothing', async () => {
    const event = readEvent('health-credentials-exposed-2016-sample.json');
    const throttling = awsError('Throttling', 'Rate exceeded');
    iam.on(GetAccessKeyLastUsedCommand).rejects(throttling);

    const run = dispatch(event, deps());

    await expect(run).rejects.toBeInstanceOf(TransientAwsError);
    await expect(run).rejects.toMatchObject({ cause: throttling });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('looks up the owner of each key when a Health event names two keys', async () => {
    const event = healthEvent({ eventMetadata: { publicKey: KEY_ID, userName: 'ci-deploy' }, affectedEntities: [{ entityValue: OTHER_KEY_ID }] });
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY_ID }).resolves({ UserName: 'ci-deploy' });
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: OTHER_KEY_ID }).resolves({ UserName: 'reporting' });

    await dispatch(event, deps());

    expect(startedExecutions().map((e) => [e.name, e.incident.userName])).toEqual([
      [`${KEY_ID}-20261120`, 'ci-deploy'],
      [`${OTHER_KEY_ID}-20261120`, 'reporting'],
    ]);
  });
});

describe('dispatch: CloudTrail quarantine (user only)', () => {
  it('starts one execution per active key of the quarantined user and ignores inactive keys', async () => {
    const event = cloudTrailQuarantineEvent('ci-deploy');
    iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({
      AccessKeyMetadata: [
        { UserName: 'ci-deploy', AccessKeyId: KEY_ID, Status: 'Active' },
        { UserName: 'ci-deploy', AccessKeyId: OTHER_KEY_ID, Status: 'Inactive' },
      ],
    });

    const result = await dispatch(event, deps());

    expect(iam).toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName: 'ci-deploy' });
    expect(startedExecutions()).toEqual([
      {
        stateMachineArn: STATE_MACHINE_ARN,
        name: `${KEY_ID}-20261120`,
        incident: expect.objectContaining({
          accessKeyId: KEY_ID,
          userName: 'ci-deploy',
          source: 'quarantine-policy',
          detectedAt: '2023-11-21T23:23:52Z',
          detail: 'CloudTrail AttachUserPolicy arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2 on user ci-deploy',
        }),
      },
    ]);
    expect(result.started.map((s) => s.incident.accessKeyId)).toEqual([KEY_ID]);
  });

  it('starts one execution for each of two active keys', async () => {
    const event = cloudTrailQuarantineEvent('ci-deploy');
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [
        { AccessKeyId: KEY_ID, Status: 'Active' },
        { AccessKeyId: OTHER_KEY_ID, Status: 'Active' },
      ],
    });

    await dispatch(event, deps());

    expect(startedExecutions().map((e) => e.name)).toEqual([`${KEY_ID}-20261120`, `${OTHER_KEY_ID}-20261120`]);
  });

  it('skips a quarantined user without an active key', async () => {
    const event = cloudTrailQuarantineEvent('ci-deploy');
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Inactive' }] });

    const result = await dispatch(event, deps());

    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(result.skipped).toEqual([{ userName: 'ci-deploy', reason: 'the user has no active access key' }]);
  });

  it('rejects a quarantined user that does not exist with InvalidIncidentError', async () => {
    const event = cloudTrailQuarantineEvent('ghost');
    iam.on(ListAccessKeysCommand).rejects(new NoSuchEntityException({ message: 'The user with name ghost cannot be found.', $metadata: {} }));

    const run = dispatch(event, deps());

    await expect(run).rejects.toBeInstanceOf(InvalidIncidentError);
    await expect(run).rejects.toThrow('user ghost does not exist');
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});

describe('dispatch: AWS_RISK_IAM_QUARANTINE (neither key nor user)', () => {
  function authorizationDetails(): void {
    iam
      .on(GetAccountAuthorizationDetailsCommand, { Filter: ['User'] })
      .resolvesOnce({
        IsTruncated: true,
        Marker: 'page-2',
        UserDetailList: [
          { UserName: 'alice', AttachedManagedPolicies: [{ PolicyName: 'AWSCompromisedKeyQuarantineV2', PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2' }] },
          { UserName: 'bob', AttachedManagedPolicies: [{ PolicyName: 'AWSCompromisedKeyQuarantine', PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine' }] },
          { UserName: 'erin', AttachedManagedPolicies: [{ PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] },
        ],
      })
      .resolvesOnce({
        IsTruncated: false,
        UserDetailList: [
          { UserName: 'carol', UserPolicyList: [{ PolicyName: 'AWSExposedCredentialPolicy_DO_NOT_REMOVE', PolicyDocument: '%7B%7D' }] },
          { UserName: 'dave', AttachedManagedPolicies: [{ PolicyName: 'AWSCompromisedKeyQuarantineV2', PolicyArn: 'arn:aws:iam::123456789012:policy/AWSCompromisedKeyQuarantineV2' }] },
          { UserName: 'frank', AttachedManagedPolicies: [{ PolicyName: 'AWSCompromisedKeyQuarantineV4', PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV4' }] },
        ],
      });
    iam.on(ListAccessKeysCommand, { UserName: 'alice' }).resolves({
      AccessKeyMetadata: [
        { AccessKeyId: 'AKIAALICE00000000001', Status: 'Active' },
        { AccessKeyId: 'AKIAALICE00000000002', Status: 'Inactive' },
      ],
    });
    iam.on(ListAccessKeysCommand, { UserName: 'bob' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIABOB0000000000001', Status: 'Active' }] });
    iam.on(ListAccessKeysCommand, { UserName: 'carol' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIACAROL00000000001', Status: 'Active' }] });
    iam.on(ListAccessKeysCommand, { UserName: 'dave' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIADAVE000000000001', Status: 'Active' }] });
    iam.on(ListAccessKeysCommand, { UserName: 'erin' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAERIN000000000001', Status: 'Active' }] });
    iam.on(ListAccessKeysCommand, { UserName: 'frank' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAFRANK00000000001', Status: 'Active' }] });
  }

  it('contains the active keys of every user carrying an AWS quarantine policy (any version, or the legacy inline one) and nobody else', async () => {
    const event = iamQuarantineEvent();
    authorizationDetails();

    const result = await dispatch(event, deps());

    expect(iam).toHaveReceivedCommandTimes(GetAccountAuthorizationDetailsCommand, 2);
    expect(iam).toHaveReceivedNthSpecificCommandWith(2, GetAccountAuthorizationDetailsCommand, { Filter: ['User'], Marker: 'page-2' });
    const listed = iam.commandCalls(ListAccessKeysCommand).map((c) => c.args[0].input.UserName);
    expect(listed).toEqual(['alice', 'bob', 'carol', 'frank']);
    expect(startedExecutions().map((e) => [e.incident.userName, e.incident.accessKeyId, e.incident.source])).toEqual([
      ['alice', 'AKIAALICE00000000001', 'health'],
      ['bob', 'AKIABOB0000000000001', 'health'],
      ['carol', 'AKIACAROL00000000001', 'health'],
      ['frank', 'AKIAFRANK00000000001', 'health'],
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('does not treat a customer policy named like the AWS quarantine policy as a quarantine', async () => {
    const event = iamQuarantineEvent();
    authorizationDetails();

    await dispatch(event, deps());

    expect(iam).not.toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName: 'dave' });
    expect(startedExecutions().map((e) => e.incident.userName)).not.toContain('dave');
  });

  it('skips, starting nothing, when no user carries a quarantine policy', async () => {
    const event = iamQuarantineEvent();
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({ UserDetailList: [{ UserName: 'erin', AttachedManagedPolicies: [] }] });

    const result = await dispatch(event, deps());

    expect(iam).not.toHaveReceivedCommand(ListAccessKeysCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(result.skipped).toEqual([{ reason: 'no user carries an AWS quarantine policy' }]);
  });

  it('turns throttling of GetAccountAuthorizationDetails into TransientAwsError', async () => {
    const event = iamQuarantineEvent();
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const run = dispatch(event, deps());

    await expect(run).rejects.toBeInstanceOf(TransientAwsError);
    await expect(run).rejects.toThrow('GetAccountAuthorizationDetails: Throttling: Rate exceeded');
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});

describe('dispatch: starting executions', () => {
  it('counts an execution that already exists as a duplicate, without failing', async () => {
    const event = trustedAdvisorEvent();
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: `Execution Already Exists: '${executionArn(`${KEY_ID}-20261120`)}'`, $metadata: { httpStatusCode: 400 } }));

    const result = await dispatch(event, deps());

    expect(result.started).toEqual([]);
    expect(result.duplicates).toEqual([{ incidentId: `${KEY_ID}-20261120`, incident: expect.objectContaining({ accessKeyId: KEY_ID }) }]);
  });

  it('turns throttling of StartExecution into TransientAwsError keeping the cause', async () => {
    const event = trustedAdvisorEvent();
    const throttling = awsError('ThrottlingException', 'Rate exceeded');
    sfn.on(StartExecutionCommand).rejects(throttling);

    const run = dispatch(event, deps());

    await expect(run).rejects.toBeInstanceOf(TransientAwsError);
    await expect(run).rejects.toThrow(`StartExecution ${KEY_ID}-20261120: ThrottlingException: Rate exceeded`);
    await expect(run).rejects.toMatchObject({ name: 'TransientAwsError', cause: throttling });
  });

  it('rethrows AccessDenied on StartExecution unchanged', async () => {
    const event = trustedAdvisorEvent();
    const denied = awsError('AccessDeniedException', 'not authorized to perform states:StartExecution', 403);
    sfn.on(StartExecutionCommand).rejects(denied);

    await expect(dispatch(event, deps())).rejects.toBe(denied);
  });

  it('throws InvalidIncidentError for an event it cannot parse, and neither reads IAM nor starts anything', async () => {
    const event = readEvent('support-case-update-create.json');

    await expect(dispatch(event, deps())).rejects.toBeInstanceOf(InvalidIncidentError);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('gives the same key reported by Health, Trusted Advisor and CloudTrail on one day one execution name', async () => {
    // Arrange: Step Functions refuses a second execution of the same name.
    const names = new Set<string>();
    sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
      if (names.has(input.name ?? '')) {
        throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: { httpStatusCode: 400 } });
      }
      names.add(input.name ?? '');
      return { executionArn: executionArn(input.name ?? ''), startDate: NOW };
    });
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY_ID }).resolves({ UserName: 'ci-deploy' });
    iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] });
    const fromCloudTrail = cloudTrailQuarantineEvent('ci-deploy');
    const fromHealth = healthEvent({ affectedEntities: [{ entityValue: KEY_ID }] });
    const fromTrustedAdvisor = trustedAdvisorEvent(KEY_ID, 'ci-deploy');

    // Act: CloudTrail first (about a minute after the leak), then Health, then Trusted Advisor hours later.
    const first = await dispatch(fromCloudTrail, deps({}, new Date('2026-11-20T00:01:07Z')));
    const second = await dispatch(fromHealth, deps({}, new Date('2026-11-20T00:05:00Z')));
    const third = await dispatch(fromTrustedAdvisor, deps({}, new Date('2026-11-20T23:59:59Z')));

    // Assert
    expect(startedExecutions().map((e) => e.name)).toEqual([`${KEY_ID}-20261120`, `${KEY_ID}-20261120`, `${KEY_ID}-20261120`]);
    expect(first.started.map((s) => s.incidentId)).toEqual([`${KEY_ID}-20261120`]);
    expect(second.duplicates.map((s) => s.incidentId)).toEqual([`${KEY_ID}-20261120`]);
    expect(third.duplicates.map((s) => s.incidentId)).toEqual([`${KEY_ID}-20261120`]);
  });

  it('starts a new execution when the same key is reported again on a later day', async () => {
    const event = trustedAdvisorEvent();

    await dispatch(event, deps({}, new Date('2026-11-20T12:00:00Z')));
    await dispatch(event, deps({}, new Date('2026-11-21T12:00:00Z')));

    expect(startedExecutions().map((e) => e.name)).toEqual([`${KEY_ID}-20261120`, `${KEY_ID}-20261121`]);
  });
});
