import { responderStack } from './helpers';

function dashboardBody(config = {}) {
  const { template, stack } = responderStack(config);
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Array<{ Properties: { DashboardBody: unknown } }>;
  // The body is a Fn::Join of strings and tokens: resolve it to text with each token as its logical id.
  const parts = (dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const text = parts.map((p) => (typeof p === 'string' ? p : `<${JSON.stringify(p)}>`)).join('');
  const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
  return { text, alarmIds, stack };
}

describe('the responder\'s dashboard', () => {
  const { text, alarmIds } = dashboardBody();

  it('graphs every metric the workflow emits, in the responder\'s namespace', () => {
    for (const name of ['IncidentsStarted', 'IncidentsContained', 'IncidentsContainedWithGaps', 'IncidentsEscalated', 'IncidentsFailed', 'IncidentsDryRun', 'TimeToContain', 'TimeToRecord', 'FootholdsContained']) {
      expect(text).toContain(`"ExposedKeyResponder","${name}","service","exposed-key-responder"`);
    }
  });

  it('shows the state of every alarm of the stack: the failure alarms and the time-to-contain alarm', () => {
    expect(alarmIds).toHaveLength(6);
    for (const id of alarmIds) expect(text).toContain(`{"Fn::GetAtt":["${id}","Arn"]}`);
  });

  it('draws the time-to-contain threshold of the context on its graph', () => {
    expect(text).toContain('"value":120,"label":"alarm: time to contain > 120 s"');
    expect(dashboardBody({ timeToContainAlarmSeconds: 300 }).text).toContain('"value":300,"label":"alarm: time to contain > 300 s"');
  });

  it('graphs the workflow\'s executions by status', () => {
    for (const m of ['ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) expect(text).toContain(`"AWS/States","${m}"`);
  });
});
