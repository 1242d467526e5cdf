import { buildReport } from '../../../lambdas/report/record';
import { completionFinding, findingIdFor, startFinding } from '../../../lambdas/signals/security-hub';
import { aState, containment, EXECUTION_ID, GENERATED_AT, lambdaError, verification } from '../report/fixtures';
import { anIncident, KEY_ID } from '../helpers';

const INCIDENT_ID = `${KEY_ID}-20261120`;
const FINDING_ID = `exposed-key-responder/123456789012/${INCIDENT_ID}`;
const WRITTEN = { written: true as const, bucket: 'incident-bucket', jsonKey: `incidents/${INCIDENT_ID}/report.json`, markdownKey: `incidents/${INCIDENT_ID}/report.md`, consoleUrl: 'https://s3.console.aws.amazon.com/s3/object/incident-bucket?prefix=x' };

describe('the incident\'s Security Hub finding', () => {
  it('under way: an AwsIamAccessKey finding, severity HIGH, workflow NEW, in the execution\'s region, its Id from the incident id', () => {
    const finding = startFinding(anIncident(), EXECUTION_ID, verification(), new Date('2026-11-20T10:00:03.000Z'));

    expect(finding).toEqual({
      SchemaVersion: '2018-10-08',
      Id: FINDING_ID,
      ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
      GeneratorId: 'exposed-key-responder',
      AwsAccountId: '123456789012',
      Types: ['TTPs/Credential Access/Exposed Access Key'],
      FirstObservedAt: '2026-11-20T09:59:00.000Z',
      CreatedAt: '2026-11-20T10:00:00.000Z',
      UpdatedAt: '2026-11-20T10:00:03.000Z',
      Severity: { Label: 'HIGH' },
      FindingProviderFields: { Severity: { Label: 'HIGH' }, Types: ['TTPs/Credential Access/Exposed Access Key'] },
      Title: `Exposed access key ${KEY_ID} of ci-deploy`,
      Description: 'The exposed-key-responder is containing this key (reported by trusted-advisor: Trusted Advisor "Exposed Access Keys" (fraud type: Exposed)). This finding is updated when the response ends.',
      Resources: [{
        Type: 'AwsIamAccessKey',
        Id: KEY_ID,
        Partition: 'aws',
        Region: 'us-east-1',
        Details: { AwsIamAccessKey: { PrincipalName: 'ci-deploy', PrincipalType: 'IAMUser', AccountId: '123456789012', Status: 'Inactive' } },
      }],
      ProductFields: {
        'exposed-key-responder/incidentId': INCIDENT_ID,
        'exposed-key-responder/workflowState': 'under-way',
        'exposed-key-responder/reportedBy': 'trusted-advisor',
        'exposed-key-responder/executionId': EXECUTION_ID,
      },
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
    });
  });

  it('completed: the same Id and CreatedAt, severity from the outcome, the record\'s location, workflow NOTIFIED', () => {
    const report = buildReport(aState(), GENERATED_AT);

    const finding = completionFinding(report, WRITTEN);

    expect(finding).toMatchObject({
      Id: FINDING_ID,
      CreatedAt: '2026-11-20T10:00:00.000Z',
      UpdatedAt: '2026-11-20T10:03:00.000Z',
      Severity: { Label: 'LOW' },
      Description: 'Exposed access key contained. Nothing is still open.',
      SourceUrl: 'https://s3.console.aws.amazon.com/s3/object/incident-bucket?prefix=x',
      ProductFields: {
        'exposed-key-responder/workflowState': 'completed',
        'exposed-key-responder/outcome': 'contained',
        'exposed-key-responder/record': `s3://incident-bucket/incidents/${INCIDENT_ID}/report.json`,
      },
      Workflow: { Status: 'NOTIFIED' },
    });
  });

  it.each([
    ['failed', { containment: [{ failed: { step: 'DeactivateKey', error: lambdaError('AccessDenied', 'no') } }, ...containment().slice(1)], verification: verification({ keyStatus: 'Active' }) }, 'CRITICAL'],
    ['escalated', { containment: containment('skipped'), verification: verification({ status: 'skipped', keyStatus: undefined }) }, 'HIGH'],
    ['contained with gaps', { investigation: { failed: { step: 'Investigate', error: lambdaError('Throttling', 'slow down') } } }, 'MEDIUM'],
  ])('%s: severity %s', (_what, overrides, label) => {
    const finding = completionFinding(buildReport(aState(overrides as never), GENERATED_AT), WRITTEN);

    expect(finding.Severity).toEqual({ Label: label });
    expect((finding.FindingProviderFields as { Severity: unknown }).Severity).toEqual({ Label: label });
  });

  it('a record that could not be written: no SourceUrl, the error in its product fields', () => {
    const finding = completionFinding(buildReport(aState(), GENERATED_AT), { written: false, error: 'RewriteReport: AccessDenied: denied' });

    expect(finding.SourceUrl).toBeUndefined();
    expect(finding.ProductFields).toMatchObject({ 'exposed-key-responder/recordError': 'RewriteReport: AccessDenied: denied' });
  });

  it('one Id per incident of one account: another day\'s incident of the same key is another finding', () => {
    expect(findingIdFor({ accountId: '123456789012', incidentId: `${KEY_ID}-20261120` })).toBe(FINDING_ID);
    expect(findingIdFor({ accountId: '123456789012', incidentId: `${KEY_ID}-20261121` })).not.toBe(FINDING_ID);
  });

  describe('an incident of a member account (organization mode)', () => {
    const MEMBER = '444455556666';
    const member = anIncident({ accountId: MEMBER });

    it('belongs to the responder\'s account that imports it (Security Hub requires AwsAccountId to be the importing account), and names the member account', () => {
      const finding = startFinding(member, EXECUTION_ID, verification(), new Date('2026-11-20T10:00:03.000Z'));

      expect(finding).toMatchObject({
        Id: `exposed-key-responder/${MEMBER}/${INCIDENT_ID}`,
        ProductArn: 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default',
        AwsAccountId: '123456789012',
        Title: `Exposed access key ${KEY_ID} of ci-deploy in account ${MEMBER}`,
        ProductFields: { 'exposed-key-responder/incidentAccountId': MEMBER },
      });
      expect(finding.Resources).toEqual([expect.objectContaining({
        Id: KEY_ID,
        Details: { AwsIamAccessKey: { PrincipalName: 'ci-deploy', PrincipalType: 'IAMUser', AccountId: MEMBER, Status: 'Inactive' } },
      })]);
    });

    it('when the response ends: the same finding, still in the responder\'s account', () => {
      const report = buildReport(aState({}, { accountId: MEMBER }), GENERATED_AT);

      const finding = completionFinding(report, WRITTEN);

      expect(finding).toMatchObject({ Id: `exposed-key-responder/${MEMBER}/${INCIDENT_ID}`, AwsAccountId: '123456789012', Title: `Exposed access key ${KEY_ID} of ci-deploy in account ${MEMBER}` });
    });

    it('an incident of the responder\'s own account names no other account', () => {
      const finding = startFinding(anIncident(), EXECUTION_ID, undefined, GENERATED_AT);

      expect(finding.Title).toBe(`Exposed access key ${KEY_ID} of ci-deploy`);
      expect(finding.ProductFields).not.toHaveProperty(['exposed-key-responder/incidentAccountId']);
    });
  });

  it('keeps the title and description within Security Hub\'s limits (256 and 1024 characters)', () => {
    const long = anIncident({ userName: 'u'.repeat(64), detail: 'd'.repeat(1000) });

    const finding = startFinding(long, EXECUTION_ID, undefined, GENERATED_AT);

    expect(String(finding.Title).length).toBeLessThanOrEqual(256);
    expect(String(finding.Description).length).toBeLessThanOrEqual(1024);
    expect(String(finding.Description).endsWith('...')).toBe(true);
  });
});
