// The completion event through the whole workflow (the ASL run locally against the simulated
// account): published once per execution, at its end, from the last record; and no rule of the
// responder hears it.
import { matchingRules } from '../../drill/rules';
import { synthesizedRules } from '../../drill/stack-rules';
import { ACCOUNT, drill, EXPOSED, healthEvent, stackRules, trustedAdvisorEvent, twoKeyScenario } from './helpers';
import { attackerScenario, RECORDS } from './footholds-scenarios';

beforeAll(() => {
  stackRules();
});

const INCIDENT_ID = `${EXPOSED}-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;

describe('the completion event', () => {
  it('is put once, on the default bus, after the second look, rendering the record as last written', async () => {
    const { output, drill: d } = await drill(attackerScenario([RECORDS.createdUser()]), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    const states = output.execution!.states.map((s) => s.name);
    expect(states.slice(states.indexOf('SecondLookReport'))).toEqual([
      'SecondLookReport', 'SecondLookChanged', 'AnnounceCompletion', 'PublishCompletion', 'EndFindingWanted', 'CompletionRoute', 'ResponseComplete', 'ResponseSucceeded',
    ]);
    expect(output.events).toHaveLength(1);
    const [event] = output.events;
    const record = JSON.parse(d.reportObjects(INCIDENT_ID).json!);
    expect(event).toMatchObject({
      source: 'exposed-key-responder',
      'detail-type': 'Exposed Key Response Completed',
      eventBusName: 'default',
      account: ACCOUNT,
      resources: [
        `arn:aws:states:us-east-1:${ACCOUNT}:execution:ExposedKeyResponse:${INCIDENT_ID}`,
        `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:ExposedKeyResponse`,
      ],
      detail: {
        incidentId: INCIDENT_ID,
        outcome: 'contained',
        complete: true,
        accessKeyId: EXPOSED,
        userName: 'ci-deploy',
        accountId: ACCOUNT,
        stillOpen: [],
        stillOpenCount: 0,
        // The second look ran before it: the event carries its verdict, as the last record does.
        secondLookHeld: true,
        record: { written: true, bucket: d.bucket, jsonKey: `incidents/${INCIDENT_ID}/report.json`, markdownKey: `incidents/${INCIDENT_ID}/report.md` },
      },
    });
    expect(record.outcome).toBe('contained');
    expect(record.secondLook.held).toBe(true);
  });

  it('is put once when the email cannot be sent, and the execution still fails (ResponseFailed) so the alarm fires', async () => {
    const { output } = await drill(twoKeyScenario({ faults: [{ operation: 'sns:Publish', error: 'AuthorizationError', times: 99 }] }), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.execution?.status).toBe('FAILED');
    const states = output.execution!.states.map((s) => s.name);
    expect(states.slice(states.indexOf('NotifyResult'))).toEqual([
      'NotifyResult', 'NotifyResultFailed', 'RecordNotificationFailure', 'AnnounceCompletion', 'PublishCompletion', 'EndFindingWanted', 'CompletionRoute', 'ResponseFailed',
    ]);
    expect(output.events).toHaveLength(1);
    expect(output.events[0].detail).toMatchObject({ outcome: 'contained-with-gaps', complete: false, record: { written: true } });
  });

  it('is put once for a key reported twice (Trusted Advisor, then Health): one execution, one event', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy'), healthEvent(EXPOSED)]);

    expect(output.incidents.map((i) => i.status)).toEqual(['SUCCEEDED', 'SKIPPED']);
    expect(output.events.map((e) => (e.detail as { incidentId: string }).incidentId)).toEqual([INCIDENT_ID]);
  });

  it('is put once when EventBridge throttles the first two puts: a refused put is tried again', async () => {
    const { output } = await drill(twoKeyScenario({ faults: [{ operation: 'events:PutEvents', error: 'ThrottlingException', times: 2 }] }), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.events).toHaveLength(1);
    expect(output.execution!.states.find((s) => s.name === 'PublishCompletion')?.retries).toBe(2);
  });

  it('that cannot be put changes nothing else: the execution ends as the record decided, and says why in its history', async () => {
    const { output } = await drill(twoKeyScenario({ faults: [{ operation: 'events:PutEvents', error: 'AccessDeniedException', times: 99 }] }), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.events).toEqual([]);
    const states = output.execution!.states.map((s) => s.name);
    expect(states.slice(states.indexOf('PublishCompletion'))).toEqual(['PublishCompletion', 'PublishCompletionFailed', 'EndFindingWanted', 'CompletionRoute', 'ResponseComplete', 'ResponseSucceeded']);
    expect((output.report as { outcome: string }).outcome).toBe('contained');
  });

  it('matches no rule of the responder, with every optional rule synthesized (the report bus\'s included): no loop', async () => {
    const everyRule = synthesizedRules({ reporters: `arn:aws:iam::${ACCOUNT}:role/reporter` });
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);
    const [event] = output.events;
    const { eventBusName: _bus, ...delivered } = event;

    expect(everyRule.map((r) => r.name)).toContain('ReportBus/ManualReport');
    expect(matchingRules(everyRule, delivered, { accountId: ACCOUNT })).toEqual([]);
    // The matcher does hear the responder's source: a manual report of the same account matches its rule.
    const report = { ...delivered, 'detail-type': 'Exposed Access Key Reported', detail: { accessKeyId: EXPOSED } };
    expect(matchingRules(everyRule, report, { accountId: ACCOUNT })).toEqual(['ReportBus/ManualReport']);
  });
});
