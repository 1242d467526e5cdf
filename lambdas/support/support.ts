import {
  AddCommunicationToCaseCommand,
  CaseDetails,
  CreateCaseCommand,
  DescribeCasesCommand,
  DescribeCasesRequest,
  DescribeCommunicationsCommand,
  SupportClient,
} from '@aws-sdk/client-support';
import { buildReport, IncidentReport } from '../report/record';
import { awsErrorCode, rethrowAws } from '../shared/errors';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import { WorkflowState, WorkflowStateSchema } from '../shared/state';
import { SUPPORT_STATUSES, SupportResult, SupportResultSchema } from './contract';
import { caseSubject, fitBody, incidentMarker, manualSupportSteps, MAX_COMMUNICATION_BODY, MAX_SUBJECT, SUPPORT_CONSOLE_URL, supportSummary } from './summary';

export { caseSubject, fitBody, incidentMarker, manualSupportSteps, MAX_COMMUNICATION_BODY, MAX_SUBJECT, SUPPORT_CONSOLE_URL, supportSummary };

export { SUPPORT_STATUSES, SupportResultSchema };
export type { SupportResult };

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

/** How far before the detection a case AWS opened about the key is looked for. */
export const CASE_SEARCH_DAYS = 2;

/** Why the answer is `unavailable`: the only Support API failure that is not an error. */
export const NO_SUPPORT_API_REASON = "the account's support plan (Basic or Developer) does not include the AWS Support API";

/** The workflow's state: the one workflow state schema; the case text renders the record built from it. */
export const SupportInputSchema = WorkflowStateSchema;
export type SupportInput = WorkflowState;

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

// ---------------------------------------------------------------------------------------------

/** Nothing in the summary depends on when it is written: the record's own time is not used. */
const SUMMARY_CLOCK = new Date(0);

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

async function respond(input: SupportInput, report: IncidentReport, deps: SupportDeps, notes: string[]): Promise<SupportResult> {
  const { incident } = input;
  const marker = incidentMarker(incident.incidentId);
  const body = supportSummary(report);

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
  const subject = caseSubject(report);
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
  // The record, rebuilt from the state with the same pure buildReport the report step writes.
  const report = buildReport(input, SUMMARY_CLOCK);
  let result: SupportResult;
  try {
    result = await respond(input, report, deps, notes);
  } catch (err) {
    if (!(err instanceof NoSupportApi)) throw err;
    deps.logger.warn('no AWS Support API on this support plan: a human must tell AWS', { operation: err.message });
    result = { status: 'unavailable', reason: NO_SUPPORT_API_REASON, manualSteps: manualSupportSteps(report) };
  }
  return notes.length > 0 ? { ...result, notes } : result;
}
