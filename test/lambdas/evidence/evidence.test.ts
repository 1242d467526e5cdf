import {
  CreateSnapshotsCommand,
  DescribeInstancesCommand,
  DescribeInstancesCommandOutput,
  DescribeSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  EVIDENCE_CONCURRENCY,
  EvidenceConfig,
  EvidenceDeps,
  EvidenceInstance,
  preserveEvidence,
} from '../../../lambdas/evidence/evidence';
import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { anIncident, fakeLogger, KEY_ID } from '../helpers';

const ec2 = mockClient(EC2Client);

const INCIDENT_ID = `${KEY_ID}-20261120`;
const EU: EvidenceInstance = { region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', via: 'RunInstances' };
const AP: EvidenceInstance = { region: 'ap-southeast-2', instanceId: 'i-0bbbbbbbbbbbbbbb2', via: 'StartInstances' };

function ec2Error(name: string, message = name, httpStatusCode = 400): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', message, $metadata: { httpStatusCode } });
}

/** A client per region, so each call can be traced back to the region it was sent to. */
function deps(config: Partial<EvidenceConfig> = {}) {
  const clients = new Map<string, EC2Client>();
  const factory = jest.fn((region: string) => {
    if (!clients.has(region)) clients.set(region, new EC2Client({ region }));
    return clients.get(region)!;
  });
  const sleep = jest.fn(async (_ms: number) => undefined);
  const d = { ec2: factory, logger: fakeLogger(), config: { dryRun: false, ...config }, sleep } satisfies EvidenceDeps;
  /** The region of the client a recorded call went through. */
  const regionOf = (thisValue: unknown) => [...clients].find(([, c]) => c === thisValue)?.[0];
  return { ...d, regionOf };
}

function running(instanceId: string, volumeIds: string[], state = 'running'): DescribeInstancesCommandOutput {
  return {
    $metadata: {},
    Reservations: [
      {
        Instances: [
          {
            InstanceId: instanceId,
            State: { Name: state as 'running' },
            BlockDeviceMappings: volumeIds.map((v, n) => ({ DeviceName: `/dev/xvd${'abcdef'[n]}`, Ebs: { VolumeId: v } })),
          },
        ],
      },
    ],
  };
}

function instanceIdOf(input: { InstanceIds?: string[] }): string {
  return (input.InstanceIds ?? [])[0];
}

/** An account with running instances: each with its volumes; CreateSnapshots answers one snapshot per volume. */
function account(instances: Record<string, string[]>) {
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  ec2.on(DescribeInstancesCommand).callsFake(async (input) => {
    const id = instanceIdOf(input);
    if (!(id in instances)) throw ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return running(id, instances[id]);
  });
  ec2.on(CreateSnapshotsCommand).callsFake(async (input) => {
    const id = input.InstanceSpecification.InstanceId as string;
    return { Snapshots: instances[id].map((v) => ({ SnapshotId: `snap-${v.slice(4)}`, VolumeId: v })) };
  });
}

beforeEach(() => {
  ec2.reset();
});

describe('preserveEvidence: snapshots', () => {
  it('snapshots every volume of the instance in its own region, tagged with the incident', async () => {
    account({ [EU.instanceId]: ['vol-0root', 'vol-0data'] });
    const d = deps();

    const result = await preserveEvidence(anIncident(), [EU], d);

    expect(d.ec2).toHaveBeenCalledWith('eu-west-1');
    expect(d.ec2).not.toHaveBeenCalledWith('us-east-1');
    const creates = ec2.commandCalls(CreateSnapshotsCommand);
    expect(creates).toHaveLength(1);
    expect(d.regionOf(creates[0].thisValue)).toBe('eu-west-1');
    expect(creates[0].args[0].input).toEqual({
      InstanceSpecification: { InstanceId: EU.instanceId, ExcludeBootVolume: false },
      Description: expect.stringContaining(INCIDENT_ID),
      CopyTagsFromSource: 'volume',
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: 'exposed-key-responder:incident-id', Value: INCIDENT_ID },
            { Key: 'exposed-key-responder:access-key-id', Value: KEY_ID },
            { Key: 'exposed-key-responder:instance-id', Value: EU.instanceId },
            { Key: 'exposed-key-responder:source', Value: 'trusted-advisor: Trusted Advisor "Exposed Access Keys" (fraud type: Exposed)' },
            { Key: 'Name', Value: `evidence ${INCIDENT_ID} ${EU.instanceId}` },
          ],
        },
      ],
    });
    expect(result).toEqual({
      dryRun: false,
      snapshots: [
        { region: 'eu-west-1', instanceId: EU.instanceId, status: 'created', snapshotIds: ['snap-0root', 'snap-0data'], volumeIds: ['vol-0root', 'vol-0data'], state: 'running', operatingSystem: 'Linux' },
      ],
    });
  });

  it('sends every call for an instance to the client of that instance\'s region', async () => {
    account({ [EU.instanceId]: ['vol-0eu'], [AP.instanceId]: ['vol-0ap'] });
    const d = deps();

    const result = await preserveEvidence(anIncident(), [EU, AP], d);

    for (const call of ec2.calls()) {
      const input = call.args[0].input as Record<string, any>;
      const id = input.InstanceIds?.[0] ?? input.InstanceSpecification?.InstanceId ?? input.Filters?.[1]?.Values?.[0];
      expect(d.regionOf(call.thisValue)).toBe(id === EU.instanceId ? 'eu-west-1' : 'ap-southeast-2');
    }
    expect(result.snapshots.map((s) => [s.region, s.instanceId, s.status])).toEqual([
      ['eu-west-1', EU.instanceId, 'created'],
      ['ap-southeast-2', AP.instanceId, 'created'],
    ]);
  });

  it('touches only the instances it is given: another instance of the account is never read nor snapshotted', async () => {
    const untouched = 'i-0ccccccccccccccc3';
    account({ [EU.instanceId]: ['vol-0eu'], [untouched]: ['vol-0other'] });

    await preserveEvidence(anIncident(), [EU], deps());

    const described = ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.InstanceIds);
    expect(described).toEqual([[EU.instanceId]]);
    expect(ec2.commandCalls(CreateSnapshotsCommand).map((c) => c.args[0].input.InstanceSpecification?.InstanceId)).toEqual([EU.instanceId]);
  });

  it('snapshots an instance launched and then started again only once', async () => {
    account({ [EU.instanceId]: ['vol-0eu'] });

    const result = await preserveEvidence(anIncident(), [EU, { ...EU, via: 'StartInstances' }], deps());

    expect(ec2).toHaveReceivedCommandTimes(CreateSnapshotsCommand, 1);
    expect(result.snapshots).toHaveLength(1);
  });

  it('returns an empty list when the key launched nothing, without any call', async () => {
    const d = deps();

    const result = await preserveEvidence(anIncident(), [], d);

    expect(result).toEqual({ snapshots: [], dryRun: false });
    expect(ec2).not.toHaveReceivedAnyCommand();
    expect(d.ec2).not.toHaveBeenCalled();
  });

  it('keeps the source tag within 256 characters', async () => {
    account({ [EU.instanceId]: ['vol-0eu'] });

    await preserveEvidence(anIncident({ detail: `Reported by hand: ${'x'.repeat(480)}` }), [EU], deps());

    const tags = ec2.commandCalls(CreateSnapshotsCommand)[0].args[0].input.TagSpecifications?.[0].Tags ?? [];
    const source = tags.find((t) => t.Key === 'exposed-key-responder:source')?.Value ?? '';
    expect(source).toHaveLength(256);
    expect(source.startsWith('trusted-advisor: Reported by hand: xxx')).toBe(true);
    const description = ec2.commandCalls(CreateSnapshotsCommand)[0].args[0].input.Description ?? '';
    expect(description.length).toBeLessThanOrEqual(255);
  });
});

describe('preserveEvidence: idempotent', () => {
  it('finds the snapshots a former run took, by tag, and creates nothing (a retried step)', async () => {
    account({ [EU.instanceId]: ['vol-0eu'] });
    ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        { SnapshotId: 'snap-0old1', VolumeId: 'vol-0eu', State: 'completed' },
        { SnapshotId: 'snap-0old2', VolumeId: 'vol-0eu2', State: 'pending' },
      ],
    });
    const d = deps();

    const result = await preserveEvidence(anIncident(), [EU], d);

    expect(ec2.commandCalls(DescribeSnapshotsCommand).map((c) => c.args[0].input)).toEqual([
      {
        OwnerIds: ['self'],
        Filters: [
          { Name: 'tag:exposed-key-responder:access-key-id', Values: [KEY_ID] },
          { Name: 'tag:exposed-key-responder:instance-id', Values: [EU.instanceId] },
        ],
        NextToken: undefined,
      },
    ]);
    expect(d.regionOf(ec2.commandCalls(DescribeSnapshotsCommand)[0].thisValue)).toBe('eu-west-1');
    expect(ec2).not.toHaveReceivedCommand(CreateSnapshotsCommand);
    // Described for the cost exposure only.
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(result.snapshots).toEqual([
      { region: 'eu-west-1', instanceId: EU.instanceId, status: 'existing', snapshotIds: ['snap-0old1', 'snap-0old2'], volumeIds: ['vol-0eu', 'vol-0eu2'], state: 'running', operatingSystem: 'Linux' },
    ]);
  });

  it('still reports the snapshots a former run took when the instance cannot be described', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0old1', VolumeId: 'vol-0eu', State: 'completed' }] });
    ec2.on(DescribeInstancesCommand).rejects(ec2Error('UnauthorizedOperation', 'not authorized', 403));

    const result = await preserveEvidence(anIncident(), [EU], deps());

    expect(result.snapshots).toEqual([
      { region: 'eu-west-1', instanceId: EU.instanceId, status: 'existing', snapshotIds: ['snap-0old1'], volumeIds: ['vol-0eu'] },
    ]);
  });

  it('finds them by the key, so a second incident of the same key (another day) creates none either', async () => {
    account({ [EU.instanceId]: ['vol-0eu'] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0day1', VolumeId: 'vol-0eu', State: 'completed' }] });

    const result = await preserveEvidence(anIncident({ incidentId: `${KEY_ID}-20261121` }), [EU], deps());

    expect(ec2).not.toHaveReceivedCommand(CreateSnapshotsCommand);
    expect(result.snapshots[0]).toMatchObject({ status: 'existing', snapshotIds: ['snap-0day1'] });
  });

  it('reads every page of DescribeSnapshots', async () => {
    account({ [EU.instanceId]: ['vol-0eu'] });
    ec2
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [{ SnapshotId: 'snap-0p1', VolumeId: 'vol-0a', State: 'completed' }], NextToken: 'page-2' })
      .resolvesOnce({ Snapshots: [{ SnapshotId: 'snap-0p2', VolumeId: 'vol-0b', State: 'completed' }] });

    const result = await preserveEvidence(anIncident(), [EU], deps());

    expect(ec2.commandCalls(DescribeSnapshotsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    expect(result.snapshots[0]).toMatchObject({ status: 'existing', snapshotIds: ['snap-0p1', 'snap-0p2'] });
  });

  it('does not count a snapshot in error state as evidence: it takes new ones', async () => {
    account({ [EU.instanceId]: ['vol-0eu'] });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0broken', VolumeId: 'vol-0eu', State: 'error' }] });

    const result = await preserveEvidence(anIncident(), [EU], deps());

    expect(ec2).toHaveReceivedCommandTimes(CreateSnapshotsCommand, 1);
    expect(result.snapshots[0]).toMatchObject({ status: 'created', snapshotIds: ['snap-0eu'] });
  });
});

describe('preserveEvidence: instances that are gone', () => {
  it.each([
    ['not found', () => ec2.on(DescribeInstancesCommand).rejects(ec2Error('InvalidInstanceID.NotFound', "The instance ID 'i-0aaaaaaaaaaaaaaa1' does not exist")), {}],
    ['malformed', () => ec2.on(DescribeInstancesCommand).rejects(ec2Error('InvalidInstanceID.Malformed', 'Invalid id')), {}],
    ['terminated', () => ec2.on(DescribeInstancesCommand).resolves(running(EU.instanceId, [], 'terminated')), { state: 'terminated', operatingSystem: 'Linux' }],
    ['shutting down', () => ec2.on(DescribeInstancesCommand).resolves(running(EU.instanceId, ['vol-0eu'], 'shutting-down')), { state: 'shutting-down', operatingSystem: 'Linux' }],
    ['not in the answer', () => ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] }), {}],
  ])('reports an instance %s as gone, not as an error, and creates nothing', async (_case, arrange, described) => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    arrange();

    const result = await preserveEvidence(anIncident(), [EU], deps());

    expect(ec2).not.toHaveReceivedCommand(CreateSnapshotsCommand);
    expect(result.snapshots).toEqual([
      { region: 'eu-west-1', instanceId: EU.instanceId, status: 'gone', snapshotIds: [], volumeIds: [], ...described },
    ]);
  });

  it('snapshots a stopped instance: its volumes are still there', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(DescribeInstancesCommand).resolves(running(EU.instanceId, ['vol-0eu'], 'stopped'));
    ec2.on(CreateSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0eu', VolumeId: 'vol-0eu' }] });

    const result = await preserveEvidence(anIncident(), [EU], deps());

    expect(result.snapshots[0].status).toBe('created');
  });
});

describe('preserveEvidence: failures stay with their instance', () => {
  it('reports SnapshotLimitExceeded for one instance while another instance still gets its snapshots', async () => {
    account({ [EU.instanceId]: ['vol-0eu'], [AP.instanceId]: ['vol-0ap'] });
    ec2
      .on(CreateSnapshotsCommand, { InstanceSpecification: { InstanceId: EU.instanceId } })
      .rejects(ec2Error('SnapshotLimitExceeded', 'The maximum number of snapshots has been reached.'));
    const d = deps();

    const result = await preserveEvidence(anIncident(), [EU, AP], d);

    expect(result.snapshots).toEqual([
      { region: 'eu-west-1', instanceId: EU.instanceId, status: 'failed', snapshotIds: [], volumeIds: [], error: 'SnapshotLimitExceeded' },
      { region: 'ap-southeast-2', instanceId: AP.instanceId, status: 'created', snapshotIds: ['snap-0ap'], volumeIds: ['vol-0ap'], state: 'running', operatingSystem: 'Linux' },
    ]);
    expect(d.sleep).not.toHaveBeenCalled();
    expect(d.logger.warn).toHaveBeenCalledWith(
      'could not preserve the instance',
      expect.objectContaining({ instanceId: EU.instanceId, operation: 'CreateSnapshots' }),
    );
  });

  it.each(['UnauthorizedOperation', 'AccessDenied'])('reports %s as failed without retrying', async (code) => {
    account({ [EU.instanceId]: ['vol-0eu'] });
    ec2.on(CreateSnapshotsCommand).rejects(ec2Error(code, 'You are not authorized to perform this operation.', 403));
    const d = deps();

    const result = await preserveEvidence(anIncident(), [EU], d);

    expect(result.snapshots[0]).toMatchObject({ status: 'failed', error: code });
    expect(ec2).toHaveReceivedCommandTimes(CreateSnapshotsCommand, 1);
  });

  it('reports a failure to read the instance as failed too', async () => {
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2.on(DescribeInstancesCommand).rejects(ec2Error('UnauthorizedOperation', 'no', 403));

    const result = await preserveEvidence(anIncident(), [EU], deps());

    expect(result.snapshots[0]).toMatchObject({ status: 'failed', error: 'UnauthorizedOperation' });
    expect(ec2).not.toHaveReceivedCommand(CreateSnapshotsCommand);
  });

  it('reports an opt-in region it cannot reach as failed, not as a thrown error', async () => {
    ec2.rejects(ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401));

    const result = await preserveEvidence(anIncident(), [EU, AP], deps());

    expect(result.snapshots.map((s) => s.status)).toEqual(['failed', 'failed']);
    expect(result.snapshots[0].error).toBe('AuthFailure');
  });

  it('takes the snapshots when the look-up of earlier ones is refused, and says they were not checked for', async () => {
    account({ [EU.instanceId]: ['vol-0eu'] });
    ec2.on(DescribeSnapshotsCommand).rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403));

    const result = await preserveEvidence(anIncident(), [EU], deps());

    expect(result.snapshots[0]).toEqual({
      region: 'eu-west-1',
      instanceId: EU.instanceId,
      status: 'created',
      snapshotIds: ['snap-0eu'],
      volumeIds: ['vol-0eu'],
      state: 'running',
      operatingSystem: 'Linux',
      error: 'DescribeSnapshots UnauthorizedOperation: snapshots taken without checking for earlier ones',
    });
  });
});

describe('preserveEvidence: throttling', () => {
  it('retries a throttled CreateSnapshots with backoff and then takes the snapshots', async () => {
    account({ [EU.instanceId]: ['vol-0eu'] });
    ec2
      .on(CreateSnapshotsCommand)
      .rejectsOnce(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .rejectsOnce(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .resolves({ Snapshots: [{ SnapshotId: 'snap-0eu', VolumeId: 'vol-0eu' }] });
    const d = deps();

    const result = await preserveEvidence(anIncident(), [EU], d);

    expect(ec2).toHaveReceivedCommandTimes(CreateSnapshotsCommand, 3);
    expect(d.sleep.mock.calls.map(([ms]) => ms)).toEqual([500, 1000]);
    expect(result.snapshots[0]).toMatchObject({ status: 'created', snapshotIds: ['snap-0eu'] });
  });

  it('retries throttled reads too', async () => {
    account({ [EU.instanceId]: ['vol-0eu'] });
    ec2
      .on(DescribeSnapshotsCommand)
      .rejectsOnce(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .resolves({ Snapshots: [] });
    ec2
      .on(DescribeInstancesCommand)
      .rejectsOnce(ec2Error('InternalError', 'An internal error has occurred', 500))
      .resolves(running(EU.instanceId, ['vol-0eu']));

    const result = await preserveEvidence(anIncident(), [EU], deps());

    expect(result.snapshots[0].status).toBe('created');
  });

  it('gives up after a couple of retries: the instance is failed with the throttling code, the step does not throw', async () => {
    account({ [EU.instanceId]: ['vol-0eu'] });
    ec2.on(CreateSnapshotsCommand).rejects(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const d = deps();

    const result = await preserveEvidence(anIncident(), [EU], d);

    expect(ec2).toHaveReceivedCommandTimes(CreateSnapshotsCommand, 3);
    expect(d.sleep).toHaveBeenCalledTimes(2);
    expect(result.snapshots[0]).toMatchObject({ status: 'failed', error: 'RequestLimitExceeded' });
  });
});

describe('preserveEvidence: dry run', () => {
  it('reads (existing snapshots, the instance) but creates nothing, and says which volumes it would snapshot', async () => {
    account({ [EU.instanceId]: ['vol-0root', 'vol-0data'] });

    const result = await preserveEvidence(anIncident(), [EU], deps({ dryRun: true }));

    expect(ec2).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 1);
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(ec2).not.toHaveReceivedCommand(CreateSnapshotsCommand);
    expect(result).toEqual({
      dryRun: true,
      snapshots: [{ region: 'eu-west-1', instanceId: EU.instanceId, status: 'dry-run', snapshotIds: [], volumeIds: ['vol-0root', 'vol-0data'], state: 'running', operatingSystem: 'Linux' }],
    });
  });

  it('still reports existing snapshots and gone instances as they are', async () => {
    account({});
    ec2.on(DescribeSnapshotsCommand, { Filters: [{ Name: 'tag:exposed-key-responder:access-key-id', Values: [KEY_ID] }, { Name: 'tag:exposed-key-responder:instance-id', Values: [AP.instanceId] }] })
      .resolves({ Snapshots: [{ SnapshotId: 'snap-0ap', VolumeId: 'vol-0ap', State: 'completed' }] });

    const result = await preserveEvidence(anIncident(), [EU, AP], deps({ dryRun: true }));

    expect(result.snapshots.map((s) => s.status)).toEqual(['gone', 'existing']);
    expect(ec2).not.toHaveReceivedCommand(CreateSnapshotsCommand);
  });
});

describe('preserveEvidence: limits and input', () => {
  it(`works on at most ${EVIDENCE_CONCURRENCY} instances at a time, and reports them in the order given`, async () => {
    const ids = Array.from({ length: 10 }, (_, n) => `i-0${String(n).padStart(16, '0')}`);
    let inFlight = 0;
    let peak = 0;
    ec2.on(DescribeSnapshotsCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { Snapshots: [] };
    });
    ec2.on(DescribeInstancesCommand).callsFake(async (input) => running(instanceIdOf(input), [`vol-${instanceIdOf(input).slice(2)}`]));
    ec2.on(CreateSnapshotsCommand).callsFake(async (input) => {
      inFlight--;
      const id = input.InstanceSpecification.InstanceId as string;
      return { Snapshots: [{ SnapshotId: `snap-${id.slice(2)}`, VolumeId: `vol-${id.slice(2)}` }] };
    });

    const result = await preserveEvidence(anIncident(), ids.map((instanceId) => ({ region: 'us-east-2', instanceId, via: 'RunInstances' as const })), deps());

    expect(peak).toBe(EVIDENCE_CONCURRENCY);
    expect(result.snapshots.map((s) => s.instanceId)).toEqual(ids);
    expect(result.snapshots.every((s) => s.status === 'created')).toBe(true);
  });

  it.each([
    ['a region that is not one', [{ region: 'https://evil.example', instanceId: EU.instanceId, via: 'RunInstances' }]],
    ['an id that is not an instance id', [{ region: 'eu-west-1', instanceId: 'vol-0abc', via: 'RunInstances' }]],
    ['an unknown way of touching it', [{ region: 'eu-west-1', instanceId: EU.instanceId, via: 'TerminateInstances' }]],
  ])('throws InvalidIncidentError for %s, without any call', async (_case, instances) => {
    const result = preserveEvidence(anIncident(), instances as EvidenceInstance[], deps());

    await expect(result).rejects.toBeInstanceOf(InvalidIncidentError);
    await expect(result).rejects.toThrow(/^evidence: input does not fit: instances\.0\./);
    expect(ec2).not.toHaveReceivedAnyCommand();
  });
});
