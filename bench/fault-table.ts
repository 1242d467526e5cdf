// The fault table: every AWS operation the built-in drill calls x a set of injected errors, played
// through the drill in-process, each cell checked against the responder's invariants.
import { readFileSync } from 'node:fs';
import { BUILTIN, drillConfig, shiftTimes } from '../drill/cli';
import { RulePattern } from '../drill/rules';
import { Drill, DrillOutput } from '../drill/run-drill';

/** The built-in drill's configuration: Slack configured, as `npm start` runs it. */
export const FAULT_CONTEXT: Record<string, string> = { slackWebhookSecret: 'exposed-key-responder/slack-webhook' };
/**
 * Organization mode (`npm run faults -- --organization`): the built-in incident is of a member
 * account; the responder is central and acts there through the member role (drill/simulated-sts.ts).
 */
export const ORGANIZATION_CONTEXT: Record<string, string> = { ...FAULT_CONTEXT, organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: 'ou-ab12-abcdefgh' };

/** One injected error: `times` calls of the operation fail with the AWS error code `error`. */
export interface FaultKind {
  readonly label: string;
  readonly error: string;
  readonly times: number;
  /** Transient: the responder must absorb it. Persistent: it must be named, evidence and record kept. */
  readonly persistent: boolean;
}

export const FAULT_KINDS: readonly FaultKind[] = [
  { label: 'Throttling x2', error: 'Throttling', times: 2, persistent: false },
  { label: 'InternalFailure x1', error: 'InternalFailure', times: 1, persistent: false },
  { label: 'Throttling always', error: 'Throttling', times: 1000, persistent: true },
  { label: 'AccessDenied always', error: 'AccessDenied', times: 1000, persistent: true },
  { label: 'NoSuchEntity always', error: 'NoSuchEntity', times: 1000, persistent: true },
];

/** NoSuchEntity means something only for IAM reads and writes of the user or its keys. */
export function faultsFor(operation: string): FaultKind[] {
  const userOrKey = /^iam:.*(User|AccessKey)/.test(operation);
  return FAULT_KINDS.filter((k) => k.error !== 'NoSuchEntity' || userOrKey);
}

export interface Cell {
  readonly operation: string;
  readonly kind: FaultKind;
  /** Calls of the operation answered before the fault starts (sts:AssumeRole: 1 lets the dispatcher's through, so the steps' fail). */
  readonly after?: number;
}

/** The member role assumption (organization mode): by the dispatcher first, then by every step. */
export const ASSUME_ROLE = 'sts:AssumeRole';

/**
 * Organization mode: a member account's call refused once because the member role's session
 * expired (each service's own code for it), to be absorbed: the next attempt is signed with the
 * session renewed.
 */
export const EXPIRED_SESSION: Readonly<Record<string, FaultKind>> = {
  iam: { label: 'ExpiredToken x1', error: 'ExpiredToken', times: 1, persistent: false },
  cloudtrail: { label: 'ExpiredTokenException x1', error: 'ExpiredTokenException', times: 1, persistent: false },
  support: { label: 'ExpiredTokenException x1', error: 'ExpiredTokenException', times: 1, persistent: false },
  ec2: { label: 'RequestExpired x1', error: 'RequestExpired', times: 1, persistent: false },
};

/**
 * The cells of one operation. Organization mode: sts:AssumeRole twice, the dispatcher's (first)
 * call and the steps' (after it); a member account's calls also with an expired session.
 */
export function cellsFor(operation: string, organization = false): Cell[] {
  const afters = operation === ASSUME_ROLE ? [0, 1] : [0];
  const expired = organization ? EXPIRED_SESSION[operation.split(':')[0]] : undefined;
  const kinds = [...faultsFor(operation), ...(expired ? [expired] : [])];
  return afters.flatMap((after) => kinds.map((kind) => ({ operation, kind, ...(after ? { after } : {}) })));
}

/** How a cell's operation is shown: `sts:AssumeRole (steps)` for the steps' assumptions. */
export function operationLabel(cell: Cell): string {
  if (cell.operation !== ASSUME_ROLE) return cell.operation;
  return cell.after ? `${cell.operation} (steps)` : `${cell.operation} (dispatcher)`;
}

/**
 * Operations whose failure means no evidence can be had: the miner is found through the key's
 * CloudTrail activity and snapshotted by these calls. Their persistent cells are exempt from the
 * "evidence kept" invariant, and only those.
 */
export const EVIDENCE_OPERATIONS: ReadonlySet<string> = new Set(['ec2:DescribeInstances', 'ec2:CreateSnapshots']);
/**
 * The dispatcher's calls before any execution exists. When one keeps failing the dispatcher throws
 * and, as deployed, Lambda runs it again and then puts the event in the dead-letter queue, whose
 * alarm emails people: no record can exist, the event is not lost. Only these may dead-letter.
 */
export const DISPATCHER_OPERATIONS: ReadonlySet<string> = new Set(['iam:GetAccessKeyLastUsed', 'sts:GetAccessKeyInfo', 'sfn:StartExecution', ASSUME_ROLE]);
/**
 * The investigation's CloudTrail search: when it fails, what the key launched is not found, so
 * there is nothing to snapshot; the record must say the investigation is incomplete and what to
 * search by hand (its open items), instead of keeping evidence.
 */
export const SEARCH_OPERATION = 'cloudtrail:LookupEvents';
/**
 * Persistent faults the response degrades around by design, each with why and what the email says
 * instead: not failures of the response, so not in the record's failures.
 */
export const DEGRADATIONS: Readonly<Record<string, { readonly reason: string; readonly emailSays: (error: string) => string }>> = {
  'pricing:GetProducts': {
    reason: 'the hourly price is a convenience of the cost exposure: the instance is shown with its type and no price',
    emailSays: (error) => `price unknown: Price List API: ${error}`,
  },
  // s3:GetObject is the shared search's alone (the wave's CloudTrail search, read from the incident bucket).
  's3:GetObject': {
    reason: 'the wave\'s shared CloudTrail search is a saving: the key\'s CloudTrail is searched on its own, complete, at the cost of more LookupEvents calls',
    emailSays: (error) => `The wave's shared CloudTrail search could not be used (s3:GetObject: ${error}`,
  },
};
/** The record's own write. */
export const RECORD_WRITE = 's3:PutObject';
/** The email's own send: the email cannot name it; the execution must fail (the alarm does). */
export const EMAIL_SEND = 'sns:Publish';
/**
 * What the workflow tells other tools once the record and the email are out (the completion event;
 * the Security Hub finding is imported at the start too, but never decides anything): neither can
 * name their failure, which the execution's history keeps. Their persistent cells must end as
 * without the fault.
 */
export const AFTER_THE_RECORD: ReadonlySet<string> = new Set(['events:PutEvents', 'securityhub:BatchImportFindings']);

export interface Row {
  readonly operation: string;
  readonly fault: string;
  /** Which invariants the cell is held to: absorbed, named, dead-lettered, incomplete search, degraded. */
  readonly invariant: string;
  readonly execution: string;
  readonly keyStatus: string;
  readonly recordWritten: boolean;
  /** `source: what` of the failure the email names (the first one that names this fault), or "-". */
  readonly emailStep: string;
  readonly snapshots: number;
  readonly violations: string[];
  /** How long the cell took to play, in ms (real time). */
  readonly ms?: number;
}

/** The built-in scenario and events, moved to now (as `npm start` plays them). */
function builtin(): { scenario: Record<string, unknown>; events: unknown[] } {
  const shift = Date.now() - BUILTIN.writtenAt;
  const read = (file: string) => shiftTimes(JSON.parse(readFileSync(file, 'utf8')) as unknown, shift);
  return { scenario: read(BUILTIN.scenario) as Record<string, unknown>, events: BUILTIN.events.map(read) };
}

/** Plays the built-in drill with `faults` injected; returns its output (the drill's `--json` document). */
export async function playBuiltin(
  rules: RulePattern[],
  faults: ReadonlyArray<{ operation: string; error: string; times: number; after?: number }> = [],
  context: Record<string, string> = FAULT_CONTEXT,
): Promise<DrillOutput> {
  const { scenario, events } = builtin();
  const drill = new Drill({ ...scenario, faults }, rules, drillConfig(context));
  try {
    for (const event of events) await drill.deliver(event);
    return drill.output();
  } finally {
    drill.close();
  }
}

/** Every `service:Operation` a drill run called, in the order first called. */
export function operationsOf(output: DrillOutput): string[] {
  return [...new Set(output.apiCalls.map((c) => `${c.service}:${c.operation}`))];
}

/** What a fault-free run looks like: the transient cells must end the same way. */
export interface Baseline {
  readonly execution: string;
  readonly keyStatus: string;
  readonly outcome: unknown;
  readonly accessKeyId: string;
  readonly userName: string;
  /** The incident's account (organization mode: the member account). */
  readonly accountId: string;
  /** Snapshots kept (the miner's): a transient fault must not lose evidence. */
  readonly snapshots: number;
}

export function baselineOf(output: DrillOutput): Baseline {
  if (!output.incident) throw new Error('the built-in drill started no execution: no baseline');
  const { accessKeyId, userName, accountId } = output.incident;
  return { execution: output.execution?.status ?? '-', keyStatus: keyStatusOf(output, userName, accessKeyId), outcome: output.report.outcome, accessKeyId, userName, accountId, snapshots: output.account.snapshots.length };
}

function keyStatusOf(output: DrillOutput, userName: string, accessKeyId: string): string {
  const user = output.account.users.find((u) => u.userName === userName);
  return user?.accessKeys.find((k) => k.accessKeyId === accessKeyId)?.status ?? '-';
}

interface Failure {
  source?: unknown;
  what?: unknown;
  error?: unknown;
}

/**
 * Whether a record failure is this fault: its text carries the error code or the operation; a
 * refused member role, also the account it was refused in.
 */
function namesFault(f: Failure, cell: Cell, accountId: string): boolean {
  const text = `${String(f.what ?? '')} ${String(f.error ?? '')}`;
  return (text.includes(cell.kind.error) || text.includes(cell.operation)) && (cell.operation !== ASSUME_ROLE || text.includes(accountId));
}

/**
 * What the email refusing an event must say when the member role cannot be assumed in its account
 * (the dispatcher's AssumeRole refused): nothing is done there, people are told which account, why
 * (the error) and to deploy the member stack there.
 */
function refusalViolations(emails: ReadonlyArray<{ subject: string; body: string }>, cell: Cell, accountId: string): string[] {
  const refused = emails.find((e) => e.subject.startsWith('[REFUSED]'));
  if (!refused) return ['no [REFUSED] email tells people the event was not acted on'];
  return [
    [`could not act in account ${accountId}`, 'the account it could not act in'],
    [cell.kind.error, 'the error'],
    ['deploy the member stack there', 'to deploy the member stack there'],
  ]
    .filter(([text]) => !refused.body.includes(text))
    .map(([, what]) => `the [REFUSED] email does not say ${what}`);
}

/** Plays one cell and checks it; the row says what happened and which invariants failed. */
export async function playCell(rules: RulePattern[], cell: Cell, baseline: Baseline, context: Record<string, string> = FAULT_CONTEXT): Promise<Row> {
  const t0 = Date.now();
  const output = await playBuiltin(rules, [{ operation: cell.operation, error: cell.kind.error, times: cell.kind.times, ...(cell.after ? { after: cell.after } : {}) }], context);
  return { ...checkCell(output, cell, baseline), ms: Date.now() - t0 };
}

/** The row of one played cell: what happened, and which invariants it broke. */
export function checkCell(output: DrillOutput, cell: Cell, baseline: Baseline): Row {
  const execution = output.execution?.status ?? '-';
  const keyStatus = keyStatusOf(output, baseline.userName, baseline.accessKeyId);
  const report = output.report as { written?: boolean; outcome?: unknown; failures?: Failure[]; stillOpen?: Array<{ what: string }>; unsearchedRegions?: string[] };
  const recordWritten = output.incident !== null && report.written !== false && Object.keys(report).length > 0;
  const failures = (report.failures ?? []).filter((f) => namesFault(f, cell, baseline.accountId));
  const emails = output.notifications.filter((n) => n.channel === 'email');
  const named = failures.find((f) => emails.some((e) => e.body.includes(String(f.what)) && e.body.includes(cell.kind.error)));
  let emailStep = named ? `${String(named.source)}: ${String(named.what)}` : '-';
  const snapshots = output.account.snapshots.length;
  const violations: string[] = [];
  let invariant = cell.kind.persistent ? 'named' : 'absorbed';
  const degraded = cell.kind.persistent ? DEGRADATIONS[cell.operation] : undefined;
  if (output.deadLetters.length > 0 && !(cell.kind.persistent && DISPATCHER_OPERATIONS.has(cell.operation))) {
    violations.push(`the event went to the dead-letter queue, though ${cell.operation} x ${cell.kind.label} must not stop the dispatcher`);
  }
  if (cell.kind.persistent && cell.operation === ASSUME_ROLE && !cell.after && output.deadLetters.length === 0) {
    invariant = 'refused';
    if (output.incident) violations.push(`an execution started (${output.incident.incidentId}) though the member role could not be assumed`);
    violations.push(...refusalViolations(emails, cell, baseline.accountId));
    emailStep = emails.some((e) => e.subject.startsWith('[REFUSED]')) ? `refused: could not act in account ${baseline.accountId}` : '-';
  } else if (cell.kind.persistent && output.deadLetters.length > 0 && DISPATCHER_OPERATIONS.has(cell.operation) && !cell.after) {
    invariant = 'dead-lettered';
    const letter = output.deadLetters.find((d) => `${d.responsePayload.errorType} ${d.responsePayload.errorMessage}`.includes(cell.kind.error));
    const alarm = output.alarms.find((a) => a.metric.includes('ApproximateNumberOfMessagesVisible'));
    const told = alarm && emails.some((e) => e.subject.startsWith(`ALARM: "${alarm.name}"`) && e.body.includes(letter?.queue ?? '\0'));
    if (!letter) violations.push('the event is not in the dead-letter queue with this error (lost)');
    if (!alarm) violations.push('the dead-letter queue\'s alarm did not fire');
    if (!told) violations.push('no alarm email names the dead-letter queue');
    emailStep = told ? `alarm: ${alarm.name}` : '-';
  } else if (degraded) {
    invariant = 'degraded';
    const says = degraded.emailSays(cell.kind.error);
    if (!emails.some((e) => e.body.includes(says))) violations.push(`the email does not say "${says}"`);
    emailStep = `degraded: ${says} (${degraded.reason})`;
    if (snapshots === 0) violations.push('no snapshot of the miner (evidence lost)');
    if (!recordWritten) violations.push('report.json was not written');
  } else if (!cell.kind.persistent || AFTER_THE_RECORD.has(cell.operation)) {
    if (execution !== baseline.execution) violations.push(`execution ${execution}, not ${baseline.execution} as without the fault`);
    if (keyStatus !== baseline.keyStatus) violations.push(`key ${keyStatus}, not ${baseline.keyStatus}`);
    if (report.outcome !== baseline.outcome) violations.push(`record outcome ${String(report.outcome)}, not ${String(baseline.outcome)}`);
    if (snapshots < baseline.snapshots) violations.push(`${snapshots} snapshot(s), not ${baseline.snapshots} as without the fault (evidence lost)`);
  } else {
    if (failures.length === 0) violations.push('the record names no failure for it (report.json failures)');
    if (cell.operation === EMAIL_SEND) {
      if (execution !== 'FAILED') violations.push(`the email could not be sent but the execution ${execution} (no alarm)`);
    } else if (emailStep === '-') {
      violations.push(emails.length === 0 ? 'no email was sent' : 'the email does not name the failing step');
    }
    if (cell.operation === SEARCH_OPERATION) {
      invariant = 'incomplete search';
      const incomplete = (report.stillOpen ?? []).filter((o) => o.what.startsWith('The investigation is incomplete in'));
      if ((report.unsearchedRegions ?? []).length === 0) violations.push('the record names no region as not searched (unsearchedRegions)');
      if (incomplete.length === 0) violations.push('the record\'s open items do not say the investigation is incomplete');
      else if (!emails.some((e) => incomplete.every((o) => e.body.includes(o.what)))) violations.push('no email says the investigation is incomplete and what to search by hand');
      // Without the member role (sts:AssumeRole) nothing can be read or snapshotted in the member account.
    } else if (snapshots === 0 && !EVIDENCE_OPERATIONS.has(cell.operation) && cell.operation !== ASSUME_ROLE) {
      violations.push('no snapshot of the miner (evidence lost)');
    }
    if (!recordWritten && cell.operation !== RECORD_WRITE) violations.push('report.json was not written');
  }
  return { operation: operationLabel(cell), fault: cell.kind.label, invariant, execution, keyStatus, recordWritten, emailStep, snapshots, violations };
}

/** The table as text: one line per cell, violations under it. */
export function formatTable(rows: readonly Row[]): string {
  const head = ['operation', 'fault', 'invariant', 'execution', 'key', 'record', 'snapshots', 'ms', 'step named in the email'];
  const cells = rows.map((r) => [r.operation, r.fault, r.invariant, r.execution, r.keyStatus, r.invariant === 'dead-lettered' ? 'dead letter' : r.invariant === 'refused' ? 'none (refused)' : r.recordWritten ? 'written' : 'NOT written', String(r.snapshots), String(r.ms ?? '-'), r.emailStep]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w)))];
  rows.forEach((r, i) => {
    out.push(line(cells[i]));
    for (const v of r.violations) out.push(`    ! ${v}`);
  });
  return out.join('\n');
}
