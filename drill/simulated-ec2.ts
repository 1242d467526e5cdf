// The simulated account's EC2 (regions, instances, snapshots), per region, acting on the
// account's own instances and snapshots. StopInstances: simulated-footholds.ts.
import { awsError } from './aws-errors';
import { Scenario } from './scenario';

type Instance = Scenario['instances'][number];

/** An EBS snapshot the responder created. */
export interface SimulatedSnapshot {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly instanceId: string;
  readonly region: string;
  readonly tags: Record<string, string>;
}

export class Ec2Operations {
  constructor(
    private readonly regions: readonly string[],
    private readonly accountId: string,
    private readonly instances: Instance[],
    private readonly snapshots: SimulatedSnapshot[],
    /** A new resource id with this prefix. */
    private readonly id: (prefix: string) => string,
  ) {}

  protected ec2_DescribeRegions() {
    return { Regions: this.regions.map((r) => ({ RegionName: r, Endpoint: `ec2.${r}.amazonaws.com`, OptInStatus: 'opt-in-not-required' })) };
  }

  instance(region: string, instanceId: unknown) {
    const found = this.instances.find((i) => i.region === region && i.instanceId === instanceId);
    if (!found) throw awsError('InvalidInstanceID.NotFound', `The instance ID '${String(instanceId)}' does not exist`);
    return found;
  }

  protected ec2_DescribeInstances(input: Record<string, unknown>, region: string) {
    const ids = (input.InstanceIds as string[] | undefined) ?? this.instances.filter((i) => i.region === region).map((i) => i.instanceId);
    const instances = ids.map((id) => this.instance(region, id));
    return {
      Reservations: instances.map((i) => ({
        Instances: [{
          InstanceId: i.instanceId, State: { Name: i.state }, Placement: { AvailabilityZone: `${region}a`, Tenancy: 'default' },
          ...(i.instanceType ? { InstanceType: i.instanceType } : {}),
          ...(i.launchTime ? { LaunchTime: new Date(i.launchTime) } : {}),
          BlockDeviceMappings: i.volumeIds.map((v) => ({ DeviceName: '/dev/xvda', Ebs: { VolumeId: v } })),
        }],
      })),
    };
  }

  protected ec2_CreateSnapshots(input: Record<string, unknown>, region: string) {
    const spec = input.InstanceSpecification as { InstanceId: string };
    const instance = this.instance(region, spec.InstanceId);
    if (instance.state === 'terminated') throw awsError('IncorrectState', `The instance '${instance.instanceId}' is not in a state from which it can be snapshotted.`);
    const tagSpecs = (input.TagSpecifications as Array<{ Tags?: Array<{ Key: string; Value: string }> }> | undefined) ?? [];
    const tags = Object.fromEntries(tagSpecs.flatMap((t) => t.Tags ?? []).map((t) => [t.Key, t.Value]));
    const created = instance.volumeIds.map((volumeId) => {
      const snapshot: SimulatedSnapshot = { snapshotId: this.id('snap'), volumeId, instanceId: instance.instanceId, region, tags };
      this.snapshots.push(snapshot);
      return snapshot;
    });
    return {
      Snapshots: created.map((c) => ({ SnapshotId: c.snapshotId, VolumeId: c.volumeId, State: 'pending', OwnerId: this.accountId, Tags: Object.entries(c.tags).map(([Key, Value]) => ({ Key, Value })) })),
    };
  }

  protected ec2_DescribeSnapshots(input: Record<string, unknown>, region: string) {
    const filters = (input.Filters as Array<{ Name: string; Values: string[] }> | undefined) ?? [];
    const found = this.snapshots.filter((sn) => sn.region === region).filter((sn) =>
      filters.every((f) => {
        if (f.Name.startsWith('tag:')) return f.Values.includes(sn.tags[f.Name.slice(4)]);
        if (f.Name === 'volume-id') return f.Values.includes(sn.volumeId);
        throw new Error(`the simulated account does not filter snapshots by ${f.Name}`);
      }),
    );
    return { Snapshots: found.map((sn) => ({ SnapshotId: sn.snapshotId, VolumeId: sn.volumeId, State: 'completed', OwnerId: this.accountId, Tags: Object.entries(sn.tags).map(([Key, Value]) => ({ Key, Value })) })) };
  }
}
