import { Incident } from '../shared/incident';
import { REVOKE_SESSIONS_POLICY_NAME } from '../shared/policies';
import { CaughtError, NotifyInput, StepFailure, StepResult } from '../shared/steps';

export interface Message {
  readonly subject: string;
  readonly body: string;
}

/** SNS email subjects: at most 100 printable ASCII characters, no line breaks. */
export const MAX_SUBJECT = 100;

function isFailure(step: StepResult | StepFailure): step is StepFailure {
  return 'failed' in step;
}

/**
 * A caught error, readable: a Lambda error's Cause is a JSON document whose `errorMessage` is what
 * a human wants; anything else is shown as it is.
 */
export function explain(error: CaughtError): string {
  if (typeof error !== 'object' || error === null) return String(error);
  let cause = typeof error.Cause === 'string' ? error.Cause : '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // not JSON: keep it as it is
  }
  return cause ? `${error.Error}: ${cause}` : error.Error;
}

/** The steps that failed: the failed containment branches by name, else the step the workflow names. */
export function failedSteps(input: NotifyInput): string[] {
  const branches = (input.containment ?? []).filter(isFailure).map((s) => s.failed.step);
  if (branches.length > 0) return branches;
  return input.failure ? [input.failure.step] : [];
}

/** The parts of the investigate, evidence and report outputs the email reads (all optional). */
interface Findings {
  investigation?: {
    failed?: { step: string; error: CaughtError };
    lookback?: { days?: number };
    regions?: string[];
    eventCount?: number;
    firstSeen?: string;
    lastSeen?: string;
    byRegion?: Record<string, number>;
    sourceIps?: Array<{ value: string; count: number }>;
    leftBehind?: {
      users?: string[];
      accessKeys?: Array<{ userName: string; accessKeyId?: string }>;
      loginProfiles?: string[];
      roles?: string[];
      policies?: string[];
      instances?: Array<{ region: string; instanceId: string; via: string }>;
    };
    failures?: Array<{ what: string; error: string }>;
  };
  evidence?: {
    failed?: { step: string; error: CaughtError };
    skipped?: string;
    snapshots?: Array<{ region: string; instanceId: string; status: string; snapshotIds?: string[]; error?: string }>;
  };
  report?: { failed?: { step: string; error: CaughtError }; consoleUrl?: string; bucket?: string; markdownKey?: string };
  support?: {
    failed?: { step: string; error: CaughtError };
    status?: string;
    caseId?: string;
    displayId?: string;
    reason?: string;
    manualSteps?: string[];
    wouldDo?: string;
  };
  slack?: { failed?: { step: string; error: CaughtError }; status?: string; error?: string };
}

/**
 * A list from a step's output, read defensively: an unexpected shape is an empty list, never a
 * crash that would keep the email from going out.
 */
function list<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

function findings(input: NotifyInput): Findings {
  return { investigation: input.investigation, evidence: input.evidence, report: input.report, support: input.support, slack: input.slack } as Findings;
}

/** One line on the AWS support case, from the support step's result. */
function supportLine(support: Findings['support']): string | undefined {
  if (!support || support.failed) return undefined;
  const id = support.displayId ?? support.caseId;
  switch (support.status) {
    case 'communication-added':
      return `AWS support: the case ${id} was answered with what was done and found.`;
    case 'already-answered':
      return `AWS support: the case ${id} had already been answered for this incident.`;
    case 'case-created':
      return `AWS support: security case ${id} opened with what was done and found.`;
    case 'dry-run':
      return `AWS support: dry run: would ${support.wouldDo ?? 'answer or open the case'}.`;
    case 'unavailable':
      return `AWS support: no case could be opened or answered: ${support.reason ?? 'the support plan does not include the Support API'}.`;
    default:
      return undefined;
  }
}

/** What could not be done after containment: failed steps, regions not searched, snapshots not taken. */
export function gaps(input: NotifyInput): string[] {
  const { investigation, evidence, report } = findings(input);
  const out: string[] = [];
  const { support, slack } = findings(input);
  for (const part of [investigation, evidence, report, support, slack]) {
    if (part?.failed) out.push(`${String(part.failed.step)}: ${explain(part.failed.error)}`);
  }
  if (slack?.status === 'failed') out.push(`Slack notification: ${slack.error ?? 'failed'}`);
  for (const f of list(investigation?.failures)) out.push(`${f?.what}: ${f?.error}`);
  if (evidence?.skipped) out.push(`evidence: ${evidence.skipped}`);
  for (const sn of list(evidence?.snapshots)) {
    if (sn?.status === 'failed') out.push(`snapshot of ${sn.instanceId} (${sn.region}): ${sn.error ?? 'failed'}`);
  }
  return out;
}

function findingLines(input: NotifyInput): string[] {
  const { investigation: inv, evidence, report } = findings(input);
  const lines: string[] = [];
  if (inv && !inv.failed && inv.eventCount !== undefined) {
    const regions = Object.entries(typeof inv.byRegion === 'object' && inv.byRegion ? inv.byRegion : {}).map(([r, n]) => `${r} ${n}`).join(', ');
    lines.push(`What the key did (CloudTrail, last ${inv.lookback?.days ?? '?'} days, ${inv.regions?.length ?? 0} regions searched):`);
    lines.push(`  ${inv.eventCount} event(s)${inv.firstSeen ? `, first ${inv.firstSeen}, last ${inv.lastSeen}` : ''}${regions ? `; by region: ${regions}` : ''}`);
    const ips = list(inv.sourceIps);
    if (ips.length) lines.push(`  source IPs: ${ips.slice(0, 5).map((i) => `${i.value} (${i.count})`).join(', ')}`);
    const left = inv.leftBehind ?? {};
    const created = [
      ...list(left.users).map((u) => `user ${u}`),
      ...list(left.accessKeys).map((k) => `access key ${k.accessKeyId ?? '?'} of ${k.userName}`),
      ...list(left.loginProfiles).map((u) => `console password for ${u}`),
      ...list(left.roles).map((r) => `role ${r}`),
      ...list(left.policies).map((p) => `policy ${p}`),
      ...list(left.instances).map((i) => `instance ${i.instanceId} in ${i.region} (${i.via})`),
    ];
    lines.push('What it left behind:');
    lines.push(...(created.length ? created.map((c) => `  - ${c}`) : ['  nothing found in CloudTrail']));
  }
  const snapshots = list(evidence?.snapshots);
  if (snapshots.length > 0) {
    lines.push('Evidence (EBS snapshots):');
    for (const sn of snapshots) {
      const ids = list(sn.snapshotIds).length ? `: ${list(sn.snapshotIds).join(', ')}` : '';
      lines.push(`  - ${sn.instanceId} (${sn.region}): ${sn.status}${ids}`);
    }
  }
  if (report?.consoleUrl) lines.push(`Incident report: ${report.consoleUrl}`);
  const supportSays = supportLine(findings(input).support);
  if (supportSays) lines.push(supportSays);
  const missing = gaps(input);
  if (missing.length > 0) {
    lines.push('What could not be done:');
    lines.push(...missing.map((g) => `  - ${g}`));
  }
  return lines;
}

/** The tag of an incident's subject line (email) and header (Slack). */
export type Tag = 'FAILED' | 'ACTION REQUIRED' | 'DRY RUN' | 'CONTAINED, GAPS' | 'CONTAINED';

/** Tag and headline of the incident, from what really happened. */
export function outcome(input: NotifyInput): { tag: Tag; headline: string } {
  const { incident, containment = [] } = input;
  if (input.failure) return { tag: 'FAILED', headline: `Response FAILED at step ${failedSteps(input).join(', ')}` };
  if (incident.principalType === 'root') return { tag: 'ACTION REQUIRED', headline: 'ROOT access key exposed: act now, by hand' };
  if (incident.protectedPrincipal) return { tag: 'ACTION REQUIRED', headline: `Protected user ${incident.userName}: nothing was changed, act now` };
  if (containment.some((s) => !isFailure(s) && s.status === 'dry-run')) return { tag: 'DRY RUN', headline: 'Dry run: nothing was changed' };
  if (gaps(input).length > 0) return { tag: 'CONTAINED, GAPS', headline: 'Exposed access key contained; some of the investigation could not be done (below)' };
  return { tag: 'CONTAINED', headline: 'Exposed access key contained' };
}

export function subjectFor(input: NotifyInput): string {
  const { incident } = input;
  const { tag } = outcome(input);
  // eslint-disable-next-line no-control-regex
  const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, '?');
  const head = ascii(`[${tag}] Exposed key ${incident.accessKeyId} (`);
  const tail = ascii(`) in ${incident.accountId}`);
  // A long user name (IAM allows 64 characters) is shortened, never the account id or the key.
  const room = MAX_SUBJECT - head.length - tail.length;
  let user = ascii(incident.userName);
  if (user.length > room) user = room > 3 ? `${user.slice(0, room - 3)}...` : user.slice(0, Math.max(room, 0));
  return `${head}${user}${tail}`.slice(0, MAX_SUBJECT);
}

function facts(incident: Incident, executionId?: string): string[] {
  return [
    `Account:      ${incident.accountId}`,
    `User:         ${incident.userName}${incident.principalType === 'root' ? ' (the account root user)' : ''}`,
    `Access key:   ${incident.accessKeyId}`,
    `Reported by:  ${incident.detail}`,
    `Detected at:  ${incident.detectedAt}`,
    ...(incident.leakLocation ? [`Leaked at:    ${incident.leakLocation}`] : []),
    ...(incident.awsCaseId ? [`AWS case:     ${incident.awsCaseId}`] : []),
    `Incident id:  ${incident.incidentId}`,
    ...(executionId ? [`Execution:    ${executionId}`] : []),
  ];
}

function steps(containment: Array<StepResult | StepFailure>): string[] {
  if (containment.length === 0) return ['  (containment did not run)'];
  return containment.map((s) =>
    isFailure(s) ? `  - [FAILED] ${s.failed.step}: ${explain(s.failed.error)}` : `  - [${s.status}] ${s.detail} (${s.at})`,
  );
}

const CASE_HANDLED = new Set(['communication-added', 'already-answered', 'case-created']);

function manualSteps(input: NotifyInput): string[] {
  const support = findings(input).support;
  const bySupport = support?.status === 'unavailable' ? list(support.manualSteps).map((m) => `  - ${m}`) : [];
  const caseId = support && CASE_HANDLED.has(String(support.status)) ? (support.displayId ?? support.caseId) : undefined;
  // The responder already told AWS: what is left is to follow the case.
  const steps = ownedSteps(input).map((line) =>
    caseId && line.includes('Answer the AWS support case') ? line.replace(/Answer the AWS support case, if AWS opened one\./, `Follow AWS support case ${caseId}: AWS may ask for more.`) : line,
  );
  return [...steps, ...bySupport];
}

function ownedSteps(input: NotifyInput): string[] {
  const { incident } = input;
  if (incident.principalType === 'root') {
    return [
      '  1. Sign in as the root user NOW (Security credentials page) and deactivate, then delete, access key ' + incident.accessKeyId + '.',
      '     Root keys cannot be changed from inside the account: this responder did not touch it.',
      '  2. Change the root password and check its MFA device.',
      '  3. Review CloudTrail in every region for what the key did, and remove what it created.',
      '  4. Check the bill in every region for resources nobody launched.',
      '  5. Answer the AWS support case, if AWS opened one.',
    ];
  }
  const undo = [
    `  4. When the user is clean: delete inline policy ${REVOKE_SESSIONS_POLICY_NAME} and detach the quarantine policy from ${incident.userName}.`,
  ];
  if (incident.protectedPrincipal) {
    return [
      `  1. ${incident.userName} is protected: decide now whether to deactivate key ${incident.accessKeyId} (aws iam update-access-key --user-name ${incident.userName} --access-key-id ${incident.accessKeyId} --status Inactive).`,
      '  2. Rotate the key in the application that uses it.',
      '  3. Review CloudTrail in every region for what the key did; check the bill in every region.',
    ];
  }
  return [
    `  1. Rotate the key in the application that used it: create a new key for ${incident.userName}, deploy it, then delete ${incident.accessKeyId} (it is only Inactive, so it can still be restored).`,
    '  2. Review what the key did and what it created (users, keys, roles, instances), in every region.',
    '  3. Check the bill in every region for resources nobody launched.',
    ...undo,
    '  5. Answer the AWS support case, if AWS opened one.',
  ];
}

function verificationLines(input: NotifyInput): string[] {
  const v = input.verification;
  if (!v) return [];
  if (v.status === 'skipped') return ['Verification: not applicable (nothing was to be changed).'];
  const lines = [
    `Verification (${v.status}, ${v.checkedAt}):`,
    `  key ${input.incident.accessKeyId}: ${v.keyStatus ?? 'not found'}`,
    `  sessions revoked before: ${v.sessionsRevokedBefore ?? 'none'}`,
    `  quarantine policy attached: ${v.quarantineAttached ? 'yes' : 'no'}`,
  ];
  for (const k of v.otherKeys) lines.push(`  other key ${k.accessKeyId}: ${k.status} (left as it was)`);
  for (const p of v.problems) lines.push(`  ${v.status === 'dry-run' ? 'would fix' : 'problem'}: ${p}`);
  return lines;
}

function withBlank(lines: string[]): string[] {
  return lines.length > 0 ? [...lines, ''] : [];
}

/** The email: readable as plain text, what happened, what was done, what a human still owes. */
export function buildMessage(input: NotifyInput): Message {
  const { headline } = outcome(input);
  const body = [
    headline,
    '',
    ...facts(input.incident, input.executionId ?? input.failure?.executionId),
    '',
    'What was done:',
    ...steps(input.containment ?? []),
    ...(input.failure ? ['', `What failed: step ${input.failure.step}: ${explain(input.failure.error)}`] : []),
    '',
    ...verificationLines(input),
    '',
    ...withBlank(findingLines(input)),
    'What a human still owes:',
    ...manualSteps(input),
    '',
    `Where to look: the Step Functions execution above, and the responder's CloudWatch Logs (filter on incidentId "${input.incident.incidentId}").`,
  ].join('\n');
  return { subject: subjectFor(input), body };
}
