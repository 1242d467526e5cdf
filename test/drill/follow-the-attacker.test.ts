// Investigate then footholds, the real handlers against the simulated account, with the footholds
// step's input exactly as the workflow will build it ({incident, revokeBefore, footholds: the
// investigation's footholds}): the two handlers alone, as the workflow runs them in turn (test/workflow/footholds*.test.ts runs the ASL).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { connectToSimulatedAccount } from '../../drill/aws-mocks';
import { shiftTimes } from '../../drill/cli';
import { ScenarioInput } from '../../drill/scenario';
import { DRILL_TIME_SCALE, SimulatedAccount } from '../../drill/simulated-account';
import { Investigation } from '../../lambdas/investigate/contract';
import { createHandler as createInvestigate } from '../../lambdas/investigate/handler';
import { Incident } from '../../lambdas/shared/incident';
import { BUCKET, followIncident, quarantineArn } from './follow';

const ACCOUNT = '111122223333';
const KEY = 'AKIA3EXPOSEDCIKEY001';
const QUARANTINE = quarantineArn(ACCOUNT);
const BUILTIN = path.join(__dirname, '..', '..', 'drill', 'scenarios', 'builtin.json');
/** The built-in scenario's times are moved so that its last event is a few minutes ago. */
const SHIFT = Date.now() - Date.parse('2026-11-23T10:05:00Z');

function incident(): Incident {
  const now = new Date().toISOString();
  return {
    incidentId: `${KEY}-20261123`, source: 'trusted-advisor', accountId: ACCOUNT, accessKeyId: KEY, userName: 'ci-deploy',
    principalType: 'user', protectedPrincipal: false, detectedAt: now, dispatchedAt: now, detail: 'Trusted Advisor "Exposed Access Keys"',
  };
}

/** Runs the two steps against `scenario` for the built-in incident; returns the account and both outputs. */
function follow(scenario: ScenarioInput, env: Record<string, string> = {}) {
  return followIncident(scenario, incident(), env);
}

const userOf = (view: ReturnType<SimulatedAccount['view']>, name: string) => view.users.find((u) => u.userName === name)!;

describe('following the attacker of the built-in drill', () => {
  it('contains the backdoor user and its key, reports the miner, and leaves everyone else alone', async () => {
    const { view, investigation, contained, account, attempts } = await follow(shiftTimes(JSON.parse(readFileSync(BUILTIN, 'utf8')), SHIFT));

    // The scenario's throttled UpdateAccessKey fails the first attempt; the retry finishes, writing nothing twice.
    expect(attempts).toBe(2);
    expect(contained.results.find((r) => r.id === 'revoke-user-sessions support-admin')).toMatchObject({ status: 'already' });

    const backdoor = userOf(view, 'support-admin');
    expect(backdoor.accessKeys).toEqual([expect.objectContaining({ accessKeyId: 'AKIA3BACKDOORKEY0001', status: 'Inactive' })]);
    expect(backdoor.attachedPolicyArns).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess', QUARANTINE]);
    expect(Object.keys(backdoor.inlinePolicies)).toEqual(['ExposedKeyResponder-RevokeOlderSessions']);
    expect(userOf(view, 'alice').accessKeys).toEqual([expect.objectContaining({ status: 'Active' })]);
    expect(userOf(view, 'ci-deploy').accessKeys.map((k) => k.status)).toEqual(['Active', 'Active']); // contain's job, not this step's
    expect(contained.results.find((r) => r.action === 'action-required')).toMatchObject({ status: 'open', command: expect.stringContaining('aws ec2 stop-instances --region eu-west-1 --instance-ids i-0miner') });
    expect(contained.summary.contained).toBe(false); // the miner is still running: a human must decide
    expect(account.objects.has(`${BUCKET}/incidents/${KEY}-20261123/footholds.json`)).toBe(true);
    expect(investigation.footholds!.object).toBe(`s3://${BUCKET}/incidents/${KEY}-20261123/footholds.json`);
  });
});

describe('following a role session the key obtained', () => {
  const SESSION = 'ASIA3ROLESESSION0001';
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  const scenario: ScenarioInput = {
    accountId: ACCOUNT,
    users: [
      { userName: 'ci-deploy', accessKeys: [{ accessKeyId: KEY }] },
      { userName: 'shadow', accessKeys: [{ accessKeyId: 'AKIA3SHADOWKEY000001' }] },
      { userName: 'innocent', accessKeys: [{ accessKeyId: 'AKIA3INNOCENTKEY0001' }] },
    ],
    roles: [{ roleName: 'deploy', path: '/ci/' }, { roleName: 'AWSServiceRoleForSupport', path: '/aws-service-role/support.amazonaws.com/' }],
    cloudTrail: [
      {
        eventTime: ago(30), eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', accessKeyId: KEY, userName: 'ci-deploy',
        requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy`, roleSessionName: 'x' },
        responseElements: { credentials: { accessKeyId: SESSION } },
      },
      {
        eventTime: ago(29), eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey',
        userIdentity: { type: 'AssumedRole', accessKeyId: SESSION, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/x`, sessionContext: { sessionIssuer: { type: 'Role', userName: 'deploy' } } },
        requestParameters: { userName: 'shadow' }, responseElements: { accessKey: { userName: 'shadow', accessKeyId: 'AKIA3SHADOWKEY000001' } },
      },
      // Someone else, in the same minutes: never a foothold.
      {
        eventTime: ago(28), eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', accessKeyId: 'AKIA3ALICEKEY0000001', userName: 'alice',
        requestParameters: { userName: 'innocent' }, responseElements: { accessKey: { userName: 'innocent', accessKeyId: 'AKIA3INNOCENTKEY0001' } },
      },
      {
        eventTime: ago(27), eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', accessKeyId: 'AKIA3ALICEKEY0000001', userName: 'alice',
        requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport` },
        responseElements: { credentials: { accessKeyId: 'ASIA3ALICESESSION001' } },
      },
    ],
  };

  it('finds what the session did by its key id, deactivates the key it made and revokes the role\'s sessions', async () => {
    const { view, contained } = await follow(scenario);

    expect(userOf(view, 'shadow').accessKeys).toEqual([expect.objectContaining({ status: 'Inactive' })]);
    expect(userOf(view, 'innocent').accessKeys).toEqual([expect.objectContaining({ status: 'Active' })]);
    const deploy = view.roles.find((r) => r.roleName === 'deploy')!;
    expect(Object.keys(deploy.inlinePolicies)).toEqual(['AWSRevokeOlderSessions']);
    expect(view.roles.find((r) => r.roleName === 'AWSServiceRoleForSupport')!.inlinePolicies).toEqual({});
    expect(contained.results.map((r) => [r.id, r.status])).toEqual([
      ['deactivate-key shadow AKIA3SHADOWKEY000001', 'done'],
      ['revoke-role-sessions deploy', 'done'],
    ]);
    expect(contained.summary).toEqual({ contained: true, containedCount: 2, open: [] });
  });

  it('never revokes a protected role\'s sessions, and changes nothing in a dry run', async () => {
    const protectedRun = await follow(scenario, { PROTECTED_ROLES: '/ci/*' });
    expect(protectedRun.view.roles.find((r) => r.roleName === 'deploy')!.inlinePolicies).toEqual({});
    expect(protectedRun.contained.results.find((r) => r.action === 'revoke-role-sessions')).toMatchObject({ status: 'skipped' });

    const dry = await follow(scenario, { DRY_RUN: 'true' });
    expect(userOf(dry.view, 'shadow').accessKeys).toEqual([expect.objectContaining({ status: 'Active' })]);
    expect(dry.contained.results.map((r) => r.status)).toEqual(['dry-run', 'dry-run']);
  });
});

describe('the second look against the simulated account', () => {
  it('finds a key the attacker created used after containment, in CloudTrail\'s window since the first pass', async () => {
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const scenario: ScenarioInput = {
      accountId: ACCOUNT,
      users: [{ userName: 'ci-deploy', accessKeys: [{ accessKeyId: KEY }] }, { userName: 'support-admin', accessKeys: [{ accessKeyId: 'AKIA3BACKDOORKEY0001' }] }],
      cloudTrail: [
        {
          eventTime: ago(30), eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', accessKeyId: KEY, userName: 'ci-deploy',
          requestParameters: { userName: 'support-admin' }, responseElements: { accessKey: { userName: 'support-admin', accessKeyId: 'AKIA3BACKDOORKEY0001' } },
        },
        { eventTime: ago(2), eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', accessKeyId: 'AKIA3BACKDOORKEY0001', userName: 'support-admin' },
      ],
    };
    const { investigation, account } = await follow(scenario);
    const disconnect = connectToSimulatedAccount(account);
    try {
      const env = { DRY_RUN: 'false', INCIDENT_BUCKET: BUCKET, LOOKBACK_DAYS: '14' };
      const investigate = createInvestigate(env, { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / DRILL_TIME_SCALE)) });

      const again: Investigation = await investigate({
        incident: incident(), revokeBefore: ago(12),
        secondLook: { since: investigation.lookback.to, containedAt: ago(10), first: investigation.footholds! },
      });

      expect(again.afterContainment).toMatchObject({ held: false, usedCount: 1, used: [{ eventName: 'ListBuckets', by: 'access key AKIA3BACKDOORKEY0001 it created for user support-admin' }] });
      expect(again.footholds!.footholds).toEqual([]); // the key it created is the first pass's foothold
      expect(account.objects.has(`${BUCKET}/incidents/${KEY}-20261123/second-look-activity.jsonl`)).toBe(true);
    } finally {
      disconnect();
    }
  });
});
