// What the key can do: the user's policies and the simulations; the root user.
import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { HIGH_RISK_ACTIONS } from '../../../lambdas/investigate/investigate';
import { REVOKE_SESSIONS_POLICY_NAME } from '../../../lambdas/shared/policies';
import { ACCOUNT_ID, anIncident, awsError, KEY_ID } from '../helpers';
import { aRecord, FakeCloudTrail } from './fake-cloudtrail';
import {
  deps,
  iam,
  resetAccount,
  run,
  simulationAnswer,
  USER_ARN,
} from './harness';

let trail: FakeCloudTrail;

beforeEach(() => {
  trail = resetAccount();
});

describe('investigate: what the key can do', () => {
  const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
  const OURS = `arn:aws:iam::${ACCOUNT_ID}:policy/exposed-key-responder/ExposedKeyResponder-Quarantine-ABC`;
  const AWS_QUARANTINE = 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3';
  const S3_READ = `arn:aws:iam::${ACCOUNT_ID}:policy/s3-read`;
  const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

  function userWithPolicies(): void {
    iam.on(ListAttachedUserPoliciesCommand).resolvesOnce({
      AttachedPolicies: [{ PolicyName: 'ExposedKeyResponder-Quarantine-ABC', PolicyArn: OURS }, { PolicyName: 'AWSCompromisedKeyQuarantineV3', PolicyArn: AWS_QUARANTINE }],
      IsTruncated: true,
      Marker: 'm1',
    }).resolvesOnce({ AttachedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: ADMIN }], IsTruncated: false });
    iam.on(ListUserPoliciesCommand).resolves({ PolicyNames: [REVOKE_SESSIONS_POLICY_NAME, 'deploy-inline'], IsTruncated: false });
    iam.on(ListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'readers', GroupId: 'AGPA1', Arn: 'arn', Path: '/', CreateDate: new Date() }] });
    iam.on(ListAttachedGroupPoliciesCommand, { GroupName: 'readers' }).resolves({ AttachedPolicies: [{ PolicyName: 's3-read', PolicyArn: S3_READ }] });
    iam.on(ListGroupPoliciesCommand, { GroupName: 'readers' }).resolves({ PolicyNames: ['group-inline'] });
    iam.on(GetPolicyCommand).callsFake(({ PolicyArn }) => ({ Policy: { Arn: PolicyArn, DefaultVersionId: 'v3' } }));
    iam.on(GetPolicyVersionCommand, { PolicyArn: ADMIN }).resolves({ PolicyVersion: { Document: encodeURIComponent(doc('*')) } });
    iam.on(GetPolicyVersionCommand, { PolicyArn: S3_READ }).resolves({ PolicyVersion: { Document: encodeURIComponent(doc('s3:GetObject')) } });
    iam.on(GetUserPolicyCommand, { PolicyName: 'deploy-inline' }).resolves({ PolicyDocument: encodeURIComponent(doc('lambda:CreateFunction')) });
    iam.on(GetGroupPolicyCommand, { GroupName: 'readers', PolicyName: 'group-inline' }).resolves({ PolicyDocument: encodeURIComponent(doc('kms:Decrypt')) });
  }

  it('lists the user\'s attached, inline and group policies, every page', async () => {
    userWithPolicies();

    const result = await run();

    expect(result.reach).toMatchObject({
      attachedPolicies: [OURS, AWS_QUARANTINE, ADMIN],
      inlinePolicies: [REVOKE_SESSIONS_POLICY_NAME, 'deploy-inline'],
      groups: [{ groupName: 'readers', attachedPolicies: [S3_READ], inlinePolicies: ['group-inline'] }],
    });
    expect(iam.commandCalls(ListAttachedUserPoliciesCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, 'm1']);
  });

  it('simulates the high-risk actions on the user as it is now, by its real ARN', async () => {
    userWithPolicies();
    iam.on(SimulatePrincipalPolicyCommand).callsFake(simulationAnswer(['s3:GetObject'], 'explicitDeny'));

    const result = await run();

    expect(iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, { PolicySourceArn: USER_ARN, ActionNames: [...HIGH_RISK_ACTIONS] });
    expect(result.reach.allowedHighRisk).toEqual(['s3:GetObject']);
    expect(result.reach.deniedHighRisk).toEqual(HIGH_RISK_ACTIONS.filter((a) => a !== 's3:GetObject'));
  });

  it('simulates what the user\'s own policies allowed before containment, without ours or AWS\'s quarantine', async () => {
    userWithPolicies();
    iam.on(SimulateCustomPolicyCommand).callsFake(simulationAnswer(HIGH_RISK_ACTIONS));

    const result = await run();

    const input = iam.commandCalls(SimulateCustomPolicyCommand)[0].args[0].input;
    expect(input.PolicyInputList).toEqual([doc('*'), doc('s3:GetObject'), doc('lambda:CreateFunction'), doc('kms:Decrypt')]);
    expect(input.ActionNames).toEqual([...HIGH_RISK_ACTIONS]);
    expect(iam).not.toHaveReceivedCommandWith(GetPolicyCommand, { PolicyArn: OURS });
    expect(iam).not.toHaveReceivedCommandWith(GetPolicyCommand, { PolicyArn: AWS_QUARANTINE });
    expect(iam).not.toHaveReceivedCommandWith(GetUserPolicyCommand, { PolicyName: REVOKE_SESSIONS_POLICY_NAME });
    expect(result.reach.allowedBeforeContainment).toEqual([...HIGH_RISK_ACTIONS]);
  });

  it('keeps the user\'s permissions boundary in the simulation before containment', async () => {
    userWithPolicies();
    const BOUNDARY = `arn:aws:iam::${ACCOUNT_ID}:policy/boundary`;
    iam.on(GetUserCommand).resolves({ User: { UserName: 'ci-deploy', UserId: 'x', Arn: USER_ARN, Path: '/ci/', CreateDate: new Date(), PermissionsBoundary: { PermissionsBoundaryArn: BOUNDARY, PermissionsBoundaryType: 'PermissionsBoundaryPolicy' } } });
    iam.on(GetPolicyVersionCommand, { PolicyArn: BOUNDARY }).resolves({ PolicyVersion: { Document: encodeURIComponent(doc('s3:*')) } });

    await run();

    expect(iam).toHaveReceivedCommandWith(SimulateCustomPolicyCommand, { PermissionsBoundaryPolicyInputList: [doc('s3:*')] });
  });

  it('records a simulation it may not run and still reports the rest', async () => {
    userWithPolicies();
    iam.on(SimulatePrincipalPolicyCommand).rejects(awsError('AccessDenied', 'not authorized to perform: iam:SimulatePrincipalPolicy', 403));
    trail.add(aRecord());

    const result = await run();

    expect(result.failures).toEqual([{ what: 'iam:SimulatePrincipalPolicy', error: 'AccessDenied: not authorized to perform: iam:SimulatePrincipalPolicy' }]);
    expect(result.reach.allowedHighRisk).toEqual([]);
    expect(result.reach.attachedPolicies).toHaveLength(3);
    expect(result.eventCount).toBe(1);
  });

  it('gives no answer before containment, rather than a wrong one, when a policy document cannot be read', async () => {
    userWithPolicies();
    iam.on(GetUserPolicyCommand, { PolicyName: 'deploy-inline' }).rejects(awsError('AccessDenied', 'denied', 403));

    const result = await run();

    expect(result.reach).not.toHaveProperty('allowedBeforeContainment');
    expect(iam).not.toHaveReceivedCommand(SimulateCustomPolicyCommand);
    expect(result.failures).toEqual([{ what: 'iam:GetUserPolicy deploy-inline', error: 'AccessDenied: denied' }]);
  });

  it('backs off when IAM throttles and then answers', async () => {
    userWithPolicies();
    iam.on(SimulatePrincipalPolicyCommand).rejectsOnce(awsError('Throttling', 'Rate exceeded')).callsFake(simulationAnswer(['iam:CreateUser']));
    const d = deps();

    const result = await run(anIncident(), d);

    expect(d.sleep).toHaveBeenCalledWith(1000);
    expect(result.reach.allowedHighRisk).toEqual(['iam:CreateUser']);
    expect(result.failures).toEqual([]);
  });

  it('sends an IAM call that keeps being throttled 5 times in all, waiting 1, 2, 4 and 8 s, then reports it and the rest', async () => {
    userWithPolicies();
    iam.on(GetUserCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    const d = deps();

    const result = await run(anIncident(), d);

    expect(iam).toHaveReceivedCommandTimes(GetUserCommand, 5);
    expect(d.sleep.mock.calls.map(([ms]) => ms).filter((ms) => ms !== 1100 && ms !== 1050)).toEqual([1000, 2000, 4000, 8000]); // the others: LookupEvents pacing
    expect(result.failures).toEqual([
      { what: 'iam:GetUser', error: 'Throttling: Rate exceeded (gave up after 5 attempts)' },
      { what: 'iam:SimulateCustomPolicy', error: "the user's policies could not all be listed: what it could do before containment is unknown" },
    ]);
    expect(result.reach.attachedPolicies).toEqual([OURS, AWS_QUARANTINE, ADMIN]);
  });
});

describe('investigate: the root user', () => {
  it('searches by key id only and simulates nothing, saying why', async () => {
    trail.add(aRecord({ userName: 'root' }));

    const result = await run(anIncident({ userName: 'root', principalType: 'root' }));

    expect(trail.calls.map((c) => c.input.LookupAttributes)).toEqual([[{ AttributeKey: 'AccessKeyId', AttributeValue: KEY_ID }]]);
    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result.reach).toEqual({ attachedPolicies: [], inlinePolicies: [], groups: [], allowedHighRisk: [], deniedHighRisk: [] });
    expect(result.failures).toEqual([{ what: 'reach', error: expect.stringContaining('root user') }]);
    expect(result.eventCount).toBe(1);
  });
});
