// Finding the incident's support case through the Support API: the case AWS opened, an open case
// about the key, or the one this responder opened; every DescribeCases and DescribeCommunications
// page read, throttling and 5xx left to the workflow's retries.
import { CaseDetails, DescribeCasesCommand, DescribeCasesRequest, DescribeCommunicationsCommand } from '@aws-sdk/client-support';
import { awsErrorCode, rethrowAws } from '../shared/errors';
import { Incident } from '../shared/incident';
import type { SupportDeps, SupportInput } from './support';

/** How far before the detection a case AWS opened about the key is looked for. */
export const CASE_SEARCH_DAYS = 2;

/** The account's support plan has no Support API (Basic, Developer): not an error of the response. */
export class NoSupportApi extends Error {
  public override readonly name = 'NoSupportApi';
}

/** Runs one Support call: no plan is said, throttling and 5xx are retried by the workflow, the rest rethrown. */
export async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
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
export async function carriesMarker(deps: SupportDeps, caseId: string, marker: string): Promise<boolean> {
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
export interface Target {
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
export async function findOpenCase(input: SupportInput, deps: SupportDeps, marker: string): Promise<Target | undefined> {
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
export async function findOwnCase(input: SupportInput, deps: SupportDeps): Promise<CaseDetails | undefined> {
  const afterTime = searchFrom(input.incident);
  const cases = await listCases(deps, {
    includeResolvedCases: true,
    includeCommunications: false,
    ...(afterTime ? { afterTime } : {}),
  });
  return cases.find((c) => c.caseId && (c.subject ?? '').includes(`[${input.incident.incidentId}]`));
}

/**
 * The case Trusted Advisor names. Its "Case ID" is the number the Support Center shows (a display
 * id), found through DescribeCases' `displayId`; an id in the API's own `case-...` form is looked
 * up by `caseIdList`. Resolved cases count: it is still AWS's case about this key.
 */
export async function findAwsCase(awsCaseId: string, deps: SupportDeps): Promise<Target | undefined> {
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
