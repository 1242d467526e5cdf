// Whom the dispatcher contains and whom it spares: each decision with the case next to it that must
// go the other way (a user beside a protected one, a look-alike policy, other partitions, ARNs with
// paths, failures that are not NoSuchEntity), and the log lines that record the decisions.
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetAccessKeyLastUsedCommand, GetAccountAuthorizationDetailsCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import 'aws-sdk-client-mock-jest';
import { dispatch } from '../../../lambdas/dispatcher/dispatch';
import { quarantinedUsers } from '../../../lambdas/dispatcher/owners';
import { quarantinedUserOf } from '../../../lambdas/dispatcher/recent-quarantines';
import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { parseProtectedPrincipals } from '../../../lambdas/shared/protection';
import { ACCOUNT_ID, awsError, healthEvent, KEY_ID, OTHER_KEY_ID } from '../helpers';
import { cloudtrail, cloudTrailQuarantineEvent, deps, executionArn, iam, iamQuarantineEvent, lookupEntry, resetAws, sfn, startedExecutions, trustedAdvisorEvent } from './fixtures';

beforeEach(() => resetAws());

describe('whom the protected list spares', () => {
  it('marks only the protected owner protected when a user who is not on the list is reported beside it', async () => {
    const event = healthEvent({ affectedEntities: [{ entityValue: KEY_ID }, { entityValue: OTHER_KEY_ID }] });
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY_ID }).resolves({ UserName: 'break-glass' });
    iam.on(GetAccessKeyLastUsedCommand, { AccessKeyId: OTHER_KEY_ID }).resolves({ UserName: 'ci-deploy' });

    await dispatch(event, deps({ protection: parseProtectedPrincipals(['break-glass', '/breakglass/*']) }));

    expect(startedExecutions().map((e) => [e.incident.userName, e.incident.protectedPrincipal])).toEqual([
      ['break-glass', true],
      ['ci-deploy', false],
    ]);
  });

  it('never marks the root user protected, even with "root" on the list: the workflow changes nothing of it anyway', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'root' });

    await dispatch(trustedAdvisorEvent(KEY_ID, 'root'), deps({ protection: parseProtectedPrincipals(['root']) }));

    expect(startedExecutions()[0].incident).toMatchObject({ userName: 'root', principalType: 'root', protectedPrincipal: false });
  });
});

describe('which user an event names (a hint: IAM decides the owner)', () => {
  it.each([
    ['aws', 'arn:aws:iam::123456789012:user/alice'],
    ['aws, with a path', 'arn:aws:iam::123456789012:user/division/team/alice'],
    ['aws-us-gov', 'arn:aws-us-gov:iam::123456789012:user/alice'],
    ['aws-cn, with a path', 'arn:aws-cn:iam::123456789012:user/ops/alice'],
  ])('reads the user name alice from a user ARN of this account (%s)', async (_partition, arn) => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });

    await dispatch(healthEvent({ affectedEntities: [{ entityValue: arn }, { entityValue: KEY_ID }] }), deps());

    expect(startedExecutions().map((e) => [e.incident.userName, e.incident.reportedUserName])).toEqual([['ci-deploy', 'alice']]);
  });

  it.each([
    ['another account', 'arn:aws:iam::999988887777:user/alice'],
    ['another account, in aws-us-gov', 'arn:aws-us-gov:iam::999988887777:user/ops/alice'],
  ])('takes no user name from a user ARN of %s', async (_what, arn) => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });

    await dispatch(healthEvent({ affectedEntities: [{ entityValue: arn }, { entityValue: KEY_ID }] }), deps());

    expect(startedExecutions().map((e) => [e.incident.userName, e.incident.reportedUserName])).toEqual([['ci-deploy', undefined]]);
  });
});

describe('which quarantine policy makes a user quarantined', () => {
  it.each([
    ['aws', 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2'],
    ['aws-us-gov', 'arn:aws-us-gov:iam::aws:policy/AWSCompromisedKeyQuarantineV3'],
    ['aws-cn', 'arn:aws-cn:iam::aws:policy/AWSCompromisedKeyQuarantine'],
  ])('contains the user of a CloudTrail attach of AWS\'s quarantine policy in %s', async (_partition, policyArn) => {
    const event = cloudTrailQuarantineEvent('ci-deploy');
    event.detail.requestParameters.policyArn = policyArn;
    iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] });

    await dispatch(event, deps());

    expect(startedExecutions().map((e) => [e.incident.userName, e.incident.accessKeyId])).toEqual([['ci-deploy', KEY_ID]]);
  });

  it.each([
    ['a customer policy named like AWS\'s', `arn:aws:iam::${ACCOUNT_ID}:policy/AWSCompromisedKeyQuarantineV2`],
    ['an AWS policy of another name', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
    ['AWS\'s name under a path', 'arn:aws:iam::aws:policy/team/AWSCompromisedKeyQuarantineV2'],
  ])('refuses a CloudTrail attach of %s, reading nothing in IAM', async (_what, policyArn) => {
    const event = cloudTrailQuarantineEvent('ci-deploy');
    event.detail.requestParameters.policyArn = policyArn;

    await expect(dispatch(event, deps())).rejects.toThrow(new InvalidIncidentError('CloudTrail AttachUserPolicy does not put an AWS quarantine policy on the user'));
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('reads a CloudTrail record of another partition as a quarantine, and a look-alike inline name as none', () => {
    const record = (requestParameters: Record<string, unknown>, eventName = 'AttachUserPolicy') => ({
      eventSource: 'iam.amazonaws.com', eventName, recipientAccountId: ACCOUNT_ID, requestParameters,
    });

    expect(quarantinedUserOf(record({ userName: 'alice', policyArn: 'arn:aws-us-gov:iam::aws:policy/AWSCompromisedKeyQuarantineV3' }), ACCOUNT_ID)).toBe('alice');
    expect(quarantinedUserOf(record({ userName: 'carol', policyName: 'AWSExposedCredentialPolicy_DO_NOT_REMOVE' }, 'PutUserPolicy'), ACCOUNT_ID)).toBe('carol');
    expect(quarantinedUserOf(record({ userName: 'erin', policyName: 'AWSExposedCredentialPolicy_DO_NOT_REMOVE_v2' }, 'PutUserPolicy'), ACCOUNT_ID)).toBeUndefined();
    expect(quarantinedUserOf(record({ userName: 'erin', policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' }, 'PutUserPolicy'), ACCOUNT_ID)).toBeUndefined();
    expect(quarantinedUserOf(record({ userName: 'erin', policyName: 'AWSExposedCredentialPolicy_DO_NOT_REMOVE' }, 'DetachUserPolicy'), ACCOUNT_ID)).toBeUndefined();
    expect(quarantinedUserOf({ ...record({ userName: 'erin', policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' }), eventSource: 'sts.amazonaws.com' }, ACCOUNT_ID)).toBeUndefined();
    expect(quarantinedUserOf(record({ userName: 'not a name!', policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' }), ACCOUNT_ID)).toBeUndefined();
    expect(quarantinedUserOf(record({ userName: 42, policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' }), ACCOUNT_ID)).toBeUndefined();
    expect(quarantinedUserOf(record({ userName: 'erin', policyArn: 42 }), ACCOUNT_ID)).toBeUndefined();
    expect(quarantinedUserOf({ ...record({ userName: 'alice', policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' }), recipientAccountId: undefined }, ACCOUNT_ID)).toBe('alice');
    expect(quarantinedUserOf(null, ACCOUNT_ID)).toBeUndefined();
    expect(quarantinedUserOf(undefined, ACCOUNT_ID)).toBeUndefined();
    expect(quarantinedUserOf('AttachUserPolicy', ACCOUNT_ID)).toBeUndefined();
    expect(quarantinedUserOf({ eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy' }, ACCOUNT_ID)).toBeUndefined();
  });

  it('counts a user as quarantined by AWS\'s managed policy in any partition, or by the legacy inline one, and no one else', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({
      UserDetailList: [
        { UserName: 'gov', AttachedManagedPolicies: [{ PolicyArn: 'arn:aws-us-gov:iam::aws:policy/AWSCompromisedKeyQuarantineV2' }] },
        { UserName: 'legacy', UserPolicyList: [{ PolicyName: 'AWSExposedCredentialPolicy_DO_NOT_REMOVE' }] },
        { UserName: 'look-alike', AttachedManagedPolicies: [{ PolicyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/AWSCompromisedKeyQuarantineV2` }] },
        { UserName: 'inline-other', UserPolicyList: [{ PolicyName: 'AWSExposedCredentialPolicy' }] },
        { UserName: 'no-arn', AttachedManagedPolicies: [{ PolicyName: 'AWSCompromisedKeyQuarantineV2' }] },
        { AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2' }] },
        { UserName: 'nothing' },
      ],
    });

    await expect(quarantinedUsers(deps().iam)).resolves.toEqual(['gov', 'legacy']);
  });

  it('turns a failure of GetAccountAuthorizationDetails into the error of its call', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(quarantinedUsers(deps().iam)).rejects.toMatchObject({ name: 'TransientAwsError', message: 'GetAccountAuthorizationDetails: Throttling: Rate exceeded' });
  });
});

describe('failures that are not NoSuchEntity', () => {
  it('never takes AccessDenied on ListAccessKeys for "the quarantined user does not exist": the error is thrown, nothing started or told', async () => {
    const denied = awsError('AccessDenied', 'not authorized to perform iam:ListAccessKeys', 403);
    iam.on(ListAccessKeysCommand).rejects(denied);

    await expect(dispatch(cloudTrailQuarantineEvent('ci-deploy'), deps())).rejects.toBe(denied);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('turns throttling of ListAccessKeys into TransientAwsError naming the user', async () => {
    iam.on(ListAccessKeysCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(dispatch(cloudTrailQuarantineEvent('ci-deploy'), deps())).rejects.toMatchObject({ name: 'TransientAwsError', message: 'ListAccessKeys ci-deploy: Throttling: Rate exceeded' });
  });

  it('throws an error of GetAccessKeyLastUsed that is neither NoSuchEntity nor AccessDenied, naming the key', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('ServiceFailure', 'internal error', 500));

    await expect(dispatch(trustedAdvisorEvent(), deps())).rejects.toMatchObject({ name: 'TransientAwsError', message: `GetAccessKeyLastUsed ${KEY_ID}: ServiceFailure: internal error` });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('contains nobody when IAM refuses the owner lookup and ListAccessKeys fails too', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'no', 403));
    iam.on(ListAccessKeysCommand).rejects(awsError('AccessDenied', 'no', 403));

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), deps());

    expect(startedExecutions()).toEqual([]);
    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason: 'access-denied' }]);
  });

  it('keeps STS\'s failure out of the decision: the key is reported, not contained, and the failure is logged', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'no', 403));
    const d = deps();
    d.keyAccount.mockRejectedValue(awsError('AccessDenied', 'not authorized to perform sts:GetAccessKeyInfo', 403));

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'root'), d);

    expect(startedExecutions()).toEqual([]);
    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason: 'access-denied' }]);
    expect(d.logger.warn).toHaveBeenCalledWith('sts:GetAccessKeyInfo failed', { accessKeyId: KEY_ID, error: { name: 'AccessDenied', message: 'not authorized to perform sts:GetAccessKeyInfo' } });
  });

  it.each([
    ['the stack\'s own account', ACCOUNT_ID, 'access-denied'],
    ['something that is not an account id', 'not-an-account', 'access-denied'],
    ['another account', '999988887777', 'other-account-key'],
  ])('reads a key STS places in %s after IAM refused as %s', async (_what, account, reason) => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'no', 403));
    const d = deps();
    d.keyAccount.mockResolvedValue(account);

    const result = await dispatch(trustedAdvisorEvent(KEY_ID, 'root'), d);

    expect(startedExecutions()).toEqual([]);
    expect(result.skipped).toEqual([{ about: `access key ${KEY_ID}`, reason }]);
  });
});

describe('the log lines that record the dispatcher\'s decisions', () => {
  it('logs each response started with its user and execution, and the event as dispatched', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });
    const d = deps();

    await dispatch(trustedAdvisorEvent(), d);

    expect(d.logger.info).toHaveBeenCalledWith('exposure reported', { source: 'trusted-advisor', eventCode: 'Exposed Access Keys', kind: 'keys', accessKeyIds: [KEY_ID], userName: 'ci-deploy' });
    expect(d.logger.info).toHaveBeenCalledWith('response started', { incidentId: `${KEY_ID}-20261120`, userName: 'ci-deploy', executionArn: executionArn(`${KEY_ID}-20261120`) });
    expect(d.logger.info).toHaveBeenCalledWith('event dispatched', { started: [`${KEY_ID}-20261120`], duplicates: [], notified: [] });
  });

  it('logs a duplicate report as such', async () => {
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: 'ci-deploy' });
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: { httpStatusCode: 400 } }));
    const d = deps();

    await dispatch(trustedAdvisorEvent(), d);

    expect(d.logger.info).toHaveBeenCalledWith('duplicate report: this key already has a response today', { incidentId: `${KEY_ID}-20261120`, source: 'trusted-advisor' });
    expect(d.logger.info).toHaveBeenCalledWith('event dispatched', { started: [], duplicates: [`${KEY_ID}-20261120`], notified: [] });
  });

  it('logs an event of another account as refused, and the people told', async () => {
    const event = trustedAdvisorEvent();
    event.account = '999988887777';
    const d = deps();

    await dispatch(event, d);

    expect(d.logger.warn).toHaveBeenCalledWith('event of another account refused', { eventAccount: '999988887777' });
    expect(d.logger.warn).toHaveBeenCalledWith('people told', {
      kind: 'refused',
      subject: '[REFUSED] exposed-key report for account 999988887777 refused by the responder of 123456789012',
      items: [],
      messageId: 'msg-1',
    });
  });

  it('logs the items people are told about, and the message among what the event led to', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('NoSuchEntity', 'no such key', 404));
    const d = deps();

    await dispatch(trustedAdvisorEvent(), d);

    expect(d.logger.warn).toHaveBeenCalledWith('people told', expect.objectContaining({ kind: 'unresolved', items: ['unknown-key'] }));
    expect(d.logger.info).toHaveBeenCalledWith('event dispatched', { started: [], duplicates: [], notified: ['unresolved'] });
  });

  it('logs the owner confirmed by ListAccessKeys after GetAccessKeyLastUsed was refused', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied', 'no', 403));
    iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] });
    const d = deps();

    await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), d);

    expect(startedExecutions().map((e) => e.incident.userName)).toEqual(['ci-deploy']);
    expect(d.logger.warn).toHaveBeenCalledWith('owner confirmed by ListAccessKeys after GetAccessKeyLastUsed failed', { accessKeyId: KEY_ID, userName: 'ci-deploy', error: 'AccessDenied' });
  });
});

describe('AWS_RISK_IAM_QUARANTINE: the users of the window', () => {
  it('contains a user quarantined in the window under another case of its name once, and does not name it as quarantined earlier', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    cloudtrail
      .on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AttachUserPolicy' }] })
      .resolves({ Events: [lookupEntry({ eventName: 'AttachUserPolicy', requestParameters: { userName: 'Alice', policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' } })] });
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({ UserDetailList: [{ UserName: 'alice', AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' }] }] });
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] });

    const result = await dispatch(iamQuarantineEvent(), deps());

    expect(startedExecutions().map((e) => e.incident.userName)).toEqual(['Alice']);
    expect(result.skipped).toEqual([]);
    expect(result.notified).toEqual([]);
  });
});
