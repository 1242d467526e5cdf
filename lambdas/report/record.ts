/**
 * The incident record, pure: what report.json says, built from the workflow's state. No AWS client
 * here, so the support and slack Lambdas can build it without bundling S3.
 */
import * as z from 'zod/mini';
import type { InstanceEvidence, SnapshotStatus } from '../evidence/evidence';
import { Incident } from '../shared/incident';
import { REVOKE_SESSIONS_POLICY_NAME } from '../shared/policies';
import { CheckedStateShape, StepFailure, StepResult, Verification } from '../shared/steps';

/**
 * The workflow's whole state at its end. `investigation` and `evidence` are read defensively: each
 * is the step's output or `{ failed: { step, error } }`, and a field that is missing or of another
 * shape is left out of the report rather than failing it. Other keys are kept, so a step added later
 * whose Catch puts `{ failed }` in the state still shows up among the failures.
 */
export const ReportInputSchema = z.looseObject(CheckedStateShape);
export type ReportInput = z.infer<typeof ReportInputSchema>;

export const OUTCOMES = ['contained', 'contained-with-gaps', 'escalated', 'dry-run', 'failed'] as const;
/**
 * contained: containment done and nothing failed; contained-with-gaps: contained, but something
 * else (investigation, evidence, a later step) failed; escalated: root or protected user, nothing
 * was changed, a human must act; dry-run: nothing was changed on purpose; failed: the workflow failed.
 */
export type Outcome = (typeof OUTCOMES)[number];

export interface ReportFailure {
  /** Where it was reported: containment, investigation, evidence, workflow, or another state key. */
  readonly source: string;
  /** What failed: a step, an operation, a snapshot. */
  readonly what: string;
  readonly error: string;
}

export interface TimelineEntry {
  readonly at: string;
  readonly event: string;
}

export interface ContainmentEntry {
  readonly action: string;
  readonly status: StepResult['status'] | 'failed';
  readonly detail: string;
  readonly at?: string;
}

export interface CountEntry {
  readonly value: string;
  readonly count: number;
}

export interface NotableCall {
  readonly eventTime: string;
  readonly region: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly accessKeyId?: string;
  readonly sourceIp?: string;
  readonly errorCode?: string;
  readonly summary: string;
}

/** What the key did, as the investigation saw it. */
export interface ActivitySummary {
  readonly lookback?: { from: string; to: string; days?: number };
  readonly regions: string[];
  readonly eventCount: number;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly byRegion: Record<string, number>;
  readonly byService: Record<string, number>;
  readonly sourceIps: CountEntry[];
  readonly userAgents: CountEntry[];
  readonly notable: NotableCall[];
  /** Where the full CloudTrail activity was saved (incident bucket). */
  readonly activityObject?: string;
}

/** What the key's user can do. */
export interface Reach {
  readonly attachedPolicies: string[];
  readonly inlinePolicies: string[];
  readonly groups: Array<{ groupName: string; attachedPolicies: string[]; inlinePolicies: string[] }>;
  readonly allowedHighRisk: string[];
  readonly deniedHighRisk: string[];
  /** High-risk actions the user's own policies allowed before any quarantine, when known. */
  readonly allowedBeforeContainment?: string[];
}

export interface LeftBehindInstance {
  readonly instanceId: string;
  readonly via: string;
}

/** What the key created; instances grouped by region. */
export interface LeftBehind {
  readonly users: string[];
  readonly accessKeys: Array<{ userName: string; accessKeyId?: string }>;
  readonly loginProfiles: string[];
  readonly roles: string[];
  readonly policies: string[];
  readonly instancesByRegion: Record<string, LeftBehindInstance[]>;
}

export interface EvidenceSummary {
  readonly dryRun: boolean;
  readonly snapshots: InstanceEvidence[];
}

/** `report.json`: everything known about one incident, in one document. */
export interface IncidentReport {
  readonly reportVersion: 1;
  readonly incidentId: string;
  readonly generatedAt: string;
  readonly outcome: Outcome;
  readonly headline: string;
  readonly incident: Incident;
  readonly executionId?: string;
  readonly timeline: TimelineEntry[];
  readonly containment: ContainmentEntry[];
  readonly verification?: Verification;
  /** Absent when the investigation did not run or failed. */
  readonly activity?: ActivitySummary;
  readonly reach?: Reach;
  readonly leftBehind?: LeftBehind;
  /** Absent when the evidence step did not run or failed. */
  readonly evidence?: EvidenceSummary;
  /** Everything that failed, from every step. */
  readonly failures: ReportFailure[];
  /** What a human still owes, in order. */
  readonly followUps: string[];
}

const KNOWN_KEYS = new Set(['incident', 'executionId', 'containment', 'verification', 'investigation', 'evidence', 'failure']);
const SNAPSHOT_STATUSES: ReadonlySet<string> = new Set<SnapshotStatus>(['created', 'existing', 'gone', 'dry-run', 'failed']);

// ---------------------------------------------------------------------------------------------
// Defensive readers: the investigation and evidence outputs are read field by field.

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function strings(value: unknown): string[] {
  return list(value).filter((v): v is string => typeof v === 'string');
}

function counts(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, count] of Object.entries(obj(value) ?? {})) {
    const n = num(count);
    if (n !== undefined) out[key] = n;
  }
  return out;
}

function countList(value: unknown): CountEntry[] {
  return list(value).flatMap((entry) => {
    const e = obj(entry);
    const v = str(e?.value);
    const count = num(e?.count);
    return v !== undefined && count !== undefined ? [{ value: v, count }] : [];
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * A caught error, readable: a Lambda error's Cause is a JSON document whose `errorMessage` is what a
 * human wants; anything else is shown as it is.
 */
export function explainError(error: unknown): string {
  if (typeof error === 'string') return error;
  const e = obj(error);
  if (!e) return 'unknown error';
  const name = str(e.Error) ?? str(e.name) ?? str(e.errorType) ?? 'Error';
  let cause = str(e.Cause) ?? str(e.message) ?? str(e.errorMessage) ?? '';
  try {
    const parsed = obj(JSON.parse(cause));
    if (typeof parsed?.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // not JSON: keep it as it is
  }
  return cause ? `${name}: ${cause}` : name;
}

/** `{ failed: { step, error } }`, as the workflow's Catch leaves it, or undefined. */
function caught(value: unknown): { step: string; error: string } | undefined {
  const failed = obj(obj(value)?.failed);
  if (!failed) return undefined;
  return { step: str(failed.step) ?? 'unknown step', error: explainError(failed.error) };
}

function isStepFailure(step: StepResult | StepFailure): step is StepFailure {
  return 'failed' in step;
}

// ---------------------------------------------------------------------------------------------
// Readers of each step's output.

function readActivity(investigation: Obj): ActivitySummary {
  const lookback = obj(investigation.lookback);
  const from = str(lookback?.from);
  const to = str(lookback?.to);
  return {
    ...(from && to ? { lookback: { from, to, ...optional('days', num(lookback?.days)) } } : {}),
    regions: strings(investigation.regions),
    eventCount: num(investigation.eventCount) ?? 0,
    ...optional('firstSeen', str(investigation.firstSeen)),
    ...optional('lastSeen', str(investigation.lastSeen)),
    byRegion: counts(investigation.byRegion),
    byService: counts(investigation.byService),
    sourceIps: countList(investigation.sourceIps),
    userAgents: countList(investigation.userAgents),
    notable: list(investigation.notable).flatMap((entry): NotableCall[] => {
      const e = obj(entry);
      const eventTime = str(e?.eventTime);
      const eventName = str(e?.eventName);
      if (!e || !eventTime || !eventName) return [];
      return [
        {
          eventTime,
          region: str(e.region) ?? '',
          eventSource: str(e.eventSource) ?? '',
          eventName,
          ...optional('accessKeyId', str(e.accessKeyId)),
          ...optional('sourceIp', str(e.sourceIp)),
          ...optional('errorCode', str(e.errorCode)),
          summary: str(e.summary) ?? '',
        },
      ];
    }),
    ...optional('activityObject', str(investigation.activityObject)),
  };
}

function readReach(value: unknown): Reach | undefined {
  const reach = obj(value);
  if (!reach) return undefined;
  return {
    attachedPolicies: strings(reach.attachedPolicies),
    inlinePolicies: strings(reach.inlinePolicies),
    groups: list(reach.groups).flatMap((entry) => {
      const g = obj(entry);
      const groupName = str(g?.groupName);
      return groupName
        ? [{ groupName, attachedPolicies: strings(g?.attachedPolicies), inlinePolicies: strings(g?.inlinePolicies) }]
        : [];
    }),
    allowedHighRisk: strings(reach.allowedHighRisk),
    deniedHighRisk: strings(reach.deniedHighRisk),
    ...optional('allowedBeforeContainment', Array.isArray(reach.allowedBeforeContainment) ? strings(reach.allowedBeforeContainment) : undefined),
  };
}

function readLeftBehind(value: unknown): LeftBehind | undefined {
  const left = obj(value);
  if (!left) return undefined;
  const instancesByRegion: Record<string, LeftBehindInstance[]> = {};
  for (const entry of list(left.instances)) {
    const i = obj(entry);
    const region = str(i?.region);
    const instanceId = str(i?.instanceId);
    if (!region || !instanceId) continue;
    const inRegion = (instancesByRegion[region] ??= []);
    if (!inRegion.some((x) => x.instanceId === instanceId)) inRegion.push({ instanceId, via: str(i?.via) ?? 'unknown' });
  }
  return {
    users: strings(left.users),
    accessKeys: list(left.accessKeys).flatMap((entry) => {
      const k = obj(entry);
      const userName = str(k?.userName);
      return userName ? [{ userName, ...optional('accessKeyId', str(k?.accessKeyId)) }] : [];
    }),
    loginProfiles: strings(left.loginProfiles),
    roles: strings(left.roles),
    policies: strings(left.policies),
    instancesByRegion,
  };
}

function readEvidence(evidence: Obj): EvidenceSummary {
  const snapshots = list(evidence.snapshots).flatMap((entry): InstanceEvidence[] => {
    const s = obj(entry);
    const region = str(s?.region);
    const instanceId = str(s?.instanceId);
    if (!s || !region || !instanceId) return [];
    const status = str(s.status) ?? '';
    const known = SNAPSHOT_STATUSES.has(status);
    const error = str(s.error) ?? (known ? undefined : `unknown status "${status}"`);
    return [
      {
        region,
        instanceId,
        status: (known ? status : 'failed') as SnapshotStatus,
        snapshotIds: strings(s.snapshotIds),
        volumeIds: strings(s.volumeIds),
        ...optional('error', error),
      },
    ];
  });
  return { dryRun: evidence.dryRun === true, snapshots };
}

// ---------------------------------------------------------------------------------------------

/** Everything that failed, from every step, in the order of the workflow. */
function collectFailures(input: ReportInput, investigation: Obj | undefined, evidence: EvidenceSummary | undefined): ReportFailure[] {
  const failures: ReportFailure[] = [];
  const containment = input.containment ?? [];
  for (const step of containment) {
    if (isStepFailure(step)) failures.push({ source: 'containment', what: step.failed.step, error: explainError(step.failed.error) });
  }
  if (containment.length === 0 && !input.failure && !escalation(input.incident)) {
    failures.push({ source: 'containment', what: 'Contain', error: 'no containment result in the workflow state' });
  }
  const investigationFailed = caught(input.investigation);
  if (investigationFailed) failures.push({ source: 'investigation', what: investigationFailed.step, error: investigationFailed.error });
  for (const entry of list(investigation?.failures)) {
    const f = obj(entry);
    if (f) failures.push({ source: 'investigation', what: str(f.what) ?? 'investigation', error: explainError(f.error) });
  }
  const evidenceFailed = caught(input.evidence);
  if (evidenceFailed) failures.push({ source: 'evidence', what: evidenceFailed.step, error: evidenceFailed.error });
  for (const s of evidence?.snapshots ?? []) {
    if (s.status === 'failed') {
      failures.push({ source: 'evidence', what: `snapshots of instance ${s.instanceId} in ${s.region}`, error: s.error ?? 'unknown error' });
    }
  }
  for (const [key, value] of Object.entries(input)) {
    if (KNOWN_KEYS.has(key)) continue;
    const failed = caught(value);
    if (failed) failures.push({ source: key, what: failed.step, error: failed.error });
  }
  if (input.failure) failures.push({ source: 'workflow', what: input.failure.step, error: explainError(input.failure.error) });
  return failures;
}

/** Why no one may act automatically on this principal, or undefined. */
function escalation(incident: Incident): string | undefined {
  if (incident.principalType === 'root') return 'ROOT access key exposed: the root user must act now, by hand';
  if (incident.protectedPrincipal) return `Protected user ${incident.userName}: nothing was changed, a human must act now`;
  return undefined;
}

function decideOutcome(
  input: ReportInput,
  evidence: EvidenceSummary | undefined,
  investigation: Obj | undefined,
  failures: ReportFailure[],
): { outcome: Outcome; headline: string } {
  if (input.failure) {
    const branches = (input.containment ?? []).filter(isStepFailure).map((s) => s.failed.step);
    const steps = branches.length > 0 ? branches : [input.failure.step];
    return { outcome: 'failed', headline: `Response FAILED at step ${steps.join(', ')}` };
  }
  const escalated = escalation(input.incident);
  if (escalated) return { outcome: 'escalated', headline: escalated };
  const dryRun =
    (input.containment ?? []).some((s) => !isStepFailure(s) && s.status === 'dry-run') ||
    input.verification?.status === 'dry-run' ||
    evidence?.dryRun === true ||
    (evidence?.snapshots ?? []).some((s) => s.status === 'dry-run') ||
    investigation?.dryRun === true;
  if (dryRun) return { outcome: 'dry-run', headline: 'Dry run: nothing was changed' };
  if (failures.length > 0) {
    return {
      outcome: 'contained-with-gaps',
      headline: `Exposed access key contained, with gaps: ${failures.length} ${failures.length === 1 ? 'thing' : 'things'} failed`,
    };
  }
  return { outcome: 'contained', headline: 'Exposed access key contained' };
}

function buildTimeline(input: ReportInput, activity: ActivitySummary | undefined, generatedAt: string): TimelineEntry[] {
  const { incident } = input;
  const entries: TimelineEntry[] = [];
  if (activity?.firstSeen) entries.push({ at: activity.firstSeen, event: 'First call by the key seen in CloudTrail (lookback window)' });
  if (activity?.lastSeen && activity.lastSeen !== activity.firstSeen) {
    entries.push({ at: activity.lastSeen, event: 'Last call by the key seen in CloudTrail' });
  }
  entries.push({ at: incident.detectedAt, event: `Exposure reported: ${incident.detail}` });
  entries.push({ at: incident.dispatchedAt, event: 'Response started' });
  for (const step of input.containment ?? []) {
    if (!isStepFailure(step)) entries.push({ at: step.at, event: `Containment ${step.action} ${step.status}: ${step.detail}` });
  }
  if (input.verification) {
    const v = input.verification;
    entries.push({ at: v.checkedAt, event: `Verification: ${v.status}${v.problems.length > 0 ? ` (${v.problems.join('; ')})` : ''}` });
  }
  entries.push({ at: generatedAt, event: 'Report written' });
  // Stable: equal times keep the order above; an unreadable time goes last.
  const time = (at: string) => {
    const ms = Date.parse(at);
    return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
  };
  return entries.map((e, i) => ({ e, i })).sort((a, b) => time(a.e.at) - time(b.e.at) || a.i - b.i).map(({ e }) => e);
}

function buildFollowUps(
  input: ReportInput,
  outcome: Outcome,
  leftBehind: LeftBehind | undefined,
  evidence: EvidenceSummary | undefined,
  failures: ReportFailure[],
): string[] {
  const { incident } = input;
  const key = incident.accessKeyId;
  const steps: string[] = [];
  if (incident.principalType === 'root') {
    steps.push(
      `Sign in as the root user NOW (Security credentials page) and deactivate, then delete, access key ${key}: root keys cannot be changed from inside the account, so this responder did not touch it.`,
      'Change the root password and check its MFA device.',
    );
  } else if (incident.protectedPrincipal) {
    steps.push(
      `${incident.userName} is protected: decide now whether to deactivate key ${key} (aws iam update-access-key --user-name ${incident.userName} --access-key-id ${key} --status Inactive).`,
      'Rotate the key in the application that uses it.',
    );
  } else if (outcome === 'dry-run') {
    steps.push(
      `This was a dry run: key ${key} of ${incident.userName} was NOT deactivated. Contain it by hand now (aws iam update-access-key --user-name ${incident.userName} --access-key-id ${key} --status Inactive), or deploy with dry run off.`,
    );
  } else {
    if (outcome === 'failed') {
      steps.push(
        `The response failed: check that key ${key} of ${incident.userName} is Inactive, that ${REVOKE_SESSIONS_POLICY_NAME} is on the user and the quarantine policy attached; finish by hand what is missing.`,
      );
    }
    steps.push(
      `Rotate the key in the application that used it: create a new key for ${incident.userName}, deploy it, then delete ${key} (it is only Inactive, so it can still be restored).`,
    );
  }
  if (leftBehind) {
    if (leftBehind.users.length > 0) steps.push(`Review and delete the IAM users the key created: ${leftBehind.users.join(', ')}.`);
    if (leftBehind.accessKeys.length > 0) {
      const keys = leftBehind.accessKeys.map((k) => (k.accessKeyId ? `${k.accessKeyId} (${k.userName})` : `a key of ${k.userName}`));
      steps.push(`Delete the access keys the key created: ${keys.join(', ')}.`);
    }
    if (leftBehind.loginProfiles.length > 0) steps.push(`Delete the console passwords the key created: ${leftBehind.loginProfiles.join(', ')}.`);
    if (leftBehind.roles.length > 0) steps.push(`Review and delete the roles the key created: ${leftBehind.roles.join(', ')}.`);
    if (leftBehind.policies.length > 0) steps.push(`Review the policies the key created or attached: ${leftBehind.policies.join(', ')}.`);
    // An instance the evidence step found gone needs no cleaning up.
    const gone = new Set((evidence?.snapshots ?? []).filter((s) => s.status === 'gone').map((s) => `${s.region}/${s.instanceId}`));
    const where = Object.keys(leftBehind.instancesByRegion)
      .sort()
      .flatMap((region) => {
        const ids = leftBehind.instancesByRegion[region].map((i) => i.instanceId).filter((id) => !gone.has(`${region}/${id}`));
        return ids.length > 0 ? [`${region}: ${ids.join(', ')}`] : [];
      });
    if (where.length > 0) {
      steps.push(`Stop or terminate the instances the key launched or started, once their snapshots are complete: ${where.join('; ')}.`);
    }
  }
  const notSnapshotted = (evidence?.snapshots ?? []).filter((s) => s.status === 'failed');
  if (notSnapshotted.length > 0) {
    steps.push(
      `Snapshot by hand before terminating: ${notSnapshotted.map((s) => `${s.instanceId} in ${s.region} (${s.error ?? 'failed'})`).join(', ')}.`,
    );
  }
  if (failures.some((f) => f.source === 'investigation') || !input.investigation) {
    steps.push('The investigation is incomplete: review CloudTrail in every region for what the key did.');
  } else {
    steps.push('Review what the key did (above) and confirm nothing else was created.');
  }
  steps.push('Check the bill in every region for resources nobody launched.');
  if (!escalation(incident) && outcome !== 'dry-run') {
    steps.push(
      `When the user is clean: delete inline policy ${REVOKE_SESSIONS_POLICY_NAME} and detach the quarantine policy from ${incident.userName}.`,
    );
  }
  steps.push(incident.awsCaseId ? `Answer AWS support case ${incident.awsCaseId}.` : 'Answer the AWS support case, if AWS opened one.');
  return steps;
}

/** The incident report: pure, from the workflow's state and the time it is written. */
export function buildReport(input: ReportInput, now: Date): IncidentReport {
  const generatedAt = now.toISOString();
  const investigationObj = obj(input.investigation);
  const investigation = investigationObj && !caught(investigationObj) ? investigationObj : undefined;
  const evidenceObj = obj(input.evidence);
  const evidence = evidenceObj && !caught(evidenceObj) ? readEvidence(evidenceObj) : undefined;
  const activity = investigation ? readActivity(investigation) : undefined;
  const reach = investigation ? readReach(investigation.reach) : undefined;
  const leftBehind = investigation ? readLeftBehind(investigation.leftBehind) : undefined;
  const failures = collectFailures(input, investigation, evidence);
  const { outcome, headline } = decideOutcome(input, evidence, investigation, failures);
  const containment: ContainmentEntry[] = (input.containment ?? []).map((s) =>
    isStepFailure(s)
      ? { action: s.failed.step, status: 'failed', detail: explainError(s.failed.error) }
      : { action: s.action, status: s.status, detail: s.detail, at: s.at },
  );
  return {
    reportVersion: 1,
    incidentId: input.incident.incidentId,
    generatedAt,
    outcome,
    headline,
    incident: input.incident,
    ...optional('executionId', input.executionId ?? input.failure?.executionId),
    timeline: buildTimeline(input, activity, generatedAt),
    containment,
    ...optional('verification', input.verification),
    ...optional('activity', activity),
    ...optional('reach', reach),
    ...optional('leftBehind', leftBehind),
    ...optional('evidence', evidence),
    failures,
    followUps: buildFollowUps(input, outcome, leftBehind, evidence, failures),
  };
}

/** Where an incident's report lives in the incident bucket. */
export function reportKeys(incidentId: string): { jsonKey: string; markdownKey: string } {
  return { jsonKey: `incidents/${incidentId}/report.json`, markdownKey: `incidents/${incidentId}/report.md` };
}

export function consoleUrlFor(bucket: string, key: string): string {
  return `https://s3.console.aws.amazon.com/s3/object/${bucket}?prefix=${key}`;
}
