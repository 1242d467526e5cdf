import {
  CreateSnapshotsCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  Instance,
  Snapshot,
} from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import * as z from 'zod/mini';
import { setTimeout as wait } from 'node:timers/promises';
import { awsErrorCode, describeError, isTransientAwsError } from '../shared/errors';
import { Incident, IncidentSchema } from '../shared/incident';
import { Log } from '../shared/logger';
import { mapLimit } from '../shared/map-limit';
import { retry, RetriesExhaustedError } from '../shared/retry';
import { parseStepInput } from '../shared/steps';
import { EvidenceResult, InstanceEvidence, SnapshotStatus } from './contract';
import { priceInstances } from './pricing';

export type { EvidenceResult, InstanceEvidence, SnapshotStatus };

/** Tag keys on every snapshot the responder takes: how a retry (or a second incident) finds them. */
export const EVIDENCE_TAGS = {
  incidentId: 'exposed-key-responder:incident-id',
  accessKeyId: 'exposed-key-responder:access-key-id',
  instanceId: 'exposed-key-responder:instance-id',
  source: 'exposed-key-responder:source',
} as const;

/** EC2 tag values: at most 256 characters. */
const MAX_TAG_VALUE = 256;
/** EC2 snapshot descriptions: at most 255 characters. */
const MAX_DESCRIPTION = 255;

/** A commercial, GovCloud, China, ISO or sovereign-cloud region name (eusc-de-east-1): it becomes the EC2 client's region. */
const REGION = z.string().check(z.regex(/^[a-z]{2,}(-[a-z]+)+-\d{1,2}$/, 'not an AWS region name'));
/** An EC2 instance id; lenient on the length (a malformed one is reported `gone` by EC2 itself). */
const INSTANCE_ID = z.string().check(z.regex(/^i-[0-9a-zA-Z]{1,32}$/, 'not an EC2 instance id'));

export const EvidenceInstanceSchema = z.object({
  region: REGION,
  instanceId: INSTANCE_ID,
  /** How the exposed key touched it. */
  via: z.enum(['RunInstances', 'StartInstances']),
});
export type EvidenceInstance = z.infer<typeof EvidenceInstanceSchema>;

/** The workflow passes `$.investigation.leftBehind.instances`. */
export const EvidenceInputSchema = z.object({
  incident: IncidentSchema,
  instances: z.array(EvidenceInstanceSchema),
});
export type EvidenceInput = z.infer<typeof EvidenceInputSchema>;

export interface EvidenceConfig {
  /** Read what exists, create nothing. */
  readonly dryRun: boolean;
}

export interface EvidenceDeps {
  /** The EC2 client of one region: each instance is snapshotted in its own region. */
  readonly ec2: (region: string) => EC2Client;
  /** The Price List API (us-east-1): the hourly on-demand price of what was described. Absent: no prices. */
  readonly pricing?: PricingClient;
  readonly logger: Log;
  readonly config: EvidenceConfig;
  readonly now?: () => Date;
  /** Backoff between in-Lambda retries; tests pass one that does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Instances snapshotted at once: EC2's CreateSnapshots is throttled per account and region. */
export const EVIDENCE_CONCURRENCY = 4;
/** Retries of a throttled or failing EC2 call, after the SDK's own, before the instance is `failed`. */
export const EVIDENCE_RETRIES = 2;
const BACKOFF_MS = 500;

const GONE_CODES = new Set(['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed']);
const GONE_STATES = new Set(['terminated', 'shutting-down']);


/**
 * Takes EBS snapshots of every volume of each instance the exposed key launched or started, in the
 * instance's own region, before anyone cleans up. Only the instances given are touched. One
 * instance that cannot be snapshotted is reported `failed` and never stops the others; only input
 * that does not fit throws ({@link InvalidIncidentError}).
 */
export async function preserveEvidence(
  incident: Incident,
  instances: EvidenceInstance[],
  deps: EvidenceDeps,
): Promise<EvidenceResult> {
  const input = parseStepInput(EvidenceInputSchema, { incident, instances }, 'evidence');
  // The same instance launched and later started again is one instance, snapshotted once.
  const unique = new Map<string, EvidenceInstance>();
  for (const instance of input.instances) unique.set(`${instance.region}/${instance.instanceId}`, instance);
  const preserved = await mapLimit([...unique.values()], EVIDENCE_CONCURRENCY, (instance) =>
    preserveOne(input.incident, instance, deps),
  );
  const snapshots = await priceInstances(preserved, deps);
  deps.logger.info('evidence preserved', {
    dryRun: deps.config.dryRun,
    instances: snapshots.length,
    statuses: snapshots.map((s) => `${s.region}/${s.instanceId}: ${s.status}`),
  });
  return { snapshots, dryRun: deps.config.dryRun };
}

async function preserveOne(incident: Incident, instance: EvidenceInstance, deps: EvidenceDeps): Promise<InstanceEvidence> {
  const { region, instanceId } = instance;
  const base = { region, instanceId };
  const log = (message: string, extra: Record<string, unknown> = {}) => deps.logger.info(message, { region, instanceId, ...extra });
  let operation = 'DescribeInstances';
  try {
    const ec2 = deps.ec2(region);

    // The look-up only avoids duplicates: when it fails, snapshots are taken all the same (a
    // duplicate costs little, lost evidence a lot) and the failed look-up is reported with them.
    let lookupError: string | undefined;
    const existing = await findSnapshots(ec2, incident, instanceId, deps).catch((err: unknown) => {
      lookupError = `DescribeSnapshots ${awsErrorCode(err) ?? 'Error'}: snapshots taken without checking for earlier ones`;
      deps.logger.warn('could not look for earlier snapshots: taking new ones', { region, instanceId, error: describeError(err) });
      return [];
    });
    if (existing.length > 0) {
      log('snapshots already taken: nothing created', { snapshotIds: existing.map((s) => s.SnapshotId) });
      // Described for the cost exposure only: a failure here takes nothing from the evidence.
      const described = await describeInstance(ec2, instanceId, deps).catch(() => undefined);
      return { ...base, status: 'existing', ...ids(existing), ...described?.details };
    }

    const found = await describeInstance(ec2, instanceId, deps);
    if (!found.exists) {
      log('instance gone: nothing to preserve', { state: found.state });
      return { ...base, status: 'gone', snapshotIds: [], volumeIds: [], ...found.details };
    }

    if (deps.config.dryRun) {
      log('dry run: would snapshot', { volumeIds: found.volumeIds });
      return { ...base, status: 'dry-run', snapshotIds: [], volumeIds: found.volumeIds, ...found.details };
    }

    operation = 'CreateSnapshots';
    const out = await withRetries(deps, () =>
      ec2.send(
        new CreateSnapshotsCommand({
          InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: false },
          Description: truncate(
            `exposed-key-responder: incident ${incident.incidentId}, instance ${instanceId} (${instance.via} by access key ${incident.accessKeyId})`,
            MAX_DESCRIPTION,
          ),
          CopyTagsFromSource: 'volume',
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: snapshotTags(incident, instanceId) }],
        }),
      ),
    );
    const created = (out.Snapshots ?? []).map((s) => ({ SnapshotId: s.SnapshotId, VolumeId: s.VolumeId }));
    log('snapshots started', { snapshotIds: created.map((s) => s.SnapshotId) });
    return { ...base, status: 'created', ...ids(created), ...found.details, ...(lookupError ? { error: lookupError } : {}) };
  } catch (err) {
    const error = awsErrorCode(err) ?? 'Error';
    deps.logger.warn('could not preserve the instance', { region, instanceId, operation, error: describeError(err) });
    return { ...base, status: 'failed', snapshotIds: [], volumeIds: [], error };
  }
}

/** The tags every evidence snapshot carries (CopyTagsFromSource adds the volume's own). */
export function snapshotTags(incident: Incident, instanceId: string): Array<{ Key: string; Value: string }> {
  return [
    { Key: EVIDENCE_TAGS.incidentId, Value: incident.incidentId },
    { Key: EVIDENCE_TAGS.accessKeyId, Value: incident.accessKeyId },
    { Key: EVIDENCE_TAGS.instanceId, Value: instanceId },
    { Key: EVIDENCE_TAGS.source, Value: truncate(`${incident.source}: ${incident.detail}`, MAX_TAG_VALUE) },
    { Key: 'Name', Value: truncate(`evidence ${incident.incidentId} ${instanceId}`, MAX_TAG_VALUE) },
  ];
}

/** This account's usable snapshots tagged for this key and instance (one in `error` state is no evidence). */
async function findSnapshots(ec2: EC2Client, incident: Incident, instanceId: string, deps: EvidenceDeps): Promise<Snapshot[]> {
  const found: Snapshot[] = [];
  let nextToken: string | undefined;
  do {
    const page = await withRetries(deps, () =>
      ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [
            { Name: `tag:${EVIDENCE_TAGS.accessKeyId}`, Values: [incident.accessKeyId] },
            { Name: `tag:${EVIDENCE_TAGS.instanceId}`, Values: [instanceId] },
          ],
          NextToken: nextToken,
        }),
      ),
    );
    found.push(...(page.Snapshots ?? []).filter((s) => s.State !== 'error'));
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return found;
}

async function describeInstance(
  ec2: EC2Client,
  instanceId: string,
  deps: EvidenceDeps,
): Promise<{ exists: boolean; state?: string; volumeIds: string[]; details?: InstanceDetails }> {
  try {
    const out = await withRetries(deps, () => ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })));
    const instance = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
    const state = instance?.State?.Name;
    const details = instance ? detailsOf(instance) : undefined;
    if (!instance || (state && GONE_STATES.has(state))) return { exists: false, state, volumeIds: [], details };
    const volumeIds = (instance.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.VolumeId ? [m.Ebs.VolumeId] : []));
    return { exists: true, state, volumeIds, details };
  } catch (err) {
    if (GONE_CODES.has(awsErrorCode(err) ?? '')) return { exists: false, volumeIds: [] };
    throw err;
  }
}

/** An EC2 instance type as AWS names them (m5.large, u-6tb1.metal); anything else is not priced or shown. */
const INSTANCE_TYPE = /^[a-z0-9-]{1,32}\.[a-z0-9-]{1,32}$/;

type InstanceDetails = Pick<InstanceEvidence, 'instanceType' | 'state' | 'launchTime' | 'operatingSystem' | 'tenancy'>;

/** What DescribeInstances says that the cost exposure needs; a field it does not say is left out. */
function detailsOf(instance: Instance): InstanceDetails {
  const launch = instance.LaunchTime instanceof Date ? instance.LaunchTime : instance.LaunchTime ? new Date(instance.LaunchTime) : undefined;
  const details: { -readonly [K in keyof InstanceDetails]: InstanceDetails[K] } = {
    operatingSystem: instance.Platform?.toLowerCase() === 'windows' ? 'Windows' : 'Linux',
  };
  if (instance.InstanceType && INSTANCE_TYPE.test(instance.InstanceType)) details.instanceType = instance.InstanceType;
  if (instance.State?.Name) details.state = instance.State.Name;
  if (launch && !Number.isNaN(launch.getTime())) details.launchTime = launch.toISOString();
  if (instance.Placement?.Tenancy) details.tenancy = instance.Placement.Tenancy;
  return details;
}

/**
 * Retries a transient failure (throttling, 5xx) {@link EVIDENCE_RETRIES} times with exponential
 * backoff (the shared loop); the last failure is thrown as AWS gave it, for the evidence entry.
 */
function withRetries<T>(deps: EvidenceDeps, call: () => Promise<T>): Promise<T> {
  return retry(call, { attempts: EVIDENCE_RETRIES + 1, baseDelayMs: BACKOFF_MS, sleep: deps.sleep ?? wait, isRetryable: isTransientAwsError }).catch(
    (err: unknown) => {
      throw err instanceof RetriesExhaustedError ? err.last : err;
    },
  );
}

function ids(snapshots: Array<Pick<Snapshot, 'SnapshotId' | 'VolumeId'>>): { snapshotIds: string[]; volumeIds: string[] } {
  const snapshotIds = snapshots.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
  const volumeIds = [...new Set(snapshots.flatMap((s) => (s.VolumeId ? [s.VolumeId] : [])))];
  return { snapshotIds, volumeIds };
}

/** At most `max` characters (code points, so a surrogate pair is never split). */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 3).join('')}...`;
}
