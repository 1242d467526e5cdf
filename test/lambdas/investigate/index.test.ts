import type * as CloudTrailModule from '@aws-sdk/client-cloudtrail';
import type * as Ec2Module from '@aws-sdk/client-ec2';
import type * as IamModule from '@aws-sdk/client-iam';
import type * as S3Module from '@aws-sdk/client-s3';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as InvestigateHandlerModule from '../../../lambdas/investigate/index';
import { investigateClients, InvestigateInputSchema } from '../../../lambdas/investigate/handler';
import { anIncident, KEY_ID, loadIsolated, restoreEnv, REVOKE_BEFORE } from '../helpers';
import { aRecord, asLookupEvent } from './fake-cloudtrail';

const BUCKET = 'incident-bucket';
const ENV = { INCIDENT_BUCKET: BUCKET, LOOKBACK_DAYS: '30', DRY_RUN: 'false' };
const DAY_MS = 24 * 60 * 60 * 1000;

interface Loaded {
  handler: typeof InvestigateHandlerModule.handler;
  createHandler: typeof InvestigateHandlerModule.createHandler;
  sdk: { cloudtrail: typeof CloudTrailModule; ec2: typeof Ec2Module; iam: typeof IamModule; s3: typeof S3Module };
  cloudtrail: AwsClientStub<CloudTrailModule.CloudTrailClient>;
  ec2: AwsClientStub<Ec2Module.EC2Client>;
  iam: AwsClientStub<IamModule.IAMClient>;
  s3: AwsClientStub<S3Module.S3Client>;
  /** The CloudTrail client instances LookupEvents was sent through, by region. */
  trailClients: Map<string, Set<unknown>>;
}

/** Imports the handler afresh (it reads its environment at load), with the clients of that load mocked. */
function loadHandler(env: Record<string, string | undefined>): Loaded {
  const loaded = loadIsolated(env, (): Loaded => {
    const sdk = {
      cloudtrail: require('@aws-sdk/client-cloudtrail') as typeof CloudTrailModule,
      ec2: require('@aws-sdk/client-ec2') as typeof Ec2Module,
      iam: require('@aws-sdk/client-iam') as typeof IamModule,
      s3: require('@aws-sdk/client-s3') as typeof S3Module,
    };
    const stubs = {
      cloudtrail: mockClient(sdk.cloudtrail.CloudTrailClient),
      ec2: mockClient(sdk.ec2.EC2Client),
      iam: mockClient(sdk.iam.IAMClient),
      s3: mockClient(sdk.s3.S3Client),
    };
    const { handler, createHandler } = require('../../../lambdas/investigate/index') as typeof InvestigateHandlerModule;
    return { handler, createHandler, sdk, ...stubs, trailClients: new Map() };
  });
  quietAccount(loaded);
  return loaded;
}

/** One enabled region, one call by the key, a user with no policies. */
function quietAccount(loaded: Loaded): void {
  const { sdk, cloudtrail, ec2, iam, s3, trailClients } = loaded;
  const record = aRecord({ eventId: 'only-event' });
  ec2.on(sdk.ec2.DescribeRegionsCommand).resolves({ Regions: [{ RegionName: 'us-east-1' }] });
  cloudtrail.on(sdk.cloudtrail.LookupEventsCommand).callsFake(async (_input, getClient) => {
    const client = getClient();
    const region = await client.config.region();
    trailClients.set(region, (trailClients.get(region) ?? new Set()).add(client));
    return { Events: [asLookupEvent(record)] };
  });
  iam.onAnyCommand().resolves({});
  iam.on(sdk.iam.GetUserCommand).resolves({ User: { UserName: 'ci-deploy', UserId: 'AIDA', Arn: 'arn:aws:iam::123456789012:user/ci-deploy', Path: '/', CreateDate: new Date() } });
  iam.on(sdk.iam.SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [] });
  s3.on(sdk.s3.PutObjectCommand).resolves({});
}

const noWait = async () => undefined;

afterEach(() => {
  restoreEnv();
});

describe('investigate handler: configuration', () => {
  it.each(['INCIDENT_BUCKET', 'LOOKBACK_DAYS', 'DRY_RUN'])('fails at load when %s is missing', (name) => {
    expect(() => loadHandler({ ...ENV, [name]: undefined })).toThrow(`environment variable ${name} is required`);
  });

  it.each(['0', '91', '-1', '7.5', 'ninety', '1e1'])('fails at load when LOOKBACK_DAYS is %s', (value) => {
    expect(() => loadHandler({ ...ENV, LOOKBACK_DAYS: value })).toThrow(
      `environment variable LOOKBACK_DAYS must be a whole number of days from 1 to 90, got "${value}"`,
    );
  });

  it('fails at load when DRY_RUN is neither true nor false', () => {
    expect(() => loadHandler({ ...ENV, DRY_RUN: 'yes' })).toThrow('environment variable DRY_RUN must be true or false, got "yes"');
  });
});

describe('investigate handler: invocation', () => {
  it('parses the step input and investigates over LOOKBACK_DAYS, saving to INCIDENT_BUCKET', async () => {
    const { handler, sdk, cloudtrail } = loadHandler(ENV);
    const incident = anIncident();

    const result = await handler({ incident, revokeBefore: REVOKE_BEFORE });

    const lookups = cloudtrail.commandCalls(sdk.cloudtrail.LookupEventsCommand).map((c) => c.args[0].input);
    expect(lookups.map((i) => i.LookupAttributes)).toEqual([
      [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY_ID }],
      [{ AttributeKey: 'Username', AttributeValue: 'ci-deploy' }],
    ]);
    expect(lookups[0].EndTime!.getTime() - lookups[0].StartTime!.getTime()).toBe(30 * DAY_MS);
    expect(result).toMatchObject({
      lookback: { days: 30 },
      regions: ['us-east-1'],
      eventCount: 1,
      activityObject: `s3://${BUCKET}/incidents/${incident.incidentId}/activity.jsonl`,
      dryRun: false,
      failures: [],
    });
  });

  it('stops paging CloudTrail 45 s before the Lambda time limit it is given', async () => {
    const { handler, sdk, cloudtrail } = loadHandler(ENV);

    const result = await handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE }, { getRemainingTimeInMillis: () => 30_000 });

    expect(cloudtrail.commandCalls(sdk.cloudtrail.LookupEventsCommand)).toHaveLength(0);
    expect(result.failures).toEqual([expect.objectContaining({ error: expect.stringContaining('stopped before the Lambda time limit') })]);
  });

  it('rejects input without revokeBefore with InvalidIncidentError and calls nothing', async () => {
    const { handler, cloudtrail, ec2, iam, s3 } = loadHandler(ENV);

    const result = handler({ incident: anIncident() });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringMatching(/^investigate: input does not fit: revokeBefore: /) });
    for (const stub of [cloudtrail, ec2, iam, s3] as Array<AwsClientStub<any>>) expect(stub).not.toHaveReceivedAnyCommand();
  });

  it('rejects an incident that does not fit with InvalidIncidentError', async () => {
    const { handler } = loadHandler(ENV);

    const result = handler({ incident: { ...anIncident(), accountId: 'not-an-account' }, revokeBefore: REVOKE_BEFORE });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringContaining('incident.accountId') });
  });
});

describe('investigate createHandler (the seam the drill uses)', () => {
  it('reads the environment it is given, says dryRun, and fails fast on a gap in it', async () => {
    const loaded = loadHandler(ENV);

    const handler = loaded.createHandler({ INCIDENT_BUCKET: 'other-bucket', LOOKBACK_DAYS: '1', DRY_RUN: 'true' }, { sleep: noWait });
    const result = await handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE });

    expect(result).toMatchObject({ lookback: { days: 1 }, dryRun: true, activityObject: expect.stringMatching(/^s3:\/\/other-bucket\//) });
    expect(() => loaded.createHandler({ LOOKBACK_DAYS: '1', DRY_RUN: 'true' })).toThrow('environment variable INCIDENT_BUCKET is required');
  });

  it('keeps one CloudTrail client per region across invocations, without the SDK\'s own retries', async () => {
    const loaded = loadHandler(ENV);
    const handler = loaded.createHandler(ENV, { sleep: noWait });

    await handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE });
    await handler({ incident: anIncident(), revokeBefore: REVOKE_BEFORE });

    const clients = [...(loaded.trailClients.get('us-east-1') ?? [])] as Array<{ config: { maxAttempts: () => Promise<number> } }>;
    expect(clients).toHaveLength(1);
    await expect(clients[0].config.maxAttempts()).resolves.toBe(1);
  });
});

describe('investigateClients', () => {
  it('turns the SDK\'s own retries off on every client, so the core\'s 5 tries are all there are', async () => {
    const clients = investigateClients();

    const attempts = await Promise.all(
      [clients.cloudtrail('eu-west-1'), clients.ec2, clients.iam, clients.s3].map((c) => (c.config.maxAttempts as () => Promise<number>)()),
    );

    expect(attempts).toEqual([1, 1, 1, 1]);
  });
});

describe('InvestigateInputSchema', () => {
  it('accepts the Task Parameters the workflow passes: the incident and the execution start', () => {
    const parsed = InvestigateInputSchema.safeParse({ incident: anIncident(), revokeBefore: REVOKE_BEFORE });

    expect(parsed.success).toBe(true);
  });
});
