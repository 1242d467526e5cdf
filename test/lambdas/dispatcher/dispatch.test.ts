import { GetAccessKeyLastUsedCommand, ListAccessKeysCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { ExecutionAlreadyExists, StartExecutionCommand, StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import 'aws-sdk-client-mock-jest';
import { dispatch } from '../../../lambdas/dispatcher/dispatch';
import { InvalidIncidentError, TransientAwsError } from '../../../lambdas/shared/errors';
import { Incident, IncidentSchema } from '../../../lambdas/shared/incident';
import { parseProtectedPrincipals } from '../../../lambdas/shared/protection';
import { ACCOUNT_ID, awsError, healthEvent, KEY_ID, OTHER_KEY_ID, readEvent } from '../helpers';
import {
  cloudTrailQuarantineEvent,
  deps,
  executionArn,
  iam,
  NOW,
  published,
  resetAws,
  sfn,
  sns,
  startedExecutions,
  STATE_MACHINE_ARN,
  trustedAdvisorEvent,
} from './fixtures';

const noSuchKey = () => new NoSuchEntityException({ message: 'The Access Key with id cannot be found', $metadata: { httpStatusCode: 404 } });

beforeEach(() => resetAws());

describe('dispatch: the owner of a key is what IAM says', () => {
  it('starts one execution for the Trusted Advisor sample, the owner confirmed by GetAccessKeyLastUsed', async () => {
    // Arrange
    const event = readEvent('trusted-advisor-exposed-access-keys-sample.json');
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: 'ACCESS_KEY_ID_HERE' }).resolves({ UserName: 'test-user' });

    // Act
    const result = await dispatch(event, deps({ accountId: '111222333444' }));

    // Assert
    const expected: Incident = {
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
    expect(startedExecutions()).toEqual([{ stateMachineArn: STATE_MACHINE_ARN, name: 'ACCESS_KEY_ID_HERE-20261120', incident: expected }]);
    expect(IncidentSchema.parse(expected)).toEqual(expected);
    expect(result).toEqual({
      started: [{ incidentId: 'ACCESS_KEY_ID_HERE-20261120', executionArn: executionArn('ACCESS_KEY_ID_HERE-20261120'), incident: expected }],
      duplicates: [],
      skipped: [],
      notified: [],
    });
    expect(sns).not.toHaveReceivedAnyCommand();
  });

  it('contains the real owner when Trusted Advisor names a user who does not own the key, and never touches that user', async () => {
    const event = trustedAdvisorEvent(KEY_ID, 'alice');
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY_ID }).resolves({ UserName: 'ci-deploy' });

    const result = await dispatch(event, deps());

    expect(startedExecutions().map((e) => e.incident)).toEqual([
      expect.objectContaining({ accessKeyId: KEY_ID, userName: 'ci-deploy', principalType: 'user', reportedUserName: 'alice' }),
    ]);
    const namedAlice = iam.calls().filter((c) => JSON.stringify(c.args[0].input).includes('alice'));
    expect(namedAlice).toEqual([]);
    expect(result.started).toHaveLength(1);
  });

  it('sets no reportedUserName when the named user is the owner, whatever the case of the name', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });

    await dispatch(trustedAdvisorEvent(KEY_ID, 'CI-Deploy'), deps());

    expect(startedExecutions()[0].incident).not.toHaveProperty('reportedUserName');
    expect(startedExecutions()[0].incident.userName).toBe('ci-deploy');
  });

  it('takes the owner from IAM, not from a newer Health event\'s eventMetadata.userName', async () => {
    const event = healthEvent({ eventMetadata: { publicKey: KEY_ID, userName: 'bob', exposedUrl: 'https://github.com/acme/app' } });
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });

    await dispatch(event, deps());

    expect(startedExecutions().map((e) => e.incident)).toEqual([
      expect.objectContaining({ userName: 'ci-deploy', reportedUserName: 'bob', source: 'health', leakLocation: 'https://github.com/acme/app' }),
    ]);
  });

  it('ignores a user ARN of another account among the Health entities and contains the key\'s owner', async () => {
    const event = healthEvent({ affectedEntities: [{ entityValue: 'arn:aws:iam::999988887777:user/mallory' }, { entityValue: KEY_ID }] });
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });

    await dispatch(event, deps());

    expect(startedExecutions().map((e) => e.incident)).toEqual([expect.not.objectContaining({ reportedUserName: expect.anything() })]);
    expect(startedExecutions()[0].incident.userName).toBe('ci-deploy');
  });

  it('looks up the owner of each key when a Health event names two keys', async () => {
    const event = healthEvent({ eventMetadata: { publicKey: KEY_ID, userName: 'ci-deploy' }, affectedEntities: [{ entityValue: OTHER_KEY_ID }] });
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY_ID }).resolves({ UserName: 'ci-deploy' });
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: OTHER_KEY_ID }).resolves({ UserName: 'reporting' });

    await dispatch(event, deps());

    expect(startedExecutions().map((e) => [e.name, e.incident.userName, e.incident.reportedUserName])).toEqual([
      [`${KEY_ID}-20261120`, 'ci-deploy', undefined],
      [`${OTHER_KEY_ID}-20261120`, 'reporting', undefined],
    ]);
  });

  it('marks an owner on the protected list as a protected principal, regardless of case', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'Break-Glass' });

    await dispatch(trustedAdvisorEvent(KEY_ID, 'Break-Glass'), deps({ protection: parseProtectedPrincipals(['break-glass', '/breakglass/*']) }));

    expect(startedExecutions()[0].incident).toMatchObject({ userName: 'Break-Glass', protectedPrincipal: true });
  });

  it.each(['root', '<root_account>', '<root>'])('keeps Trusted Advisor\'s root name %j working when IAM knows no user of the key', async (userName) => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(noSuchKey());

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, userName), deps({ protection: parseProtectedPrincipals(['root']) }));

    expect(startedExecutions()[0].incident).toMatchObject({ userName: 'root', principalType: 'root', protectedPrincipal: false });
    expect(startedExecutions()[0].incident).not.toHaveProperty('reportedUserName');
    expect(result.notified).toEqual([]);
  });

  it('treats a key IAM says is the root user\'s as root, whatever the event named', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'root' });

    await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), deps());

    expect(startedExecutions()[0].incident).toMatchObject({ userName: 'root', principalType: 'root', reportedUserName: 'ci-deploy' });
  });

  it('contains the IAM owner when Trusted Advisor says root but IAM names a user', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });

    await dispatch(trustedAdvisorEvent(KEY_ID, '<root_account>'), deps());

    expect(startedExecutions()[0].incident).toMatchObject({ userName: 'ci-deploy', principalType: 'user', reportedUserName: '<root_account>' });
  });

  it('turns throttling of the owner lookup into TransientAwsError and starts nothing', async () => {
    const throttling = awsError('Throttling', 'Rate exceeded');
    iam.on(GetAccessKeyLastUsedCommand).rejects(throttling);

    const run = dispatch(trustedAdvisorEvent(), deps());

    await expect(run).rejects.toBeInstanceOf(TransientAwsError);
    await expect(run).rejects.toMatchObject({ cause: throttling });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});

describe('dispatch: CloudTrail quarantine of one user', () => {
  it('starts one execution per active key of the quarantined user and ignores inactive keys', async () => {
    iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({
      AccessKeyMetadata: [
        { UserName: 'ci-deploy', AccessKeyId: KEY_ID, Status: 'Active' },
        { UserName: 'ci-deploy', AccessKeyId: OTHER_KEY_ID, Status: 'Inactive' },
      ],
    });

    await dispatch(cloudTrailQuarantineEvent('ci-deploy'), deps());

    expect(startedExecutions().map((e) => e.incident)).toEqual([
      expect.objectContaining({
        accessKeyId: KEY_ID,
        userName: 'ci-deploy',
        source: 'quarantine-policy',
        detectedAt: '2023-11-21T23:23:52Z',
        detail: 'CloudTrail AttachUserPolicy arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2 on user ci-deploy',
      }),
    ]);
  });
});

describe('dispatch: starting executions', () => {
  beforeEach(() => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });
  });

  it('counts an execution that already exists as a duplicate, without failing', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: { httpStatusCode: 400 } }));

    const result = await dispatch(trustedAdvisorEvent(), deps());

    expect(result.started).toEqual([]);
    expect(result.duplicates).toEqual([{ incidentId: `${KEY_ID}-20261120`, incident: expect.objectContaining({ accessKeyId: KEY_ID }) }]);
  });

  it('turns throttling of StartExecution into TransientAwsError keeping the cause', async () => {
    const throttling = awsError('ThrottlingException', 'Rate exceeded');
    sfn.on(StartExecutionCommand).rejects(throttling);

    const run = dispatch(trustedAdvisorEvent(), deps());

    await expect(run).rejects.toThrow(`StartExecution ${KEY_ID}-20261120: ThrottlingException: Rate exceeded`);
    await expect(run).rejects.toMatchObject({ name: 'TransientAwsError', cause: throttling });
  });

  it('throws InvalidIncidentError for an event it cannot parse, and neither reads IAM nor starts anything', async () => {
    const event = readEvent('support-case-update-create.json');
    event.account = ACCOUNT_ID;

    await expect(dispatch(event, deps())).rejects.toBeInstanceOf(InvalidIncidentError);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('gives the same key reported by Health, Trusted Advisor and CloudTrail on one day one execution name', async () => {
    const names = new Set<string>();
    sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
      if (names.has(input.name ?? '')) throw new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: { httpStatusCode: 400 } });
      names.add(input.name ?? '');
      return { executionArn: executionArn(input.name ?? ''), startDate: NOW };
    });
    iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] });

    const first = await dispatch(cloudTrailQuarantineEvent('ci-deploy'), deps({}, new Date('2026-11-20T00:01:07Z')));
    const second = await dispatch(healthEvent({ affectedEntities: [{ entityValue: KEY_ID }] }), deps({}, new Date('2026-11-20T00:05:00Z')));
    const third = await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), deps({}, new Date('2026-11-20T23:59:59Z')));

    expect(first.started.map((s) => s.incidentId)).toEqual([`${KEY_ID}-20261120`]);
    expect(second.duplicates.map((s) => s.incidentId)).toEqual([`${KEY_ID}-20261120`]);
    expect(third.duplicates.map((s) => s.incidentId)).toEqual([`${KEY_ID}-20261120`]);
  });

  it('puts a manual report\'s reason in reporterNote, not in detail', async () => {
    const event = { version: '0', id: 'x', 'detail-type': 'Exposed Access Key Reported', source: 'exposed-key-responder', account: ACCOUNT_ID, time: '2026-11-20T09:00:00Z', region: 'us-east-1', resources: [], detail: { accessKeyId: KEY_ID, reason: 'found in a pastebin <script>' } };

    await dispatch(event, deps());

    expect(startedExecutions()[0].incident).toMatchObject({ source: 'manual', detail: 'Reported by hand', reporterNote: 'found in a pastebin <script>' });
    expect(published()).toEqual([]);
  });
});
