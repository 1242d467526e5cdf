import type { EvidenceResult } from '../../../lambdas/evidence/contract';
import type { Investigation } from '../../../lambdas/investigate/contract';
import type { Incident } from '../../../lambdas/shared/incident';
import { WorkflowState } from '../../../lambdas/shared/state';
import { StepFailure, StepResult, Verification } from '../../../lambdas/shared/steps';
import { anIncident, KEY_ID } from '../helpers';

export const EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:ExposedKeyResponse:AKIAIOSFODNN7EXAMPLE-20261120';
export const GENERATED_AT = new Date('2026-11-20T10:03:00.000Z');

export function containment(status: StepResult['status'] = 'done'): Array<StepResult | StepFailure> {
  return [
    { action: 'deactivate-key', status, detail: `set access key ${KEY_ID} of user ci-deploy Inactive`, at: '2026-11-20T10:00:01.200Z' },
    { action: 'revoke-sessions', status, detail: 'deny every session of user ci-deploy issued before 2026-11-20T10:05:00.000Z', at: '2026-11-20T10:00:01.100Z' },
    { action: 'quarantine', status, detail: 'attach quarantine policy arn:aws:iam::123456789012:policy/q to user ci-deploy', at: '2026-11-20T10:00:01.300Z' },
  ];
}

export function verification(overrides: Partial<Verification> = {}): Verification {
  return {
    status: 'verified',
    keyStatus: 'Inactive',
    otherKeys: [],
    sessionsRevokedBefore: '2026-11-20T10:05:00.000Z',
    quarantineAttached: true,
    checkedAt: '2026-11-20T10:00:02.000Z',
    problems: [],
    ...overrides,
  };
}

/** What the investigate Lambda outputs. */
export function investigation(overrides: Partial<Investigation> = {}): Investigation {
  return {
    lookback: { from: '2026-11-10T10:00:00.000Z', to: '2026-11-20T10:00:02.000Z', days: 10 },
    regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
    pages: 3,
    eventCount: 42,
    firstSeen: '2026-11-20T09:40:00.000Z',
    lastSeen: '2026-11-20T09:58:00.000Z',
    byRegion: { 'eu-west-1': 30, 'ap-southeast-2': 10, 'us-east-1': 2 },
    byService: { 'ec2.amazonaws.com': 38, 'iam.amazonaws.com': 3, 'sts.amazonaws.com': 1 },
    sourceIps: [{ value: '203.0.113.7', count: 40 }, { value: '198.51.100.9', count: 2 }],
    userAgents: [{ value: 'aws-cli/2.15.0 <script>alert(1)</script> | evil', count: 42 }],
    notable: [
      {
        eventTime: '2026-11-20T09:41:00.000Z',
        region: 'eu-west-1',
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        accessKeyId: KEY_ID,
        sourceIp: '203.0.113.7',
        summary: 'launched i-0aaaaaaaaaaaaaaa1 (p4d.24xlarge)',
      },
      {
        eventTime: '2026-11-20T09:45:00.000Z',
        region: 'us-east-1',
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreateUser',
        accessKeyId: KEY_ID,
        sourceIp: '203.0.113.7',
        summary: 'created user backdoor',
      },
    ],
    leftBehind: {
      users: ['backdoor'],
      accessKeys: [{ userName: 'backdoor', accessKeyId: 'AKIABACKDOOR00000001' }],
      loginProfiles: ['backdoor'],
      roles: [],
      policies: [],
      instances: [
        { region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', via: 'RunInstances' },
        { region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa2', via: 'RunInstances' },
        { region: 'ap-southeast-2', instanceId: 'i-0bbbbbbbbbbbbbbb1', via: 'StartInstances' },
      ],
    },
    reach: {
      attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      inlinePolicies: [],
      groups: [{ groupName: 'deployers', attachedPolicies: [], inlinePolicies: ['deploy'] }],
      allowedHighRisk: ['iam:CreateUser', 'ec2:RunInstances'],
      deniedHighRisk: [],
      allowedBeforeContainment: ['iam:CreateUser', 'ec2:RunInstances', 's3:GetObject'],
    },
    activityObject: 's3://exposed-key-responder-incidents-123456789012/incidents/AKIAIOSFODNN7EXAMPLE-20261120/activity.jsonl',
    failures: [],
    truncated: [],
    dryRun: false,
    ...overrides,
  };
}

/** What the evidence Lambda outputs. */
export function evidence(overrides: Partial<EvidenceResult> = {}): EvidenceResult {
  return {
    snapshots: [
      { region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', status: 'created', snapshotIds: ['snap-0eu1root', 'snap-0eu1data'], volumeIds: ['vol-0eu1root', 'vol-0eu1data'] },
      { region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa2', status: 'existing', snapshotIds: ['snap-0eu2root'], volumeIds: ['vol-0eu2root'] },
      { region: 'ap-southeast-2', instanceId: 'i-0bbbbbbbbbbbbbbb1', status: 'gone', snapshotIds: [], volumeIds: [] },
    ],
    dryRun: false,
    ...overrides,
  };
}

/** The workflow's state at the end of a response where everything worked. */
export function aState(overrides: Partial<WorkflowState> = {}, incident: Partial<Incident> = {}): WorkflowState {
  return {
    incident: anIncident(incident),
    executionId: EXECUTION_ID,
    containment: containment(),
    verification: verification(),
    investigation: investigation(),
    evidence: evidence(),
    ...overrides,
  };
}

/** A Lambda error as a Catch records it. */
export function lambdaError(errorType: string, errorMessage: string): { Error: string; Cause: string } {
  return { Error: errorType, Cause: JSON.stringify({ errorType, errorMessage, trace: [] }) };
}
