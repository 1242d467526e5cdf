// The Security Hub finding through the whole workflow (securityHub=true): created when the
// response is under way, updated from the last record at the end, one per incident.
import { DEFAULT_CONFIG, drill, EXPOSED, healthEvent, stackRules, trustedAdvisorEvent, twoKeyScenario } from './helpers';

beforeAll(() => {
  stackRules();
});

const WITH_HUB = { ...DEFAULT_CONFIG, securityHub: true };
const IMPORT_STATES = ['StartFinding', 'EndFinding'];

describe('the incident\'s Security Hub finding', () => {
  it('is created after the verification (HIGH, under way) and updated at the end (the outcome\'s severity, the record), one finding', async () => {
    const { output, drill: d } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], WITH_HUB);

    expect(output.execution?.status).toBe('SUCCEEDED');
    const states = output.execution!.states.map((s) => s.name);
    expect(states.slice(states.indexOf('Verify'), states.indexOf('Investigate') + 1)).toEqual(['Verify', 'AnnounceStart', 'StartFindingWanted', 'StartFinding', 'Investigate']);
    expect(states.slice(states.indexOf('PublishCompletion'))).toEqual(['PublishCompletion', 'EndFindingWanted', 'EndFinding', 'CompletionRoute', 'ResponseComplete', 'ResponseSucceeded']);

    const imports = d.account.signals.imports;
    const id = `exposed-key-responder/${output.incident!.accountId}/${output.incident!.incidentId}`;
    expect(imports.map((f) => [f.Id, (f.Severity as { Label: string }).Label, (f.ProductFields as Record<string, string>)['exposed-key-responder/workflowState'], (f.Workflow as { Status: string }).Status])).toEqual([
      [id, 'HIGH', 'under-way', 'NEW'],
      [id, 'LOW', 'completed', 'NOTIFIED'],
    ]);
    expect(output.securityHubFindings).toHaveLength(1);
    const [finding] = output.securityHubFindings as Array<Record<string, any>>;
    expect(finding.CreatedAt).toBe(imports[0].CreatedAt);
    expect(finding.ProductFields['exposed-key-responder/outcome']).toBe('contained');
    expect(finding.ProductFields['exposed-key-responder/record']).toBe(`s3://${d.bucket}/incidents/${output.incident!.incidentId}/report.json`);
    expect(finding.Resources[0]).toMatchObject({ Type: 'AwsIamAccessKey', Id: EXPOSED, Details: { AwsIamAccessKey: { PrincipalName: 'ci-deploy', Status: 'Inactive' } } });
  });

  it('is one finding for a key reported twice the same day (Trusted Advisor, then Health)', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy'), healthEvent(EXPOSED)], WITH_HUB);

    expect(output.securityHubFindings).toHaveLength(1);
  });

  it('is not imported without securityHub: the import states are skipped', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.execution!.states.map((s) => s.name).filter((n) => IMPORT_STATES.includes(n))).toEqual([]);
    expect(output.securityHubFindings).toEqual([]);
  });

  it('is still created and updated when Security Hub throttles an import once (the import is idempotent: tried again)', async () => {
    const { output, drill: d } = await drill(twoKeyScenario({ faults: [{ operation: 'securityhub:BatchImportFindings', error: 'ThrottlingException', times: 1 }] }), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], WITH_HUB);

    expect(d.account.signals.imports).toHaveLength(2);
    expect(output.securityHubFindings).toHaveLength(1);
  });

  it('that Security Hub refuses (not enabled, access denied) changes nothing else: the execution ends as the record decided', async () => {
    const { output } = await drill(twoKeyScenario({ faults: [{ operation: 'securityhub:BatchImportFindings', error: 'InvalidAccessException', times: 99 }] }), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], WITH_HUB);

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.securityHubFindings).toEqual([]);
    const states = output.execution!.states.map((s) => s.name);
    expect(states).toEqual(expect.arrayContaining(['StartFindingFailed', 'EndFindingFailed']));
    expect(output.events).toHaveLength(1);
  });
});
