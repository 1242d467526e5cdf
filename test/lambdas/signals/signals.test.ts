import { createHandler } from '../../../lambdas/signals/handler';
import { EmfDocument } from '../../../lambdas/signals/metrics';
import { announceCompletion, announceStart } from '../../../lambdas/signals/signals';
import { aState, containment, GENERATED_AT, lambdaError, verification } from '../report/fixtures';
import { fakeLogger, KEY_ID } from '../helpers';

const INCIDENT_ID = `${KEY_ID}-20261120`;
const WRITTEN = {
  bucket: 'incident-bucket',
  jsonKey: `incidents/${INCIDENT_ID}/report.json`,
  markdownKey: `incidents/${INCIDENT_ID}/report.md`,
  consoleUrl: 'https://s3.console.aws.amazon.com/s3/object/incident-bucket?prefix=x',
  outcome: 'contained' as const,
  failures: 0,
  complete: true,
};

function collect() {
  const docs: EmfDocument[] = [];
  return { docs, deps: { logger: fakeLogger(), emit: (d: EmfDocument) => docs.push(d), now: () => GENERATED_AT, config: { securityHub: false } } };
}

describe('the start phase', () => {
  it('emits one incident started and the time to contain: the event\'s time (09:59:00) to the key read back Inactive (10:00:02.5)', () => {
    const { docs, deps } = collect();

    announceStart(aState({ verification: verification({ checkedAt: '2026-11-20T10:00:02.500Z' }) }), deps);

    expect(docs).toEqual([{
      _aws: {
        Timestamp: GENERATED_AT.getTime(),
        CloudWatchMetrics: [{
          Namespace: 'ExposedKeyResponder',
          Dimensions: [['service']],
          Metrics: [{ Name: 'IncidentsStarted', Unit: 'Count' }, { Name: 'TimeToContain', Unit: 'Seconds' }],
        }],
      },
      service: 'exposed-key-responder',
      incidentId: INCIDENT_ID,
      IncidentsStarted: 1,
      TimeToContain: 62.5,
    }]);
  });

  it.each([
    ['the key still Active', { verification: verification({ keyStatus: 'Active' }) }],
    ['a dry run', { verification: verification({ status: 'dry-run', keyStatus: 'Active' }) }],
    ['an escalation (nothing to change)', { verification: verification({ status: 'skipped', keyStatus: undefined }) }],
    ['a failed verification', { verification: { failed: { step: 'Verify', error: lambdaError('ContainmentNotVerifiedError', 'key Active') } } }],
  ])('gives no time to contain for %s: the incident is still counted', (_what, overrides) => {
    const { docs, deps } = collect();

    announceStart(aState(overrides), deps);

    expect(docs[0]._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name)).toEqual(['IncidentsStarted']);
    expect(docs[0].TimeToContain).toBeUndefined();
  });

  it('gives no time to contain when the verification is dated before the report (a clock that cannot be trusted)', () => {
    const { docs, deps } = collect();

    announceStart(aState({ verification: verification({ checkedAt: '2026-11-20T09:00:00.000Z' }) }), deps);

    expect(docs[0].TimeToContain).toBeUndefined();
  });
});

describe('the completion phase', () => {
  it('contained: one IncidentsContained, the time to the first record, the footholds contained; and the event', () => {
    const { docs, deps } = collect();
    const footholds = { results: [], summary: { contained: true, containedCount: 3, open: [] } };

    const out = announceCompletion(aState({ report: WRITTEN, footholds }), { recordWrittenAt: '2026-11-20T10:00:30.000Z' }, deps);

    expect(docs).toHaveLength(1);
    expect(docs[0]._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: 'IncidentsContained', Unit: 'Count' },
      { Name: 'TimeToRecord', Unit: 'Seconds' },
      { Name: 'FootholdsContained', Unit: 'Count' },
    ]);
    expect(docs[0]).toMatchObject({ IncidentsContained: 1, TimeToRecord: 90, FootholdsContained: 3 });
    expect(out.entries[0].Detail.outcome).toBe('contained');
  });

  it.each([
    ['failed', { containment: [{ failed: { step: 'DeactivateKey', error: lambdaError('AccessDenied', 'no') } }, ...containment().slice(1)], verification: verification({ keyStatus: 'Active' }) }, 'IncidentsFailed'],
    ['escalated', { containment: containment('skipped'), verification: verification({ status: 'skipped', keyStatus: undefined }) }, 'IncidentsEscalated'],
    ['contained with gaps', { investigation: { failed: { step: 'Investigate', error: lambdaError('Throttling', 'slow down') } } }, 'IncidentsContainedWithGaps'],
  ])('%s: counts that outcome only', (_what, overrides, metric) => {
    const { docs, deps } = collect();

    announceCompletion(aState({ report: WRITTEN, ...overrides } as never), {}, deps);

    const names = docs[0]._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name);
    expect(names.filter((n) => n.startsWith('Incidents'))).toEqual([metric]);
    expect(names).not.toContain('TimeToRecord');
  });
});

describe('the handler', () => {
  it('reads when the record was first written from the state, and emits its documents to the sink', async () => {
    const docs: EmfDocument[] = [];
    const handler = createHandler({ SECURITY_HUB: 'false' }, { emit: (d) => docs.push(d) });

    await handler({ phase: 'completion', state: { ...aState({ report: WRITTEN }), recordWrittenAt: { at: '2026-11-20T09:59:45.000Z' } } });

    expect(docs[0].TimeToRecord).toBe(45);
  });

  it('refuses an unknown phase, and a state without an incident, as input that can never succeed', async () => {
    const handler = createHandler({ SECURITY_HUB: 'false' }, { emit: () => undefined });

    await expect(handler({ phase: 'later', state: aState() })).rejects.toMatchObject({ name: 'InvalidIncidentError' });
    await expect(handler({ phase: 'completion', state: { report: WRITTEN } })).rejects.toMatchObject({ name: 'InvalidIncidentError' });
    await expect(handler('not an object')).rejects.toMatchObject({ name: 'InvalidIncidentError' });
  });
});
