// The account every investigate test starts from: mocked clients, one enabled region, a user that
// exists with no policies, an empty CloudTrail (FakeCloudTrail) and a bucket that accepts writes.
import { CloudTrailClient, ThrottlingException } from '@aws-sdk/client-cloudtrail';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  GetUserCommand,
  IAMClient,
  SimulateCustomPolicyCommand,
  SimulateCustomPolicyCommandInput,
  SimulatePrincipalPolicyCommand,
  SimulatePrincipalPolicyCommandInput,
} from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { investigate, InvestigateConfig, InvestigateDeps, Investigation } from '../../../lambdas/investigate/investigate';
import { Incident } from '../../../lambdas/shared/incident';
import { ACCOUNT_ID, anIncident, fakeLogger, KEY_ID } from '../helpers';
import { FakeCloudTrail } from './fake-cloudtrail';

export const cloudtrailStub = mockClient(CloudTrailClient);
export const ec2 = mockClient(EC2Client);
export const iam = mockClient(IAMClient);
export const s3 = mockClient(S3Client);

export const NOW = new Date('2026-11-20T10:05:00.000Z');
export const BUCKET = 'incident-bucket';
export const INCIDENT_ID = `${KEY_ID}-20261120`;
export const ACTIVITY_KEY = `incidents/${INCIDENT_ID}/activity.jsonl`;
export const FOOTHOLDS_KEY = `incidents/${INCIDENT_ID}/footholds.json`;
export const USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/ci/ci-deploy`;
export const SESSION_KEY = 'ASIAIOSFODNN7SESSION';

export type TestDeps = InvestigateDeps & { logger: ReturnType<typeof fakeLogger>; sleep: jest.Mock<Promise<void>, [number]> };

export function deps(config: Partial<InvestigateConfig> = {}): TestDeps {
  const clients = new Map<string, CloudTrailClient>();
  return {
    cloudtrail: (region) => {
      if (!clients.has(region)) clients.set(region, new CloudTrailClient({ region }));
      return clients.get(region)!;
    },
    ec2: new EC2Client({ region: 'us-east-1' }),
    iam: new IAMClient({}),
    s3: new S3Client({}),
    logger: fakeLogger(),
    config: { bucket: BUCKET, lookbackDays: 90, dryRun: false, ...config },
    now: () => NOW,
    sleep: jest.fn(async (_ms: number) => undefined),
  };
}

export function run(incident: Incident = anIncident(), d: TestDeps = deps()): Promise<Investigation> {
  return investigate(incident, d);
}

export function enabledRegions(...names: string[]): void {
  ec2.on(DescribeRegionsCommand).resolves({ Regions: names.map((RegionName) => ({ RegionName, OptInStatus: 'opt-in-not-required' })) });
}

/** Every action of the simulation answered `decision`, except those in `allowed`. */
export function simulationAnswer(allowed: readonly string[], decision = 'implicitDeny') {
  return (input: SimulatePrincipalPolicyCommandInput | SimulateCustomPolicyCommandInput) => ({
    EvaluationResults: (input.ActionNames ?? []).map((EvalActionName) => ({
      EvalActionName,
      EvalDecision: allowed.includes(EvalActionName) ? 'allowed' : decision,
    })),
    IsTruncated: false,
  });
}

export function throttling(): ThrottlingException {
  return new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
}

/** The activity object's lines, parsed. */
export function activityLines(): Array<Record<string, any>> {
  const put = s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === ACTIVITY_KEY)!.args[0].input;
  return String(put.Body)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Resets every mock to the quiet account; returns its CloudTrail (`clock` times its calls). */
export function resetAccount(clock?: () => number): FakeCloudTrail {
  cloudtrailStub.reset();
  ec2.reset();
  iam.reset();
  s3.reset();
  const trail = new FakeCloudTrail(cloudtrailStub, clock);
  enabledRegions('us-east-1');
  iam.onAnyCommand().resolves({});
  iam.on(GetUserCommand).resolves({
    User: { UserName: 'ci-deploy', UserId: 'AIDAEXAMPLE', Arn: USER_ARN, Path: '/ci/', CreateDate: new Date('2025-01-01') },
  });
  iam.on(SimulatePrincipalPolicyCommand).callsFake(simulationAnswer([]));
  iam.on(SimulateCustomPolicyCommand).callsFake(simulationAnswer([]));
  s3.on(PutObjectCommand).resolves({});
  return trail;
}

/** Lets every pending promise callback and timer-free continuation run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}
