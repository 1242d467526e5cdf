// The cost exposure through the whole path: the evidence step prices the miner (the simulated Price
// List API), the record estimates, the email and Slack show it near the top.
import { readFileSync } from 'node:fs';
import { BUILTIN, shiftTimes } from '../../drill/cli';
import { ScenarioInput } from '../../drill/scenario';
import { DEFAULT_CONFIG, drill, EXPOSED, stackRules, trustedAdvisorEvent, twoKeyScenario } from './helpers';

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
/** The built-in miner's RunInstances (and launch) time, as builtin.json has it. */
const MINER_LAUNCHED = Date.parse('2026-11-23T10:00:12Z');

/** $4.608 an hour (the simulated eu-west-1 c5.24xlarge price) from `launch` to the record's time, in cents. */
function expectedEstimate(launch: string, generatedAt: string): string {
  const hours = (Date.parse(generatedAt) - Date.parse(launch)) / 3_600_000;
  return `$${(Math.round(hours * 4.608 * 100) / 100).toFixed(2)}`;
}

beforeAll(() => {
  stackRules();
});

describe('cost exposure in the built-in drill', () => {
  it('prices the miner in eu-west-1 and puts its cost line right after what is still open, in the email and in Slack', async () => {
    // The built-in scenario, moved so that the miner was launched 2.5 hours ago.
    const shift = Date.now() - 150 * 60_000 - MINER_LAUNCHED;
    const scenario = shiftTimes(readJson(BUILTIN.scenario), shift) as ScenarioInput;
    const event = shiftTimes(readJson(BUILTIN.events[0]), shift);

    const { output } = await drill(scenario, [event], { ...DEFAULT_CONFIG, slackWebhookSecret: 'team/slack-webhook' });

    expect(output.execution?.status).toBe('SUCCEEDED');
    const report = output.report as Record<string, any>;
    const launch = new Date(MINER_LAUNCHED + shift).toISOString();
    expect(report.costExposure.instances).toEqual([
      expect.objectContaining({ instanceId: 'i-0miner0000000001', instanceType: 'c5.24xlarge', region: 'eu-west-1', state: 'running', runningSince: launch, usdPerHour: 4.608 }),
    ]);
    const line = `i-0miner0000000001 c5.24xlarge in eu-west-1, running since ${launch}: $4.608/hour Linux on-demand, about ${expectedEstimate(launch, report.generatedAt)} so far (2.5 h)`;
    const email = output.notifications.find((n) => n.channel === 'email')!.body.split('\n');
    expect(email[2]).toBe('Still open: nothing, containment is in place.');
    expect(email[4]).toMatch(/^Cost exposure: 1 running, \$4\.608\/hour, about \$\d+\.\d\d so far \(on-demand estimate/);
    expect(email[5]).toBe(`  - ${line}`);
    const slack = output.notifications.find((n) => n.channel === 'slack')!.body.split('\n');
    expect(slack.slice(2, 5)).toEqual(['Still open: nothing, containment is in place.', expect.stringMatching(/^\*Cost exposure: 1 running/), `• ${line}`]);
    expect(report.evidence.snapshots[0]).toMatchObject({ instanceType: 'c5.24xlarge', usdPerHour: 4.608 });
  });
});

describe('cost exposure when the price cannot be had', () => {
  function scenario(extra: Partial<ScenarioInput> = {}): ScenarioInput {
    const launched = new Date(Date.now() - 30 * 60_000).toISOString();
    return twoKeyScenario({
      regions: ['us-east-1', 'eu-west-1'],
      cloudTrail: [{
        region: 'eu-west-1', eventTime: launched, eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', accessKeyId: EXPOSED, userName: 'ci-deploy',
        requestParameters: {}, responseElements: { instancesSet: { items: [{ instanceId: 'i-0gpu' }] } },
      }],
      instances: [{ region: 'eu-west-1', instanceId: 'i-0gpu', state: 'running', volumeIds: ['vol-0gpu'], instanceType: 'p3.8xlarge', launchTime: launched }],
      ...extra,
    });
  }

  it('says "price unknown" with the reason, keeps the snapshots, and the incident is contained all the same', async () => {
    const { output } = await drill(scenario({ faults: [{ operation: 'pricing:GetProducts', error: 'AccessDeniedException', times: 99 }] }), [
      trustedAdvisorEvent(EXPOSED, 'ci-deploy'),
    ]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    const report = output.report as Record<string, any>;
    expect(report.outcome).toBe('contained');
    expect(report.failures).toEqual([]);
    expect(output.account.snapshots.map((s) => s.instanceId)).toEqual(['i-0gpu']);
    expect(output.notifications[0].body).toContain('i-0gpu p3.8xlarge in eu-west-1, running since');
    expect(output.notifications[0].body).toContain(': price unknown: Price List API: AccessDeniedException');
  });

  it('says no price is listed for a type the price list does not have', async () => {
    const { output } = await drill(scenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.notifications[0].body).toContain(': price unknown: no on-demand price listed');
  });
});
