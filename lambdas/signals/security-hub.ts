// The incident as one AWS Security Hub finding (ASFF), a pure rendering like the email: created
// when the response is under way, updated from the record when the execution ends. Its Id is
// derived from the incident id, so an import of the same incident updates the same finding.
import type { IncidentReport, Outcome } from '../report/record';
import type { Incident } from '../shared/incident';
import type { Verification } from '../shared/steps';
import type { RecordLocation } from './contract';

export type SeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/**
 * Severity from the outcome: the key may still work (failed) is critical; a human must act
 * (escalated) or nothing was changed (dry run) is high; contained with something still open is
 * medium; contained is low (the key still has to be rotated by its owner).
 */
export const OUTCOME_SEVERITY: Readonly<Record<Outcome, SeverityLabel>> = {
  failed: 'CRITICAL',
  escalated: 'HIGH',
  'dry-run': 'HIGH',
  'contained-with-gaps': 'MEDIUM',
  contained: 'LOW',
};
/** While the response runs, the exposure is high. */
export const UNDER_WAY_SEVERITY: SeverityLabel = 'HIGH';

export const FINDING_TYPES = ['TTPs/Credential Access/Exposed Access Key'];
const GENERATOR_ID = 'exposed-key-responder';
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 1024;

/** The finding's Id: one per incident of one account. */
export function findingIdFor(incident: Pick<Incident, 'accountId' | 'incidentId'>): string {
  return `exposed-key-responder/${incident.accountId}/${incident.incidentId}`;
}

/**
 * Partition, region and account of the execution (its ARN): where the workflow imports the finding.
 * Without one: us-east-1 (the stack's) and the incident's account.
 */
function placeOf(executionId: string | undefined, incidentAccount: string): { partition: string; region: string; account: string } {
  const m = /^arn:(aws[\w-]*):states:([a-z0-9-]+):(\d{12}):/.exec(executionId ?? '');
  return m ? { partition: m[1], region: m[2], account: m[3] } : { partition: 'aws', region: 'us-east-1', account: incidentAccount };
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 3).join('')}...`;
}

export interface FindingFacts {
  readonly incident: Incident;
  readonly executionId?: string;
  readonly severity: SeverityLabel;
  readonly state: 'under-way' | 'completed';
  readonly description: string;
  /** The key's status as last read back (verification), when known. */
  readonly keyStatus?: string;
  readonly outcome?: Outcome;
  readonly record?: RecordLocation;
  readonly updatedAt: string;
}

/**
 * One ASFF finding (the fields BatchImportFindings requires, and what a reader of the incident needs).
 *
 * The workflow imports it with its own role, in the responder's account, through that account's
 * default product: Security Hub then requires the finding's AwsAccountId to be the importing
 * account (only an allow-listed partner may import for other accounts, not even the Security Hub
 * administrator). So the finding belongs to the responder's account (the execution's), and an
 * incident of a member account (organization mode) names that account where it can: the key's
 * resource (`AccountId`), the title and the product field `exposed-key-responder/incidentAccountId`.
 */
export function asffFinding(f: FindingFacts): Record<string, unknown> {
  const { incident } = f;
  const { partition, region, account } = placeOf(f.executionId, incident.accountId);
  const member = account !== incident.accountId;
  const productArn = `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;
  const fields: Record<string, string> = {
    'exposed-key-responder/incidentId': incident.incidentId,
    ...(member ? { 'exposed-key-responder/incidentAccountId': incident.accountId } : {}),
    'exposed-key-responder/workflowState': f.state,
    'exposed-key-responder/reportedBy': incident.source,
    ...(f.outcome ? { 'exposed-key-responder/outcome': f.outcome } : {}),
    ...(f.executionId ? { 'exposed-key-responder/executionId': f.executionId } : {}),
    ...(f.record?.written ? { 'exposed-key-responder/record': `s3://${f.record.bucket}/${f.record.jsonKey}` } : {}),
    ...(f.record && !f.record.written ? { 'exposed-key-responder/recordError': cut(f.record.error, 1000) } : {}),
  };
  return {
    SchemaVersion: '2018-10-08',
    Id: findingIdFor(incident),
    ProductArn: productArn,
    GeneratorId: GENERATOR_ID,
    AwsAccountId: account,
    Types: FINDING_TYPES,
    FirstObservedAt: incident.detectedAt,
    // The same on every import of the incident: the creation of the finding, not of this update.
    CreatedAt: incident.dispatchedAt,
    UpdatedAt: f.updatedAt,
    Severity: { Label: f.severity },
    FindingProviderFields: { Severity: { Label: f.severity }, Types: FINDING_TYPES },
    Title: cut(`Exposed access key ${incident.accessKeyId} of ${incident.userName}${member ? ` in account ${incident.accountId}` : ''}`, TITLE_MAX),
    Description: cut(f.description, DESCRIPTION_MAX),
    ...(f.record?.written ? { SourceUrl: f.record.consoleUrl } : {}),
    Resources: [{
      Type: 'AwsIamAccessKey',
      Id: incident.accessKeyId,
      Partition: partition,
      Region: region,
      Details: {
        AwsIamAccessKey: {
          PrincipalName: incident.userName,
          PrincipalType: incident.principalType === 'root' ? 'Root' : 'IAMUser',
          AccountId: incident.accountId,
          ...(f.keyStatus ? { Status: f.keyStatus } : {}),
        },
      },
    }],
    ProductFields: fields,
    RecordState: 'ACTIVE',
    Workflow: { Status: f.state === 'under-way' ? 'NEW' : 'NOTIFIED' },
  };
}

/** The finding when the response is under way (after the verification). */
export function startFinding(incident: Incident, executionId: string | undefined, verification: Verification | undefined, now: Date): Record<string, unknown> {
  return asffFinding({
    incident,
    executionId,
    severity: UNDER_WAY_SEVERITY,
    state: 'under-way',
    description: `The exposed-key-responder is containing this key (reported by ${incident.source}: ${incident.detail}). This finding is updated when the response ends.`,
    keyStatus: verification?.keyStatus,
    updatedAt: now.toISOString(),
  });
}

/** The finding when the execution ends: the record's outcome, what is still open, where the record is. */
export function completionFinding(report: IncidentReport, record: RecordLocation): Record<string, unknown> {
  const open = report.stillOpen.length;
  return asffFinding({
    incident: report.incident,
    executionId: report.executionId,
    severity: OUTCOME_SEVERITY[report.outcome],
    state: 'completed',
    outcome: report.outcome,
    description: `${report.headline}. ${open === 0 ? 'Nothing is still open.' : `${open} thing(s) still open, first: ${report.stillOpen[0].what}`}`,
    keyStatus: report.verification?.keyStatus,
    record,
    updatedAt: report.generatedAt,
  });
}
