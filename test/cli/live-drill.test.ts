import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { liveDrill, LiveDrillDeps } from '../../cli/live-drill';
import { Deployment } from '../../cli/stack';
import { resourceArns } from '../../drill/lambda-environments';
import { Drill } from '../../drill/run-drill';
import { synthesizedRules } from '../../drill/stack-rules';
import { RulePattern } from '../../drill/rules';
import { ACCOUNT, DEFAULT_CONFIG } from '../workflow/helpers';

// The live drill's logic against the simulated account: its report reaches the drill's report-bus
// rule and the real dispatcher, the workflow runs, and the canary is contained, restored, deleted.
let rules: RulePattern[];
beforeAll(() => {
  rules = synthesizedRules({ reporters: `arn:aws:iam::${ACCOUNT}:role/oncall` });
});

function deployment(): Deployment {
  const arns = resourceArns(ACCOUNT);
  return {
    stackName: 'ExposedKeyResponder', region: 'us-east-1', stackStatus: 'UPDATE_COMPLETE', stateMachineArn: arns.stateMachine, bucket: arns.bucket,
    topicArn: arns.topic, deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq', quarantinePolicyArn: arns.quarantinePolicy, reportBusName: 'ExposedKeyResponder-reports',
  };
}

/** EventBridge for the drill: a put event is delivered, as EventBridge would, through the rules to the dispatcher. */
function connectBus(d: Drill) {
  const bus = mockClient(EventBridgeClient);
  bus.on(PutEventsCommand).callsFake(async ({ Entries: entries = [] }: PutEventsCommand['input']) => {
    for (const e of entries) {
      await d.deliver({ version: '0', id: 'evt-live', 'detail-type': e.DetailType, source: e.Source, account: ACCOUNT, time: (e.Time ?? new Date()).toISOString(), region: 'us-east-1', resources: [], detail: JSON.parse(e.Detail ?? '{}') });
    }
    return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: 'evt-live' })) };
  });
  return bus;
}

async function run(expectedAccount: string | undefined, progress: string[] = []) {
  const d = new Drill({ accountId: ACCOUNT, users: [] }, rules, DEFAULT_CONFIG);
  const bus = connectBus(d);
  try {
    const deps: LiveDrillDeps = {
      clients: { sts: new STSClient({}), iam: new IAMClient({}), sfn: new SFNClient({}), s3: new S3Client({}), sns: new SNSClient({}), ec2: (region) => new EC2Client({ region }), events: new EventBridgeClient({}) },
      deployment: deployment(), expectedAccount, progress: (l) => progress.push(l), now: () => new Date(), sleep: async () => undefined, timeoutMs: 5_000,
    };
    return { drill: d, result: await liveDrill(deps) };
  } finally {
    bus.restore();
    d.close();
  }
}

describe('live drill, on the simulated account', () => {
  it('contains the canary, checks it, restores it, deletes it, and measures the times', async () => {
    const progress: string[] = [];

    const { drill, result } = await run(ACCOUNT, progress);

    expect(result.checks).toEqual([
      { check: 'key Inactive', ok: true },
      { check: 'ExposedKeyResponder-RevokeOlderSessions in place', ok: true },
      { check: 'quarantine attached', ok: true },
      { check: 'restored', ok: true },
    ]);
    expect(result.ok).toBe(true);
    expect(result.canary).toMatchObject({ userName: expect.stringMatching(/^ekr-canary-\d{8}t\d{6}z$/), deleted: true });
    expect(drill.account.view().users).toEqual([]);
    expect(Object.keys(result.seconds)).toEqual(['execution started (Step Functions)', 'record written (S3)', 'key Inactive (contain Lambda)']);
    expect(drill.account.published.map((m) => m.subject)).toContain(`[RESTORED] incident ${result.incidentId}: user ${result.canary.userName}`);
  });

  it('refuses, creating nothing, unless EKR_LIVE_ACCOUNT is the caller\'s account', async () => {
    await expect(run(undefined)).rejects.toMatchObject({ code: 'NotTheSandbox', message: expect.stringContaining('EKR_LIVE_ACCOUNT=123456789012') });
    await expect(run('999988887777')).rejects.toMatchObject({ code: 'NotTheSandbox' });
  });
});
