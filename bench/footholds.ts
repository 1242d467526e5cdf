// `npm run bench`, part 5: following the attacker. The simulated time from the event to every
// foothold contained (the last change of the ContainFootholds step), for the built-in incident and
// for a busier one (200 CloudTrail events in 3 regions; target under 30 s).
import { readFileSync } from 'node:fs';
import { BUILTIN, shiftTimes } from '../drill/cli';
import { Drill } from '../drill/run-drill';
import { ScenarioInput } from '../drill/scenario';
import { DRILL_TIME_SCALE } from '../drill/simulated-account';
import { synthesizedRules } from '../drill/stack-rules';

const STEP = 'ContainFootholds';
/** The target for an incident of up to 200 CloudTrail events in 3 regions. */
const TARGET_MS = 30_000;

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/** The built-in drill, moved so that its last event is a few minutes ago (as `npm start` does). */
function builtin(): { scenario: ScenarioInput; event: unknown } {
  const shift = Date.now() - BUILTIN.writtenAt;
  return { scenario: shiftTimes(readJson(BUILTIN.scenario), shift) as ScenarioInput, event: shiftTimes(readJson(BUILTIN.events[0]), shift) };
}

/** 200 events of the built-in key in 3 regions: reads, and in each region a user, a key and an instance it made. */
function busy(): { scenario: ScenarioInput; event: unknown } {
  const { scenario, event } = builtin();
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-1'];
  const key = 'AKIA3EXPOSEDCIKEY001';
  const start = Date.now() - 60 * 60_000;
  const at = (i: number) => new Date(start + i * 15_000).toISOString();
  const base = { accessKeyId: key, userName: 'ci-deploy', sourceIPAddress: '198.51.100.23' };
  const footholds = regions.flatMap((region, r) => [
    { ...base, region: 'us-east-1', eventTime: at(10 + r), eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: `bench-user-${r}` }, responseElements: { user: { userName: `bench-user-${r}` } } },
    { ...base, region, eventTime: at(20 + r), eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', requestParameters: {}, responseElements: { instancesSet: { items: [{ instanceId: `i-bench${r}` }] } } },
  ]);
  const reads = Array.from({ length: 200 - footholds.length }, (_, i) => ({
    ...base, region: regions[i % regions.length], eventTime: at(30 + i), eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', requestParameters: {}, responseElements: null,
  }));
  return {
    scenario: {
      ...scenario,
      regions,
      users: [...(scenario.users ?? []), ...regions.map((_, r) => ({ userName: `bench-user-${r}`, loginProfile: true }))],
      instances: [...(scenario.instances ?? []), ...regions.map((region, r) => ({ region, instanceId: `i-bench${r}`, state: 'running', volumeIds: [`vol-bench${r}`] }))],
      cloudTrail: [...(scenario.cloudTrail ?? []), ...footholds, ...reads],
      faults: [],
    },
    event,
  };
}

async function measure(rules: ReturnType<typeof synthesizedRules>, { scenario, event }: { scenario: ScenarioInput; event: unknown }) {
  const drill = new Drill(scenario, rules, { dryRun: false, protectedUsers: [], lookbackDays: 14 });
  try {
    await drill.deliver(event);
    const execution = drill.deliveries[0].executions[0];
    const calls = drill.account.calls.filter((c) => c.invocation === STEP);
    const report = drill.output().report as { footholds?: { results: Array<{ status: string }> } };
    const results = report.footholds?.results ?? [];
    return {
      status: execution?.status,
      // The drill's clock: real time x DRILL_TIME_SCALE, from the event's delivery.
      simulatedMs: calls.length > 0 ? Math.max(...calls.map((c) => c.atMs)) * DRILL_TIME_SCALE : Number.NaN,
      events: scenario.cloudTrail?.length ?? 0,
      contained: results.filter((r) => r.status === 'done' || r.status === 'already').length,
      open: results.filter((r) => r.status === 'open' || r.status === 'failed' || r.status === 'skipped').length,
    };
  } finally {
    drill.close();
  }
}

export async function footholdsBench(print: (line: string) => void): Promise<void> {
  print('\n5. Following the attacker: simulated time from the event to every foothold contained (last change of ContainFootholds)');
  const rules = synthesizedRules({});
  await measure(rules, builtin()); // not counted: its first pass compiles the code it runs
  for (const [what, incident] of [['built-in incident', builtin()], ['200 CloudTrail events, 3 regions', busy()]] as const) {
    const m = await measure(rules, incident);
    const target = what.startsWith('200') ? `  (target: under ${TARGET_MS / 1000} s: ${m.simulatedMs < TARGET_MS ? 'met' : 'NOT met'})` : '';
    print(`   ${what.padEnd(34)} ${(m.simulatedMs / 1000).toFixed(1).padStart(6)} s  ${m.events} events, ${m.contained} actions done, ${m.open} still open; execution ${m.status}${target}`);
  }
}
