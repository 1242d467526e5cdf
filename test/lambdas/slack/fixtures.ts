import { REVOKE_SESSIONS_POLICY_NAME } from '../../../lambdas/shared/policies';
import type { EvidenceResult } from '../../../lambdas/evidence/contract';
import type { Investigation } from '../../../lambdas/investigate/contract';
import type { ReportOutput } from '../../../lambdas/report/contract';
import { StepResult, Verification } from '../../../lambdas/shared/steps';
import { SlackInput } from '../../../lambdas/slack/contract';
import { anIncident, KEY_ID, OTHER_KEY_ID, REVOKE_BEFORE } from '../helpers';

export const EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:exposed-key-response:AKIAIOSFODNN7EXAMPLE-20261120';
export const AT = '2026-11-20T10:00:01.000Z';
export const REPORT_URL =
  'https://s3.console.aws.amazon.com/s3/object/incident-bucket?prefix=incidents/AKIAIOSFODNN7EXAMPLE-20261120/report.md';

/** The webhook's path is its secret: tests look for this in everything logged or returned. */
export const WEBHOOK_TOKEN = 'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
export const WEBHOOK_URL = `https://hooks.slack.com/services/${WEBHOOK_TOKEN}`;
export const ROTATED_TOKEN = 'T00000000/B11111111/YYYYYYYYYYYYYYYYYYYYYYYY';
export const ROTATED_URL = `https://hooks.slack.com/services/${ROTATED_TOKEN}`;
export const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:exposed-key-responder/slack-AbCdEf';

export function done(action: string, detail: string): StepResult {
  return { action, status: 'done', detail, at: AT };
}

export const CONTAINED: StepResult[] = [
  done('deactivate-key', `set access key ${KEY_ID} of user ci-deploy Inactive`),
  done('revoke-sessions', `deny every session of user ci-deploy issued before ${REVOKE_BEFORE} (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`),
  done('quarantine', 'attach quarantine policy arn:aws:iam::123456789012:policy/q to user ci-deploy'),
];

export const VERIFIED: Verification = {
  status: 'verified',
  keyStatus: 'Inactive',
  otherKeys: [{ accessKeyId: OTHER_KEY_ID, status: 'Active' }],
  sessionsRevokedBefore: REVOKE_BEFORE,
  quarantineAttached: true,
  checkedAt: '2026-11-20T10:00:03.000Z',
  problems: [],
};

export const INVESTIGATION: Investigation = {
  lookback: { from: '2026-11-10T10:00:00Z', to: '2026-11-20T10:00:00Z', days: 10 },
  regions: ['us-east-1', 'eu-west-1', 'ap-south-1'],
  pages: 3,
  eventCount: 7,
  firstSeen: '2026-11-20T09:40:00Z',
  lastSeen: '2026-11-20T09:58:00Z',
  byRegion: { 'us-east-1': 3, 'eu-west-1': 4 },
  byService: { 'iam.amazonaws.com': 3, 'ec2.amazonaws.com': 4 },
  sourceIps: [{ value: '203.0.113.7', count: 7 }],
  userAgents: [],
  notable: [],
  leftBehind: {
    users: ['backdoor'],
    accessKeys: [{ userName: 'backdoor', accessKeyId: 'AKIABACKDOOREXAMPLE1' }],
    loginProfiles: [],
    roles: [],
    policies: [],
    instances: [{ region: 'eu-west-1', instanceId: 'i-0miner', via: 'RunInstances' }],
  },
  reach: { attachedPolicies: [], inlinePolicies: [], groups: [], allowedHighRisk: [], deniedHighRisk: [] },
  failures: [],
  truncated: [],
  dryRun: false,
};

export const EVIDENCE: EvidenceResult = {
  snapshots: [{ region: 'eu-west-1', instanceId: 'i-0miner', status: 'created', snapshotIds: ['snap-0abc'], volumeIds: ['vol-0abc'] }],
  dryRun: false,
};

export const REPORT: ReportOutput = {
  bucket: 'incident-bucket',
  jsonKey: 'incidents/AKIAIOSFODNN7EXAMPLE-20261120/report.json',
  markdownKey: 'incidents/AKIAIOSFODNN7EXAMPLE-20261120/report.md',
  consoleUrl: REPORT_URL,
  outcome: 'contained',
  failures: 0,
  complete: true,
};

/** The whole workflow state after a clean response. */
export function fullInput(overrides: Partial<SlackInput> = {}): SlackInput {
  return {
    incident: anIncident(),
    executionId: EXECUTION_ID,
    containment: CONTAINED,
    verification: VERIFIED,
    investigation: INVESTIGATION,
    evidence: EVIDENCE,
    report: REPORT,
    support: { status: 'communication-added', caseId: 'case-123456789012-2026-abc', displayId: '1234567890' },
    ...overrides,
  };
}

/** A Lambda error as Step Functions puts it in a Catch. */
export function lambdaError(errorType: string, errorMessage: string): { Error: string; Cause: string } {
  return { Error: errorType, Cause: JSON.stringify({ errorType, errorMessage, trace: [] }) };
}
