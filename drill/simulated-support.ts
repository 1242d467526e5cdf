// The simulated account's AWS Support API (us-east-1): cases, their communications, and the
// support plan that decides whether the API answers at all.
import { awsError } from './aws-errors';
import { Scenario } from './scenario';

export type SupportCase = Scenario['supportCases'][number] & { displayId: string; createdAt: string };

export class SupportOperations {
  readonly supportCases: SupportCase[];

  constructor(
    private readonly accountId: string,
    private readonly scenario: Pick<Scenario, 'supportCases' | 'supportPlan'>,
    /** When the drill started (ms): the scenario's cases were opened a minute before. */
    started: number,
  ) {
    this.supportCases = scenario.supportCases.map((c, i) => ({ ...structuredClone(c), displayId: c.displayId ?? String(9000000000 + i), createdAt: new Date(started - 60_000).toISOString() }));
  }

  private supportPlanAllows(): void {
    if (this.scenario.supportPlan === 'basic' || this.scenario.supportPlan === 'developer') {
      throw awsError('SubscriptionRequiredException', 'AWS Premium Support Subscription is required to use this service.');
    }
  }

  private supportCase(caseId: unknown) {
    const found = this.supportCases.find((c) => c.caseId === caseId);
    if (!found) throw awsError('CaseIdNotFound', `Case ${String(caseId)} not found`);
    return found;
  }

  protected support_DescribeCases(input: Record<string, unknown>) {
    this.supportPlanAllows();
    const ids = input.caseIdList as string[] | undefined;
    // Like the Support API: an unknown id of the list is an error, an unknown display id finds nothing.
    for (const id of ids ?? []) this.supportCase(id);
    const after = input.afterTime ? Date.parse(String(input.afterTime)) : 0;
    const cases = this.supportCases
      .filter((c) => !ids || ids.includes(c.caseId))
      .filter((c) => input.displayId === undefined || c.displayId === input.displayId)
      .filter((c) => input.includeResolvedCases || c.status !== 'resolved')
      .filter((c) => Date.parse(c.createdAt) >= after);
    return {
      cases: cases.map((c) => ({
        caseId: c.caseId, displayId: c.displayId, subject: c.subject, status: c.status, severityCode: c.severityCode,
        serviceCode: 'customer-account', categoryCode: 'security', timeCreated: c.createdAt,
        ...(input.includeCommunications === false ? {} : { recentCommunications: { communications: c.communications.map((body) => ({ caseId: c.caseId, body, submittedBy: 'aws' })) } }),
      })),
    };
  }

  protected support_DescribeCommunications(input: Record<string, unknown>) {
    this.supportPlanAllows();
    const c = this.supportCase(input.caseId);
    return { communications: c.communications.map((body) => ({ caseId: c.caseId, body, submittedBy: 'aws' })) };
  }

  protected support_AddCommunicationToCase(input: Record<string, unknown>) {
    this.supportPlanAllows();
    this.supportCase(input.caseId).communications.push(String(input.communicationBody));
    return { result: true };
  }

  protected support_CreateCase(input: Record<string, unknown>) {
    this.supportPlanAllows();
    const caseId = `case-${this.accountId}-sim-${this.supportCases.length + 1}`;
    this.supportCases.push({
      caseId, subject: String(input.subject), status: 'opened', severityCode: String(input.severityCode ?? 'normal'),
      communications: [String(input.communicationBody)], displayId: String(9100000000 + this.supportCases.length), createdAt: new Date().toISOString(),
    });
    return { caseId };
  }
}
