import type * as Ec2Module from '@aws-sdk/client-ec2';
import type * as IamModule from '@aws-sdk/client-iam';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { Foothold, Footholds, Proof } from '../../../lambdas/footholds/contract';
import type * as FootholdsHandlerModule from '../../../lambdas/footholds/index';
import { ACCOUNT_ID, anIncident, KEY_ID, loadIsolated, restoreEnv, REVOKE_BEFORE } from '../helpers';

const QUARANTINE_POLICY_ARN = 'arn:aws:iam::123456789012:policy/exposed-key-responder/ExposedKeyResponder-Quarantine';
const ENV = { DRY_RUN: 'false', QUARANTINE_POLICY_ARN, STOP_LAUNCHED_INSTANCES: 'false', PROTECTED_USERS: 'break-glass', PROTECTED_ROLES: 'OrgAdmin,/breakglass/*' };

interface Loaded {
  handler: typeof FootholdsHandlerModule.handler;
  createHandler: typeof FootholdsHandlerModule.createHandler;
  iamSdk: typeof IamModule;
  ec2Sdk: typeof Ec2Module;
  iam: AwsClientStub<IamModule.IAMClient>;
  ec2: AwsClientStub<Ec2Module.EC2Client>;
}

/** Imports the handler afresh (it reads its environment at load), with the clients of that load mocked. */
function loadHandler(env: Record<string, string | undefined>): Loaded {
  return loadIsolated(env, (): Loaded => {
    const iamSdk = require('@aws-sdk/client-iam') as typeof IamModule;
    const ec2Sdk = require('@aws-sdk/client-ec2') as typeof Ec2Module;
    const iam = mockClient(iamSdk.IAMClient);
    const ec2 = mockClient(ec2Sdk.EC2Client);
    const { handler, createHandler } = require('../../../lambdas/footholds/index') as typeof FootholdsHandlerModule;
    return { handler, createHandler, iamSdk, ec2Sdk, iam, ec2 };
  });
}

const proof = (eventId: string, eventName: string): Proof => ({
  eventId, eventTime: '2026-11-20T09:30:00.000Z', eventName, region: 'us-east-1', sourceIp: '203.0.113.7', callerKeyId: KEY_ID,
});

function found(...footholds: Foothold[]): Footholds {
  return { footholds, sessions: [], records: { read: footholds.length, unreadable: 0, tied: footholds.length }, truncated: [], gaps: [] };
}

const backdoorKey: Foothold = { kind: 'access-key', userName: 'support-admin', accessKeyId: 'AKIA3BACKDOORKEY0001', proof: proof('e1', 'CreateAccessKey') };
const breakglassRole: Foothold = {
  kind: 'assumed-role', roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/breakglass/ops`, roleName: 'ops', path: '/breakglass/', proof: proof('e2', 'AssumeRole'),
};
const miner: Foothold = { kind: 'instance', region: 'eu-west-1', instanceId: 'i-0miner', instanceType: 'p3.16xlarge', via: 'RunInstances', proof: proof('e3', 'RunInstances') };

afterEach(() => {
  restoreEnv();
});

describe('footholds handler: configuration', () => {
  it.each(['DRY_RUN', 'QUARANTINE_POLICY_ARN', 'STOP_LAUNCHED_INSTANCES', 'PROTECTED_USERS', 'PROTECTED_ROLES'])('fails at load when %s is missing', (name) => {
    expect(() => loadHandler({ ...ENV, [name]: undefined })).toThrow(`environment variable ${name} is required`);
  });

  it('accepts empty protected lists (only tagged principals are protected)', () => {
    expect(() => loadHandler({ ...ENV, PROTECTED_USERS: '', PROTECTED_ROLES: '' })).not.toThrow();
  });

  it('fails at load on a protected role entry that is neither a role name nor a /path/* prefix', () => {
    expect(() => loadHandler({ ...ENV, PROTECTED_ROLES: 'ok-role,/admins/' })).toThrow(
      'protected principal "/admins/" is neither an IAM role name nor an IAM path prefix written /path/*',
    );
  });

  it('fails at load when STOP_LAUNCHED_INSTANCES is neither true nor false', () => {
    expect(() => loadHandler({ ...ENV, STOP_LAUNCHED_INSTANCES: 'yes' })).toThrow('environment variable STOP_LAUNCHED_INSTANCES must be true or false, got "yes"');
  });
});

describe('footholds handler: invocation', () => {
  it('sets the access key the leaked key created Inactive and says how to undo it', async () => {
    const { handler, iamSdk, iam } = loadHandler(ENV);
    let status = 'Active';
    iam.on(iamSdk.GetUserCommand).resolves({ User: { UserName: 'support-admin', Path: '/', UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(0) } });
    iam.on(iamSdk.ListAccessKeysCommand).callsFake(() => ({ AccessKeyMetadata: [{ UserName: 'support-admin', AccessKeyId: 'AKIA3BACKDOORKEY0001', Status: status }] }));
    iam.on(iamSdk.UpdateAccessKeyCommand).callsFake((input: { Status: string }) => {
      status = input.Status;
      return {};
    });

    const out = await handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE, footholds: found(backdoorKey) });

    expect(status).toBe('Inactive');
    expect(out.results).toEqual([
      expect.objectContaining({
        id: 'deactivate-key support-admin AKIA3BACKDOORKEY0001',
        status: 'done',
        undo: 'aws iam update-access-key --user-name support-admin --access-key-id AKIA3BACKDOORKEY0001 --status Active',
      }),
    ]);
    expect(out.summary).toEqual({ contained: true, containedCount: 1, open: [] });
  });

  it('never revokes the sessions of a role under a PROTECTED_ROLES path, as IAM says its path is', async () => {
    const { handler, iamSdk, iam } = loadHandler(ENV);
    iam.on(iamSdk.GetRoleCommand).resolves({ Role: { RoleName: 'ops', Path: '/breakglass/', RoleId: 'AROA', Arn: breakglassRole.kind === 'assumed-role' ? breakglassRole.roleArn : '', CreateDate: new Date(0) } });

    const out = await handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE, footholds: found(breakglassRole) });

    expect(out.results).toEqual([
      expect.objectContaining({
        action: 'revoke-role-sessions',
        status: 'skipped',
        detail: 'role ops is protected (role ops has path /breakglass/, protected by the entry "/breakglass/*"): nothing was changed, a human must decide',
      }),
    ]);
    expect(iam).not.toHaveReceivedCommand(iamSdk.PutRolePolicyCommand);
    expect(out.summary.contained).toBe(false);
  });

  it('stops an instance the key launched, in its own region, only when STOP_LAUNCHED_INSTANCES is true', async () => {
    const on = loadHandler({ ...ENV, STOP_LAUNCHED_INSTANCES: 'true' });
    on.ec2.on(on.ec2Sdk.StopInstancesCommand).resolves({ StoppingInstances: [{ InstanceId: 'i-0miner', PreviousState: { Name: 'running' }, CurrentState: { Name: 'stopping' } }] });

    const stopped = await on.handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE, footholds: found(miner) });

    expect(on.ec2).toHaveReceivedCommandWith(on.ec2Sdk.StopInstancesCommand, { InstanceIds: ['i-0miner'] });
    expect(await on.ec2.commandCalls(on.ec2Sdk.StopInstancesCommand)[0].thisValue.config.region()).toBe('eu-west-1');
    expect(stopped.results[0]).toMatchObject({ action: 'stop-instance', status: 'done' });

    restoreEnv();
    const off = loadHandler(ENV);
    const reported = await off.handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE, footholds: found(miner) });

    expect(off.ec2).not.toHaveReceivedAnyCommand();
    expect(reported.results[0]).toMatchObject({ action: 'action-required', status: 'open', command: 'aws ec2 stop-instances --region eu-west-1 --instance-ids i-0miner' });
  });

  it('changes nothing when DRY_RUN is true', async () => {
    const { handler, iam } = loadHandler({ ...ENV, DRY_RUN: 'true' });

    const out = await handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE, footholds: found(backdoorKey) });

    expect(out.results[0]).toMatchObject({ status: 'dry-run', detail: 'would set access key AKIA3BACKDOORKEY0001 of user support-admin Inactive' });
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('keeps its result under 50 KB for the workflow state, failed and open results first, and says what it left out', async () => {
    const { handler } = loadHandler({ ...ENV, DRY_RUN: 'true' });
    const users: Foothold[] = Array.from({ length: 300 }, (_, i) => ({ kind: 'user', userName: `backdoor-${i}`, proof: proof(`u${i}`, 'CreateUser') }));

    const out = await handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE, footholds: found(...users, miner) });

    expect(JSON.stringify(out).length).toBeLessThanOrEqual(50_000);
    // The instance, planned last, is kept: open results before dry-run ones.
    expect(out.results.filter((r) => r.status === 'open')).toEqual([expect.objectContaining({ action: 'action-required', id: 'action-required eu-west-1 i-0miner' })]);
    const listed = out.results.length;
    expect(out.truncated).toBe(`${1201 - listed} of 1201 results are not listed, to keep the workflow state small (${1201 - listed} dry-run); the summary counts them`);
    expect(out.summary.contained).toBe(false);
  });

  it('rejects input without footholds with InvalidIncidentError and calls nothing', async () => {
    const { handler, iam } = loadHandler(ENV);

    const result = handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringMatching(/^footholds: input does not fit: footholds: /) });
    expect(iam).not.toHaveReceivedAnyCommand();
  });
});
