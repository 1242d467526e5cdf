import {
  AddCommunicationToCaseCommand,
  CaseDetails,
  CreateCaseCommand,
  DescribeCasesCommand,
  DescribeCasesRequest,
  DescribeCommunicationsCommand,
  SupportClient,
} from '@aws-sdk/client-support';
import * as z from 'zod/mini';
import { buildReport, IncidentReport, ReportInput } from '../report/record';
import { awsErrorCode, rethrowAws } from '../shared/errors';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import { FailureSchema, StepFailureSchema, StepResultSchema, VerificationSchema, WorkflowStateSchema } from '../shared/steps';

/** The Support API has one endpoint, in us-east-1, whatever the region of the caller. */
export const SUPPORT_REGION = 'us-east-1';

export const SUPPORT_SEVERITIES = ['low', 'normal', 'high', 'urgent', 'critical'] as const;
export type SupportSeverity = (typeof SUPPORT_SEVERITIES)[number];

/** What a security case about the account is filed under (verify with DescribeServices). */
export const SECURITY_CASE = {
  serviceCode: 'customer-account',
  categoryCode: 'security',
  issueType: 'customer-service',
  language: 'en',
} as const;

/** The API's limits: a communication body of at most 8,000 characters, a subject of at most 255. */
export const MAX_COMMUNICATION_BODY = 8000;
export const MAX_SUBJECT = 255;

/** How far before the detection a case AWS opened about the key is looked for. */
export const CASE_SEARCH_DAYS = 2;

/** Why the answer is `unavailable`: the only Support API failure that is not an error. */
export const NO_SUPPORT_API_REASON = "the account's support plan (Basic or Developer) does not include the AWS Support API";

export const SUPPORT_CONSOLE_URL = 'https://support.console.aws.amazon.com/support/home';

/**
 * The workflow's state. Only `incident` is checked strictly: every other part is what a step
 * returned or `{ failed: { step, error } }` when it failed, and is read field by field (a part of
 * another shape is left out of the summary, never a reason to fail the step). Other keys are kept:
 * a `{ failed }` under any of them shows up among what could not be done.
 */
export const SupportInputSchema = WorkflowStateSchema;
export type SupportInput = z.infer<typeof SupportInputSchema>;

export const SUPPORT_STATUSES = ['communication-added', 'already-answered', 'case-created', 'unavailable', 'dry-run'] as const;

/**
 * communication-added: the summary was added to an existing case (AWS's, or one this responder
 * opened); already-answered: the case already carries this incident's summary (a retried step, a
 * duplicate event), nothing was added; case-created: no case existed, one was opened;
 * unavailable: the support plan has no Support API, a human must tell AWS (`manualSteps`);
 * dry-run: nothing was written, `wouldDo` says what would have been.
 */
export const SupportResultSchema = z.object({
  status: z.enum(SUPPORT_STATUSES),
  /** The case answered, opened, found already answered, or that would be answered (dry run). */
  caseId: z.optional(z.string()),
  /** The case number the Support Center console shows, when the API said it. */
  displayId: z.optional(z.string()),
  reason: z.optional(z.string()),
  manualSteps: z.optional(z.array(z.string())),
  wouldDo: z.optional(z.string()),
  notes: z.optional(z.array(z.string())),
});
export type SupportResult = z.infer<typeof SupportResultSchema>;

export interface SupportConfig {
  /** Look cases up, write nothing. */
  readonly dryRun: boolean;
  /** The severity of a case this responder opens. */
  readonly severity: SupportSeverity;
}

export interface SupportDeps {
  /** Always a client of {@link SUPPORT_REGION}. */
  readonly support: SupportClient;
  readonly logger: Log;
  readonly config: SupportConfig;
}

/** The first line of every communication this responder writes for an incident: how a retry knows it is done. */
export function incidentMarker(incidentId: string): string {
  return `[exposed-key-responder incident ${incidentId}]`;
}

// ---------------------------------------------------------------------------------------------
// Defensive readers.

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** One line of outside text (a summary, an error, a user agent): no line breaks, bounded. */
function line(value: string, max = 300): string {
  const chars = Array.from(value.replace(/\s+/g, ' ').trim());
  return chars.length > max ? `${chars.slice(0, max - 3).join('')}...` : chars.join('');
}

/** At most `max` items, and how many were left out. */
function capped(items: string[], max: number): string[] {
  return items.length > max ? [...items.slice(0, max), `... and ${items.length - max} more (see the incident report)`] : items;
}

const StepSchema = z.union([StepResultSchema, StepFailureSchema]);

/** The state as the report step reads it: each part kept only when it has the shape the report expects. */
function toReportInput(input: SupportInput): ReportInput {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!['executionId', 'containment', 'verification', 'failure'].includes(key)) out[key] = value;
  }
  const executionId = str(input.executionId);
  if (executionId) out.executionId = executionId;
  if (Array.isArray(input.containment)) {
    out.containment = input.containment.flatMap((step) => {
      const parsed = StepSchema.safeParse(step);
      return parsed.success ? [parsed.data] : [];
    });
  }
  const verification = VerificationSchema.safeParse(input.verification);
  if (verification.success) out.verification = verification.data;
  const failure = FailureSchema.safeParse(input.failure);
  if (failure.success) out.failure = failure.data;
  return out as ReportInput;
}

/** Where the incident report is: the report step's console URL, else its bucket and key. */
function reportLocation(input: SupportInput): string | undefined {
  const report = obj(input.report);
  const url = str(report?.consoleUrl);
  if (url) return url;
  const bucket = str(report?.bucket);
  const key = str(report?.markdownKey) ?? str(report?.jsonKey);
  return bucket && key ? `s3://${bucket}/${key}` : undefined;
}

// ---------------------------------------------------------------------------------------------
// The communication body.

/** Nothing in the summary depends on when it is written: the report's own time is not used. */
const SUMMARY_CLOCK = new Date(0);

function user(incident: Incident): string {
  return incident.principalType === 'root' ? 'the account root user' : `IAM user ${incident.userName}`;
}

function contained(report: IncidentReport): string[] {
  const lines = ['What was contained, and when:'];
  if (report.containment.length === 0) lines.push('  - containment did not run');
  for (const c of report.containment) {
    lines.push(`  - [${c.status}] ${line(c.detail, 400)}${c.at ? ` (${c.at})` : ''}`);
  }
  const v = report.verification;
  if (v && v.status !== 'skipped') {
    lines.push(
      `  Verification (${v.status}) at ${v.checkedAt}: key ${v.keyStatus ?? 'not found'}, sessions revoked before ${v.sessionsRevokedBefore ?? 'none'}, ` +
        `quarantine policy ${v.quarantineAttached ? 'attached' : 'NOT attached'}.`,
    );
    for (const p of v.problems) lines.push(`  - ${v.status === 'dry-run' ? 'would fix' : 'problem'}: ${line(p)}`);
  }
  return lines;
}

function found(report: IncidentReport): string[] {
  const a = report.activity;
  if (!a) return ['What the key did: not known (the investigation did not run or failed).'];
  const window = a.lookback ? ` from ${a.lookback.from} to ${a.lookback.to}` : '';
  const lines = [`What the key did (CloudTrail${window}, ${a.regions.length} region(s) searched):`];
  lines.push(`  ${a.eventCount} event(s)${a.firstSeen ? `, first ${a.firstSeen}, last ${a.lastSeen ?? a.firstSeen}` : ''}`);
  const byRegion = Object.entries(a.byRegion).sort(([, x], [, y]) => y - x);
  if (byRegion.length > 0) lines.push(`  by region: ${byRegion.slice(0, 20).map(([r, n]) => `${r} ${n}`).join(', ')}`);
  const byService = Object.entries(a.byService).sort(([, x], [, y]) => y - x);
  if (byService.length > 0) lines.push(`  by service: ${byService.slice(0, 10).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  if (a.sourceIps.length > 0) lines.push(`  source IPs: ${a.sourceIps.slice(0, 5).map((i) => `${line(i.value, 60)} (${i.count})`).join(', ')}`);
  if (a.notable.length > 0) {
    lines.push('  notable calls:');
    const calls = a.notable.map(
      (n) => `    - ${n.eventTime} ${n.region} ${n.eventName}${n.errorCode ? ` (failed: ${line(n.errorCode, 60)})` : ''}: ${line(n.summary, 200)}`,
    );
    lines.push(...capped(calls, 10));
  }
  const left = report.leftBehind;
  if (left) {
    const created = [
      ...left.users.map((u) => `user ${u}`),
      ...left.accessKeys.map((k) => `access key ${k.accessKeyId ?? '(id unknown)'} of user ${k.userName}`),
      ...left.loginProfiles.map((u) => `console password for ${u}`),
      ...left.roles.map((r) => `role ${r}`),
      ...left.policies.map((p) => `policy ${p}`),
      ...Object.keys(left.instancesByRegion)
        .sort()
        .flatMap((region) => left.instancesByRegion[region].map((i) => `instance ${i.instanceId} in ${region} (${i.via})`)),
    ].map((c) => `  - ${line(c, 200)}`);
    lines.push('What it left behind:', ...(created.length > 0 ? capped(created, 25) : ['  nothing found in CloudTrail']));
  }
  return lines;
}

function preserved(report: IncidentReport): string[] {
  const snapshots = report.evidence?.snapshots ?? [];
  if (snapshots.length === 0) return [];
  const rows = snapshots.map((s) => {
    const ids = s.snapshotIds.length > 0 ? `: ${s.snapshotIds.join(', ')}` : '';
    return `  - instance ${s.instanceId} in ${s.region}: ${s.status}${ids}${s.error ? ` (${line(s.error, 200)})` : ''}`;
  });
  return ['Evidence kept (EBS snapshots, tagged with the incident id):', ...capped(rows, 20)];
}

function gaps(report: IncidentReport): string[] {
  if (report.failures.length === 0) return [];
  const rows = report.failures.map((f) => `  - ${line(`${f.source}: ${f.what}: ${f.error}`, 400)}`);
  return ['What could not be done:', ...capped(rows, 15)];
}

function stillToDo(report: IncidentReport): string[] {
  // The follow-up about answering the support case is this very communication.
  const rows = report.followUps.filter((f) => !/support case/i.test(f)).map((f) => `  - ${line(f, 400)}`);
  return rows.length > 0 ? ['Still to do on our side:', ...capped(rows, 12)] : [];
}

function section(lines: string[]): string[] {
  return lines.length > 0 ? ['', ...lines] : [];
}

/**
 * What AWS support is told, as plain text: the marker line first (how a retry recognises it), the
 * facts, where the full report is, what was contained and when, what could not be done, then what
 * was found (the part that grows with the incident, so the part a truncation cuts). Pure: the same
 * state gives the same text. At most {@link MAX_COMMUNICATION_BODY} characters (and UTF-8 bytes).
 */
export function supportSummary(input: SupportInput): string {
  const { incident } = input;
  const report = buildReport(toReportInput(input), SUMMARY_CLOCK);
  const where = reportLocation(input);
  const executionId = str(input.executionId);
  const lines = [
    incidentMarker(incident.incidentId),
    `${report.headline}: access key ${incident.accessKeyId} of ${user(incident)} in account ${incident.accountId}.`,
    '',
    `Reported by:  ${line(incident.detail)}, at ${incident.detectedAt}`,
    ...(incident.leakLocation ? [`Leaked at:    ${line(incident.leakLocation, 500)}`] : []),
    `Response:     started automatically at ${incident.dispatchedAt} by the account's exposed-key responder`,
    `Outcome:      ${report.outcome}`,
    `Report:       ${where ?? 'no incident report was written (see below)'}`,
    ...(executionId ? [`Execution:    ${line(executionId, 500)}`] : []),
    ...section(contained(report)),
    ...section(gaps(report)),
    ...section(found(report)),
    ...section(preserved(report)),
    ...section(stillToDo(report)),
  ];
  return fitBody(lines.join('\n'));
}

const TRUNCATED = '\n[... truncated to fit the support case: the incident report above has everything]';

/**
 * Text cut to the API's limit: counted in UTF-8 bytes, which is never less than the characters, so
 * it fits whichever the API counts. Cut at a line break when one is near, never inside a character.
 */
export function fitBody(text: string, max = MAX_COMMUNICATION_BODY): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  if (Buffer.byteLength(clean, 'utf8') <= max) return clean;
  const room = max - Buffer.byteLength(TRUNCATED, 'utf8');
  let bytes = 0;
  let cut = '';
  for (const ch of clean) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > room) break;
    bytes += size;
    cut += ch;
  }
  const lastBreak = cut.lastIndexOf('\n');
  if (lastBreak > room / 2) cut = cut.slice(0, lastBreak);
  return `${cut}${TRUNCATED}`;
}

/**
 * The subject of a case this responder opens; `[<incidentId>]` in it is how a later run finds it.
 * A long user name is shortened, never the key or the incident id.
 */
export function caseSubject(input: SupportInput): string {
  const { incident } = input;
  const outcome = buildReport(toReportInput(input), SUMMARY_CLOCK).outcome;
  const what = outcome === 'contained' || outcome === 'contained-with-gaps' ? 'contained' : 'NOT contained';
  const head = `Exposed access key ${incident.accessKeyId} (`;
  const tail = `) ${what} [${incident.incidentId}]`;
  const room = MAX_SUBJECT - head.length - tail.length;
  let name = line(incident.userName, 1000);
  if (name.length > room) name = room > 3 ? `${name.slice(0, room - 3)}...` : name.slice(0, Math.max(room, 0));
  return `${head}${name}${tail}`.slice(0, MAX_SUBJECT);
}

/** What a human does when the Support API is not available to the account. */
export function manualSupportSteps(input: SupportInput): string[] {
  const { incident } = input;
  const where = reportLocation(input);
  const summary = `access key ${incident.accessKeyId} of ${user(incident)} in account ${incident.accountId} was exposed; say what was contained and when, and what was found (incident ${incident.incidentId}${where ? `, report: ${where}` : ''})`;
  const theCase = incident.awsCaseId
    ? `support case ${incident.awsCaseId}, the case AWS opened when it detected the key`
    : `the case AWS opened when it detected access key ${incident.accessKeyId} (around ${incident.detectedAt}; its subject or message names the key)`;
  return [
    `Sign in to the Support Center console (${SUPPORT_CONSOLE_URL}), open ${theCase}, and reply with the incident summary: ${summary}.`,
    `If AWS opened no case: contact AWS through the Support Center console: create an "Account and billing" case (open to every support plan) about a security issue with the account, with the same summary.`,
    'To have this done automatically next time: a Business, Enterprise On-Ramp or Enterprise support plan includes the AWS Support API.',
  ];
}

// ---------------------------------------------------------------------------------------------
// The Support API.

/** The account's support plan has no Support API (Basic, Developer): not an error of the response. */
class NoSupportApi extends Error {
  public override readonly name = 'NoSupportApi';
}

/** Runs one Support call: no plan is said, throttling and 5xx are retried by the workflow, the rest rethrown. */
async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (awsErrorCode(err) === 'SubscriptionRequiredException') throw new NoSupportApi(operation, { cause: err });
    return rethrowAws(err, `Support ${operation}`);
  }
}

/** Every case DescribeCases lists for these filters, page by page. */
async function listCases(deps: SupportDeps, request: DescribeCasesRequest): Promise<CaseDetails[]> {
  const cases: CaseDetails[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('DescribeCases', () =>
      deps.support.send(new DescribeCasesCommand({ ...request, ...(nextToken ? { nextToken } : {}) })),
    );
    cases.push(...(page.cases ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return cases;
}

/** Whether one of the case's communications (all of them, paged) carries the marker. */
async function carriesMarker(deps: SupportDeps, caseId: string, marker: string): Promise<boolean> {
  let nextToken: string | undefined;
  do {
    const page = await call('DescribeCommunications', () =>
      deps.support.send(new DescribeCommunicationsCommand({ caseId, ...(nextToken ? { nextToken } : {}) })),
    );
    if ((page.communications ?? []).some((c) => c.body?.includes(marker))) return true;
    nextToken = page.nextToken;
  } while (nextToken);
  return false;
}

/** A case to answer, and how it was found. */
interface Target {
  readonly caseId: string;
  readonly displayId?: string;
  readonly why: string;
  /** Known from DescribeCases' recent communications: the marker is already there. */
  readonly answered?: boolean;
}

/** A case this responder opened (any incident): its subject's shape. */
const OWN_SUBJECT = /^Exposed access key .* \[[0-9A-Za-z_-]{1,80}\]$/;

function recentBodies(c: CaseDetails): string[] {
  return (c.recentCommunications?.communications ?? []).flatMap((m) => (m.body ? [m.body] : []));
}

/** DescribeCases' afterTime: two days before the detection (AWS opens its case at detection). */
function searchFrom(incident: Incident): string | undefined {
  for (const at of [incident.detectedAt, incident.dispatchedAt]) {
    const ms = Date.parse(at);
    if (!Number.isNaN(ms)) return new Date(ms - CASE_SEARCH_DAYS * 24 * 3600 * 1000).toISOString();
  }
  return undefined;
}

/**
 * The open case about this key: one that already carries this incident's summary first (nothing
 * to add); then AWS's own (it names the key in its subject, else in its messages); then the case
 * this responder opened for this incident; then one it opened for an earlier report of the key.
 */
async function findOpenCase(input: SupportInput, deps: SupportDeps, marker: string): Promise<Target | undefined> {
  const { incident } = input;
  const afterTime = searchFrom(incident);
  const cases = await listCases(deps, {
    includeResolvedCases: false,
    includeCommunications: true,
    ...(afterTime ? { afterTime } : {}),
  });
  const key = incident.accessKeyId;
  const own = `[${incident.incidentId}]`;
  const ranked = cases
    .flatMap((c) => {
      if (!c.caseId) return [];
      const subject = c.subject ?? '';
      const bodies = recentBodies(c);
      const inSubject = subject.includes(key);
      if (!inSubject && !bodies.some((b) => b.includes(key))) return [];
      const ours = OWN_SUBJECT.test(subject);
      const rank = !ours ? (inSubject ? 0 : 1) : subject.includes(own) ? 2 : 3;
      const answered = bodies.some((b) => b.includes(marker));
      return [{ c, rank, answered, created: Date.parse(c.timeCreated ?? '') || Number.MAX_SAFE_INTEGER }];
    })
    .sort((x, y) => Number(y.answered) - Number(x.answered) || x.rank - y.rank || x.created - y.created);
  const best = ranked[0];
  if (!best) return undefined;
  const why = [
    'an open case whose subject names this key',
    'an open case whose messages name this key',
    'the case this responder opened for this incident',
    'the open case this responder opened for an earlier report of this key',
  ][best.rank];
  deps.logger.info('support case found', { caseId: best.c.caseId, displayId: best.c.displayId, why, candidates: ranked.length });
  return {
    caseId: best.c.caseId as string,
    ...(best.c.displayId ? { displayId: best.c.displayId } : {}),
    why,
    answered: best.answered,
  };
}

/** The case this responder opened for this incident, even resolved: never open a second one. */
async function findOwnCase(input: SupportInput, deps: SupportDeps): Promise<CaseDetails | undefined> {
  const afterTime = searchFrom(input.incident);
  const cases = await listCases(deps, {
    includeResolvedCases: true,
    includeCommunications: false,
    ...(afterTime ? { afterTime } : {}),
  });
  return cases.find((c) => c.caseId && (c.subject ?? '').includes(`[${input.incident.incidentId}]`));
}

function ids(target: { caseId: string; displayId?: string }): Pick<SupportResult, 'caseId' | 'displayId'> {
  return { caseId: target.caseId, ...(target.displayId ? { displayId: target.displayId } : {}) };
}

function named(target: { caseId: string; displayId?: string }): string {
  return target.displayId ? `support case ${target.displayId} (${target.caseId})` : `support case ${target.caseId}`;
}

/**
 * The case Trusted Advisor names. Its "Case ID" is the number the Support Center shows (a display
 * id), found through DescribeCases' `displayId`; an id in the API's own `case-...` form is looked
 * up by `caseIdList`. Resolved cases count: it is still AWS's case about this key.
 */
async function findAwsCase(awsCaseId: string, deps: SupportDeps): Promise<Target | undefined> {
  const lookup = awsCaseId.startsWith('case-') ? { caseIdList: [awsCaseId] } : { displayId: awsCaseId };
  const [found] = (await listCases(deps, { ...lookup, includeResolvedCases: true, includeCommunications: false })).filter((c) => c.caseId);
  if (!found) return undefined;
  deps.logger.info('support case found', { caseId: found.caseId, displayId: found.displayId, why: 'named by Trusted Advisor' });
  return {
    caseId: found.caseId as string,
    ...(found.displayId ? { displayId: found.displayId } : {}),
    why: 'the case AWS opened when it detected the key',
  };
}

/** Adds the summary to the case, once: a retry finds the marker and adds nothing. */
async function answer(target: Target, body: string, marker: string, deps: SupportDeps): Promise<SupportResult> {
  const answered = target.answered || (await carriesMarker(deps, target.caseId, marker));
  if (answered) {
    deps.logger.info('support case already carries this incident', { caseId: target.caseId });
    if (deps.config.dryRun) {
      return { status: 'dry-run', ...ids(target), wouldDo: `nothing: ${named(target)} (${target.why}) already carries this incident's summary` };
    }
    return { status: 'already-answered', ...ids(target) };
  }
  if (deps.config.dryRun) {
    deps.logger.info('dry run: would answer the support case', { caseId: target.caseId });
    return { status: 'dry-run', ...ids(target), wouldDo: `answer ${named(target)} (${target.why}) with the incident summary` };
  }
  const out = await call('AddCommunicationToCase', () =>
    deps.support.send(new AddCommunicationToCaseCommand({ caseId: target.caseId, communicationBody: body })),
  );
  if (out.result === false) throw new Error(`Support AddCommunicationToCase: case ${target.caseId} did not take the communication`);
  deps.logger.info('support case answered', { caseId: target.caseId, why: target.why });
  return { status: 'communication-added', ...ids(target) };
}

async function respond(input: SupportInput, deps: SupportDeps, notes: string[]): Promise<SupportResult> {
  const { incident } = input;
  const marker = incidentMarker(incident.incidentId);
  const body = supportSummary(input);

  // 1. The case AWS opened, as Trusted Advisor names it.
  if (incident.awsCaseId) {
    try {
      const named = await findAwsCase(incident.awsCaseId, deps);
      if (named) return await answer(named, body, marker, deps);
    } catch (err) {
      if (awsErrorCode(err) !== 'CaseIdNotFound') throw err;
    }
    deps.logger.warn('the support case Trusted Advisor names was not found: looking for another', { caseId: incident.awsCaseId });
    notes.push(
      `support case ${incident.awsCaseId} (named by Trusted Advisor) was not found through the Support API (it may belong to another account's view of the case): looked for another case instead`,
    );
  }

  // 2. An open case about the key, AWS's or this responder's own.
  const open = await findOpenCase(input, deps, marker);
  if (open) return answer(open, body, marker, deps);

  // 3. This responder's own case, resolved since: never a second case for one incident.
  const own = await findOwnCase(input, deps);
  if (own?.caseId) {
    const target = { caseId: own.caseId, ...(own.displayId ? { displayId: own.displayId } : {}) };
    notes.push(`${named(target)}, opened by this responder for this incident, is resolved: nothing was added and no other case opened`);
    if (deps.config.dryRun) return { status: 'dry-run', ...ids(target), wouldDo: `nothing: ${named(target)} already exists for this incident` };
    return { status: 'already-answered', ...ids(target) };
  }

  // 4. No case at all: open one.
  const subject = caseSubject(input);
  const severityCode = deps.config.severity;
  if (deps.config.dryRun) {
    deps.logger.info('dry run: would open a support case', { subject, severityCode });
    return { status: 'dry-run', wouldDo: `open a new support case "${subject}" (security, severity ${severityCode})` };
  }
  const created = await call('CreateCase', () =>
    deps.support.send(
      new CreateCaseCommand({
        subject,
        serviceCode: SECURITY_CASE.serviceCode,
        categoryCode: SECURITY_CASE.categoryCode,
        issueType: SECURITY_CASE.issueType,
        severityCode,
        language: SECURITY_CASE.language,
        communicationBody: body,
      }),
    ),
  );
  if (!created.caseId) throw new Error('Support CreateCase: no case id in the answer');
  deps.logger.info('support case opened', { caseId: created.caseId, severityCode });
  return { status: 'case-created', caseId: created.caseId };
}

/**
 * Makes sure AWS support knows, with one case per incident: answers the case AWS opened (Trusted
 * Advisor's Case ID, else an open case that names the key), else opens one. Idempotent: each
 * communication starts with the incident's marker, and a run that finds it (or finds the case it
 * opened) writes nothing. A plan without the Support API is `unavailable` with what a human should
 * do, never an error. Throttling and 5xx become {@link TransientAwsError}; the rest is rethrown.
 */
export async function informSupport(input: SupportInput, deps: SupportDeps): Promise<SupportResult> {
  const notes: string[] = [];
  let result: SupportResult;
  try {
    result = await respond(input, deps, notes);
  } catch (err) {
    if (!(err instanceof NoSupportApi)) throw err;
    deps.logger.warn('no AWS Support API on this support plan: a human must tell AWS', { operation: err.message });
    result = { status: 'unavailable', reason: NO_SUPPORT_API_REASON, manualSteps: manualSupportSteps(input) };
  }
  return notes.length > 0 ? { ...result, notes } : result;
}
