// A Task that runs past its TimeoutSeconds fails with States.Timeout: the workflow catches it into
// the step's failure shape, goes on, and the record and the email name it.
import { Drill } from '../../drill/run-drill';
import { LambdaHandler } from '../../drill/workflow';
import { DEFAULT_CONFIG, EXPOSED, keyStatus, stackRules, trustedAdvisorEvent, twoKeyScenario } from './helpers';

function statesTimeout(): Error {
  return Object.assign(new Error('Task timed out after 600.00 seconds'), { name: 'States.Timeout' });
}

it('reports a States.Timeout of Investigate in the record and the email, and the response goes on to the end', async () => {
  // Arrange: the investigation Task times out (as Step Functions reports it).
  const d = new Drill(twoKeyScenario(), stackRules(), DEFAULT_CONFIG);
  (d as unknown as { handlers: Record<string, LambdaHandler> }).handlers.investigate = async () => {
    throw statesTimeout();
  };

  // Act
  let output;
  try {
    await d.deliver(trustedAdvisorEvent(EXPOSED, 'ci-deploy'));
    output = d.output();
  } finally {
    d.close();
  }

  // Assert
  const report = output.report as { written?: boolean; failures: Array<{ source: string; what: string; error: string }> };
  expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
  expect(report.written).not.toBe(false);
  expect(report.failures).toContainEqual(expect.objectContaining({ what: 'Investigate', error: expect.stringContaining('States.Timeout') }));
  const email = output.notifications.find((n) => n.channel === 'email');
  expect(email?.body).toContain('States.Timeout');
  expect(output.execution?.states.map((s) => s.name)).toEqual(expect.arrayContaining(['InvestigateFailed', 'WriteReport', 'NotifyResult']));
});
