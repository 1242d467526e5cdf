import type * as Ec2Module from '@aws-sdk/client-ec2';
import type * as PricingModule from '@aws-sdk/client-pricing';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as EvidenceHandlerModule from '../../../lambdas/evidence/index';
import { anIncident, loadIsolated, restoreEnv } from '../helpers';

const ENV = { DRY_RUN: 'false' };
const INSTANCES = [
  { region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', via: 'RunInstances' },
  { region: 'ap-southeast-2', instanceId: 'i-0bbbbbbbbbbbbbbb2', via: 'StartInstances' },
];

interface Loaded {
  handler: typeof EvidenceHandlerModule.handler;
  createHandler: typeof EvidenceHandlerModule.createHandler;
  sdk: typeof Ec2Module;
  ec2: AwsClientStub<Ec2Module.EC2Client>;
  pricingSdk: typeof PricingModule;
  pricing: AwsClientStub<PricingModule.PricingClient>;
}

/** Imports the handler afresh (it reads its environment at load), with the EC2 client of that load mocked. */
function loadHandler(env: Record<string, string | undefined>): Loaded {
  return loadIsolated(env, (): Loaded => {
    const sdk = require('@aws-sdk/client-ec2') as typeof Ec2Module;
    const ec2 = mockClient(sdk.EC2Client);
    const pricingSdk = require('@aws-sdk/client-pricing') as typeof PricingModule;
    const pricing = mockClient(pricingSdk.PricingClient);
    const { handler, createHandler } = require('../../../lambdas/evidence/index') as typeof EvidenceHandlerModule;
    return { handler, createHandler, sdk, ec2, pricingSdk, pricing };
  });
}

function runningAccount({ sdk, ec2 }: Loaded): void {
  ec2.on(sdk.DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  ec2.on(sdk.DescribeInstancesCommand).callsFake(async (input) => ({
    Reservations: [{ Instances: [{ InstanceId: input.InstanceIds[0], State: { Name: 'running' }, BlockDeviceMappings: [{ Ebs: { VolumeId: 'vol-0a' } }] }] }],
  }));
  ec2.on(sdk.CreateSnapshotsCommand).callsFake(async (input) => ({
    Snapshots: [{ SnapshotId: `snap-${input.InstanceSpecification.InstanceId.slice(2)}`, VolumeId: 'vol-0a' }],
  }));
}

afterEach(() => {
  restoreEnv();
});

describe('evidence handler: configuration', () => {
  it('fails at load when DRY_RUN is missing', () => {
    expect(() => loadHandler({ DRY_RUN: undefined })).toThrow('environment variable DRY_RUN is required');
  });

  it('fails at load when DRY_RUN is neither true nor false', () => {
    expect(() => loadHandler({ DRY_RUN: '1' })).toThrow('environment variable DRY_RUN must be true or false, got "1"');
  });
});

describe('evidence handler: invocation', () => {
  it('snapshots each instance through a client of its own region', async () => {
    const loaded = loadHandler(ENV);
    runningAccount(loaded);

    const result = await loaded.handler({ incident: anIncident(), instances: INSTANCES });

    const regions = await Promise.all(
      loaded.ec2.commandCalls(loaded.sdk.CreateSnapshotsCommand).map(async (c) => [
        c.args[0].input.InstanceSpecification?.InstanceId,
        await (c.thisValue as Ec2Module.EC2Client).config.region(),
      ]),
    );
    expect(regions.sort()).toEqual([
      ['i-0aaaaaaaaaaaaaaa1', 'eu-west-1'],
      ['i-0bbbbbbbbbbbbbbb2', 'ap-southeast-2'],
    ]);
    expect(result.snapshots.map((s) => s.status)).toEqual(['created', 'created']);
    expect(result.dryRun).toBe(false);
  });

  it('keeps one client a region across invocations', async () => {
    const loaded = loadHandler(ENV);
    runningAccount(loaded);

    await loaded.handler({ incident: anIncident(), instances: [INSTANCES[0]] });
    await loaded.handler({ incident: anIncident(), instances: [INSTANCES[0]] });

    const clients = new Set(loaded.ec2.calls().map((c) => c.thisValue));
    expect(clients.size).toBe(1);
  });

  it('creates nothing when DRY_RUN is true', async () => {
    const loaded = loadHandler({ DRY_RUN: 'true' });
    runningAccount(loaded);

    const result = await loaded.handler({ incident: anIncident(), instances: INSTANCES });

    expect(loaded.ec2).not.toHaveReceivedCommand(loaded.sdk.CreateSnapshotsCommand);
    expect(result).toMatchObject({ dryRun: true, snapshots: [{ status: 'dry-run' }, { status: 'dry-run' }] });
  });

  it('rejects input that does not fit with InvalidIncidentError and calls nothing', async () => {
    const { handler, ec2 } = loadHandler(ENV);

    const result = handler({ incident: anIncident(), instances: 'i-0aaaaaaaaaaaaaaa1' });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringMatching(/^evidence: input does not fit: instances: /) });
    expect(ec2).not.toHaveReceivedAnyCommand();
  });
});

describe('evidence handler: prices', () => {
  it('asks the Price List API in us-east-1, whatever the instance\'s region, with two attempts at most', async () => {
    const loaded = loadHandler(ENV);
    runningAccount(loaded);
    loaded.ec2.on(loaded.sdk.DescribeInstancesCommand).callsFake(async (input) => ({
      Reservations: [{ Instances: [{ InstanceId: input.InstanceIds[0], InstanceType: 'm5.large', State: { Name: 'running' }, BlockDeviceMappings: [{ Ebs: { VolumeId: 'vol-0a' } }] }] }],
    }));
    loaded.pricing.on(loaded.pricingSdk.GetProductsCommand).resolves({ PriceList: [] });

    const result = await loaded.handler({ incident: anIncident(), instances: INSTANCES });

    const calls = loaded.pricing.commandCalls(loaded.pricingSdk.GetProductsCommand);
    expect(calls).toHaveLength(2);
    const client = calls[0].thisValue as PricingModule.PricingClient;
    expect(await client.config.region()).toBe('us-east-1');
    expect(await client.config.maxAttempts()).toBe(2);
    expect(result.snapshots.map((s) => s.priceUnknown)).toEqual(['no on-demand price listed', 'no on-demand price listed']);
  });
});

describe('evidence createHandler (the seam the drill uses)', () => {
  it('reads the environment it is given rather than process.env', async () => {
    const loaded = loadHandler(ENV);
    runningAccount(loaded);

    const handler = loaded.createHandler({ DRY_RUN: 'true' });
    const result = await handler({ incident: anIncident(), instances: [INSTANCES[0]] });

    expect(result.dryRun).toBe(true);
    expect(loaded.ec2).not.toHaveReceivedCommand(loaded.sdk.CreateSnapshotsCommand);
    expect(() => loaded.createHandler({})).toThrow('environment variable DRY_RUN is required');
  });
});
