import { AddCommunicationToCaseCommand, CreateCaseCommand, SupportClient } from '@aws-sdk/client-support';
import { buildReport, IncidentReport } from '../report/record';
import { awsErrorCode } from '../shared/errors';
import { Log } from '../shared/logger';
import { WorkflowState, WorkflowStateSchema } from '../shared/state';
import { call, CASE_SEARCH_DAYS, carriesMarker, findAwsCase, findOpenCase, findOwnCase, NoSupportApi, Target } from './cases';
import { SUPPORT_STATUSES, SupportResult, SupportResultSchema } from './contract';
import { caseSubject, fitBody, incidentMarker, manualSupportSteps, MAX_COMMUNICATION_BODY, MAX_SUBJECT, SUPPORT_CONSOLE_URL, supportSummary } from './summary';

export { caseSubject, fitBody, incidentMarker, manualSupportSteps, MAX_COMMUNICATION_BODY, MAX_SUBJECT, SUPPORT_CONSOLE_URL, supportSummary };

export { CASE_SEARCH_DAYS, SUPPORT_STATUSES, SupportResultSchema };
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

/** Nothing in the summary depends on when it is written: the record's own time is not used. */
const SUMMARY_CLOCK = new Date(0);

function ids(target: { caseId: string; displayId?: string }): Pick<SupportResult, 'caseId' | 'displayId'> {
  return { caseId: target.caseId, ...(target.displayId ? { displayId: target.displayId } : {}) };
}

function named(target: { caseId: string; displayId?: string }): string {
  return target.displayId ? `support case ${target.displayId} (${target.caseId})` : `support case ${target.caseId}`;
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
