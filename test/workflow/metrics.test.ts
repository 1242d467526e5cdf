// The metrics through the whole workflow: what the drill saw the signals step emit (EMF), once per
// execution, in the order the workflow emits them.
import { drill, EXPOSED, healthEvent, stackRules, trustedAdvisorEvent, twoKeyScenario } from './helpers';
import { attackerScenario, RECORDS } from './footholds-scenarios';

beforeAll(() => {
  stackRules();
});

const names = (metrics: Array<{ name: string }>) => metrics.map((m) => m.name);

describe('the metrics of an incident', () => {
  it('contained, with a foothold: started and time to contain after the verification; outcome, time to record and footholds at the end', async () => {
    const { output } = await drill(attackerScenario([RECORDS.createdUser()]), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(names(output.metrics)).toEqual(['IncidentsStarted', 'TimeToContain', 'IncidentsContained', 'TimeToRecord', 'FootholdsContained']);
    const value = (name: string) => output.metrics.find((m) => m.name === name)!.value;
    expect(value('IncidentsStarted')).toBe(1);
    expect(value('IncidentsContained')).toBe(1);
    // The backdoor user: its keys, sessions, quarantine and console password.
    expect(value('FootholdsContained')).toBe(4);
    const report = output.report as { incident: { detectedAt: string }; verification: { checkedAt: string } };
    expect(value('TimeToContain')).toBe((Date.parse(report.verification.checkedAt) - Date.parse(report.incident.detectedAt)) / 1000);
    expect(value('TimeToRecord')).toBeGreaterThanOrEqual(value('TimeToContain'));
    expect(output.metrics.every((m) => m.namespace === 'ExposedKeyResponder' && m.incidentId === output.incident!.incidentId)).toBe(true);
  });

  it('containment that failed: started and failed, with no time to contain', async () => {
    const { output } = await drill(twoKeyScenario({ faults: [{ operation: 'iam:UpdateAccessKey', error: 'AccessDenied', times: 99 }] }), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.execution?.status).toBe('FAILED');
    expect(names(output.metrics)).toEqual(['IncidentsStarted', 'IncidentsFailed', 'TimeToRecord', 'FootholdsContained']);
  });

  it('a key reported twice: the metrics of one execution only', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy'), healthEvent(EXPOSED)]);

    expect(names(output.metrics).filter((n) => n === 'IncidentsStarted')).toHaveLength(1);
    expect(names(output.metrics).filter((n) => n.startsWith('Incidents'))).toEqual(['IncidentsStarted', 'IncidentsContained']);
  });
});
