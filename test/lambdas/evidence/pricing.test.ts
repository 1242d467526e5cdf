import { CreateSnapshotsCommand, DescribeInstancesCommand, DescribeSnapshotsCommand, EC2Client, _InstanceType } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient, PricingServiceException } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EvidenceDeps, EvidenceInstance, preserveEvidence } from '../../../lambdas/evidence/evidence';
import { lookUpPrices, MAX_PRICE_LOOKUPS, onDemandUsdPerHour } from '../../../lambdas/evidence/pricing';
import { anIncident, fakeLogger } from '../helpers';

const ec2 = mockClient(EC2Client);
const pricing = mockClient(PricingClient);

const MINER: EvidenceInstance = { region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', via: 'RunInstances' };
const SECOND: EvidenceInstance = { region: 'eu-west-1', instanceId: 'i-0bbbbbbbbbbbbbbb2', via: 'RunInstances' };
const EAST: EvidenceInstance = { region: 'us-east-1', instanceId: 'i-0ccccccccccccccc3', via: 'StartInstances' };

/** One product of GetProducts' PriceList, shaped as the Price List API returns it (on-demand and a reserved term). */
function priceListDocument(instanceType: string, regionCode: string, usd: string, operatingSystem = 'Linux'): string {
  return JSON.stringify({
    product: {
      productFamily: 'Compute Instance',
      attributes: {
        instanceType, regionCode, operatingSystem, tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used',
        licenseModel: 'No License required', servicecode: 'AmazonEC2', usagetype: `EU-BoxUsage:${instanceType}`, operation: 'RunInstances',
      },
      sku: 'SKU0EXAMPLE000001',
    },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        'SKU0EXAMPLE000001.JRTCKXETXF': {
          priceDimensions: {
            'SKU0EXAMPLE000001.JRTCKXETXF.6YS6EN2CT7': {
              unit: 'Hrs', endRange: 'Inf', beginRange: '0', appliesTo: [],
              description: `$${usd} per On Demand ${operatingSystem} ${instanceType} Instance Hour`,
              rateCode: 'SKU0EXAMPLE000001.JRTCKXETXF.6YS6EN2CT7',
              pricePerUnit: { USD: usd },
            },
          },
          sku: 'SKU0EXAMPLE000001', effectiveDate: '2026-11-01T00:00:00Z', offerTermCode: 'JRTCKXETXF', termAttributes: {},
        },
      },
      Reserved: {
        'SKU0EXAMPLE000001.38NPMPTW36': {
          priceDimensions: {
            'SKU0EXAMPLE000001.38NPMPTW36.2TG2D8R56U': { unit: 'Quantity', description: 'Upfront Fee', pricePerUnit: { USD: '1234' } },
            'SKU0EXAMPLE000001.38NPMPTW36.6YS6EN2CT7': { unit: 'Hrs', description: 'reserved hourly', pricePerUnit: { USD: '0.0100000000' } },
          },
          termAttributes: { LeaseContractLength: '1yr', PurchaseOption: 'Partial Upfront' },
        },
      },
    },
    version: '20261101000000',
    publicationDate: '2026-11-01T00:00:00Z',
  });
}

function pricingError(name: string, httpStatusCode = 400): PricingServiceException {
  return new PricingServiceException({ name, $fault: 'client', message: name, $metadata: { httpStatusCode } });
}

/** Instances of the given types, running since 10:00:12 on 2026-11-23, each with one volume. */
function account(types: Record<string, { type: string; platform?: 'windows'; tenancy?: 'dedicated'; state?: string }>) {
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  ec2.on(DescribeInstancesCommand).callsFake(async (input: { InstanceIds: string[] }) => {
    const id = input.InstanceIds[0];
    const t = types[id];
    return {
      Reservations: [{
        Instances: [{
          InstanceId: id,
          InstanceType: t.type as _InstanceType,
          State: { Name: t.state ?? 'running' },
          LaunchTime: new Date('2026-11-23T10:00:12Z'),
          Placement: { AvailabilityZone: 'eu-west-1a', Tenancy: t.tenancy ?? 'default' },
          ...(t.platform ? { Platform: t.platform } : {}),
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: `vol-${id.slice(2)}` } }],
        }],
      }],
    };
  });
  ec2.on(CreateSnapshotsCommand).callsFake(async (input) => ({ Snapshots: [{ SnapshotId: `snap-${input.InstanceSpecification.InstanceId.slice(2)}`, VolumeId: 'vol-0' }] }));
}

function deps(): EvidenceDeps {
  return { ec2: () => new EC2Client({ region: 'eu-west-1' }), pricing: new PricingClient({ region: 'us-east-1' }), logger: fakeLogger(), config: { dryRun: false }, sleep: async () => undefined };
}

const filterValues = (call: number) => Object.fromEntries((pricing.commandCalls(GetProductsCommand)[call].args[0].input.Filters ?? []).map((f) => [f.Field, f.Value]));

beforeEach(() => {
  ec2.reset();
  pricing.reset();
});

describe('preserveEvidence: what each instance is and what it costs an hour', () => {
  it('reads the on-demand hourly price from the PriceList document, with the filters of a shared-tenancy Linux instance', async () => {
    account({ [MINER.instanceId]: { type: 'c5.24xlarge' } });
    pricing.on(GetProductsCommand).resolves({ FormatVersion: 'aws_v1', PriceList: [priceListDocument('c5.24xlarge', 'eu-west-1', '4.6080000000')] });

    const result = await preserveEvidence(anIncident(), [MINER], deps());

    expect(result.snapshots[0]).toEqual({
      region: 'eu-west-1', instanceId: MINER.instanceId, status: 'created', snapshotIds: [`snap-${MINER.instanceId.slice(2)}`], volumeIds: ['vol-0'],
      instanceType: 'c5.24xlarge', state: 'running', launchTime: '2026-11-23T10:00:12.000Z', operatingSystem: 'Linux', tenancy: 'default',
      usdPerHour: 4.608,
    });
    expect(pricing.commandCalls(GetProductsCommand)[0].args[0].input).toMatchObject({ ServiceCode: 'AmazonEC2' });
    expect(filterValues(0)).toEqual({
      instanceType: 'c5.24xlarge', regionCode: 'eu-west-1', operatingSystem: 'Linux', tenancy: 'Shared',
      preInstalledSw: 'NA', capacitystatus: 'Used', licenseModel: 'No License required',
    });
    expect(pricing.commandCalls(GetProductsCommand)[0].args[0].input.Filters?.every((f) => f.Type === 'TERM_MATCH')).toBe(true);
  });

  it('asks for the Windows price when DescribeInstances says Platform windows', async () => {
    account({ [MINER.instanceId]: { type: 'm5.large', platform: 'windows' } });
    pricing.on(GetProductsCommand).resolves({ PriceList: [priceListDocument('m5.large', 'eu-west-1', '0.2020000000', 'Windows')] });

    const result = await preserveEvidence(anIncident(), [MINER], deps());

    expect(filterValues(0).operatingSystem).toBe('Windows');
    expect(result.snapshots[0]).toMatchObject({ operatingSystem: 'Windows', usdPerHour: 0.202 });
  });

  it('looks up each (type, region, OS) once', async () => {
    account({ [MINER.instanceId]: { type: 'm5.large' }, [SECOND.instanceId]: { type: 'm5.large' }, [EAST.instanceId]: { type: 'm5.large' } });
    pricing.on(GetProductsCommand).resolves({ PriceList: [priceListDocument('m5.large', 'eu-west-1', '0.1070000000')] });

    const result = await preserveEvidence(anIncident(), [MINER, SECOND, EAST], deps());

    expect(pricing).toHaveReceivedCommandTimes(GetProductsCommand, 2);
    expect([0, 1].map((n) => filterValues(n).regionCode).sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(result.snapshots.map((s) => s.usdPerHour)).toEqual([0.107, 0.107, 0.107]);
  });

  it('leaves the price out and says why when no product matches; the snapshots stand', async () => {
    account({ [MINER.instanceId]: { type: 'x9.weird' } });
    pricing.on(GetProductsCommand).resolves({ FormatVersion: 'aws_v1', PriceList: [] });

    const result = await preserveEvidence(anIncident(), [MINER], deps());

    expect(result.snapshots[0]).toMatchObject({ status: 'created', instanceType: 'x9.weird', priceUnknown: 'no on-demand price listed' });
    expect(result.snapshots[0].usdPerHour).toBeUndefined();
  });

  it('leaves the price out on AccessDenied (no pricing:GetProducts), never failing the step', async () => {
    account({ [MINER.instanceId]: { type: 'c5.24xlarge' } });
    pricing.on(GetProductsCommand).rejects(pricingError('AccessDeniedException', 403));

    const result = await preserveEvidence(anIncident(), [MINER], deps());

    expect(result.snapshots[0]).toMatchObject({ status: 'created', priceUnknown: 'Price List API: AccessDeniedException' });
    expect(result.snapshots[0].usdPerHour).toBeUndefined();
  });

  it('prices neither a stopped instance (no compute billed) nor a dedicated one (not the shared price)', async () => {
    account({ [MINER.instanceId]: { type: 'm5.large', state: 'stopped' }, [SECOND.instanceId]: { type: 'm5.large', tenancy: 'dedicated' } });

    const result = await preserveEvidence(anIncident(), [MINER, SECOND], deps());

    expect(pricing).not.toHaveReceivedCommand(GetProductsCommand);
    expect(result.snapshots[0]).toMatchObject({ state: 'stopped', instanceType: 'm5.large' });
    expect(result.snapshots[0].priceUnknown).toBeUndefined();
    expect(result.snapshots[1]).toMatchObject({ tenancy: 'dedicated', priceUnknown: 'dedicated tenancy is not priced' });
  });
});

describe('lookUpPrices: bounded', () => {
  it('says the Price List API did not answer when it takes longer than the budget', async () => {
    pricing.on(GetProductsCommand).callsFake(() => new Promise(() => undefined));

    const answers = await lookUpPrices([{ instanceType: 'm5.large', region: 'eu-west-1', operatingSystem: 'Linux' }], {
      pricing: new PricingClient({ region: 'us-east-1' }),
      logger: fakeLogger(),
      budgetMs: 20,
    });

    expect([...answers.values()]).toEqual([{ unknown: 'the Price List API did not answer within 0.02 s' }]);
  });

  it(`asks at most ${MAX_PRICE_LOOKUPS} times and says so for the rest`, async () => {
    pricing.on(GetProductsCommand).resolves({ PriceList: [priceListDocument('t3.micro', 'eu-west-1', '0.0114000000')] });
    const queries = Array.from({ length: MAX_PRICE_LOOKUPS + 2 }, (_, n) => ({ instanceType: `t3.size${n}`, region: 'eu-west-1', operatingSystem: 'Linux' as const }));

    const answers = await lookUpPrices(queries, { pricing: new PricingClient({ region: 'us-east-1' }), logger: fakeLogger() });

    expect(pricing).toHaveReceivedCommandTimes(GetProductsCommand, 8);
    expect([...answers.values()].filter((a) => 'unknown' in a)).toEqual([
      { unknown: 'more than 8 instance types to price' },
      { unknown: 'more than 8 instance types to price' },
    ]);
  });
});

describe('onDemandUsdPerHour', () => {
  it('reads only the on-demand hourly dimension, never a reserved one', () => {
    expect(onDemandUsdPerHour(priceListDocument('p3.2xlarge', 'us-east-1', '3.0600000000'))).toEqual([3.06]);
  });

  it.each([['not JSON', '{'], ['no terms', '{"product":{}}'], ['null', 'null'], ['a zero price', priceListDocument('t3.micro', 'us-east-1', '0.0000000000')]])(
    'finds no price in %s',
    (_case, document) => {
      expect(onDemandUsdPerHour(document)).toEqual([]);
    },
  );
});
