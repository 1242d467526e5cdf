import { SLACK_BUDGET_MS } from '../../lambdas/slack/slack';
import { responderStack, Resource } from './helpers';

type State = {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string };
  TimeoutSeconds?: number;
  Catch?: Array<{ ErrorEquals: string[] }>;
  Branches?: Array<{ States: Record<string, State> }>;
  ItemProcessor?: { States: Record<string, State> };
  Iterator?: { States: Record<string, State> };
};

function allStates(states: Record<string, State>): Array<[string, State]> {
  return Object.entries(states).flatMap(([name, s]) => [
    [name, s] as [string, State],
    ...(s.Branches ?? []).flatMap((b) => allStates(b.States)),
    ...(s.ItemProcessor ? allStates(s.ItemProcessor.States) : []),
    ...(s.Iterator ? allStates(s.Iterator.States) : []),
  ]);
}

/**
 * Each Task of the synthesized state machine with the timeout of the Lambda it invokes: the Task's
 * `${XxxFunctionArn}` placeholder, through the state machine's DefinitionSubstitutions, to the
 * function resource (Lambda's default timeout is 3 s when none is set).
 */
function tasksWithTheirFunctions() {
  const { template } = responderStack();
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const [machine] = Object.values(resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  const definition = JSON.parse(machine.Properties.DefinitionString as string) as { States: Record<string, State> };
  const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt'?: [string, string] }>;
  return allStates(definition.States)
    .filter(([, s]) => s.Type === 'Task')
    .map(([name, s]) => {
      const placeholder = /^\$\{(\w+)\}$/.exec(s.Resource ?? s.Parameters?.FunctionName ?? '')?.[1];
      const logicalId = placeholder ? substitutions[placeholder]?.['Fn::GetAtt']?.[0] : undefined;
      const fn = logicalId ? resources[logicalId] : undefined;
      return { name, state: s, placeholder, functionTimeout: fn?.Type === 'AWS::Lambda::Function' ? ((fn.Properties.Timeout as number | undefined) ?? 3) : undefined };
    });
}

describe('workflow Task timeouts against their Lambdas', () => {
  const tasks = tasksWithTheirFunctions();
  // Step Functions' own integrations (the completion event's PutEvents) invoke no Lambda.
  const lambdaTasks = tasks.filter((t) => !t.state.Resource?.startsWith('arn:aws:states:::'));

  it('finds the Lambda of every Task through its placeholder', () => {
    expect(lambdaTasks.length).toBeGreaterThanOrEqual(8);
    for (const t of lambdaTasks) expect({ task: t.name, found: t.functionTimeout !== undefined }).toEqual({ task: t.name, found: true });
  });

  it("gives every Task a TimeoutSeconds above its Lambda's timeout (a Lambda timeout surfaces as the Lambda's own error, not States.Timeout)", () => {
    const tooShort = lambdaTasks
      .filter((t) => !(typeof t.state.TimeoutSeconds === 'number' && t.state.TimeoutSeconds > (t.functionTimeout ?? Infinity)))
      .map((t) => `${t.name}: TimeoutSeconds ${t.state.TimeoutSeconds ?? 'none'}, ${t.placeholder} times out at ${t.functionTimeout} s`);
    expect(tooShort).toEqual([]);
  });

  it('gives every service-integration Task its own TimeoutSeconds', () => {
    const integrations = tasks.filter((t) => !lambdaTasks.includes(t));
    expect(integrations.length).toBeGreaterThanOrEqual(1);
    for (const t of integrations) expect({ task: t.name, timeout: typeof t.state.TimeoutSeconds }).toEqual({ task: t.name, timeout: 'number' });
  });

  it('catches States.Timeout on every Task (into its failure state), so a timeout is reported, not fatal', () => {
    const uncaught = tasks.filter((t) => !(t.state.Catch ?? []).some((c) => c.ErrorEquals.includes('States.ALL') || c.ErrorEquals.includes('States.Timeout')));
    expect(uncaught.map((t) => t.name)).toEqual([]);
  });

  it("keeps the Slack step's retry budget (12 s) inside its Lambda's timeout, with room to start and log", () => {
    const slack = tasks.find((t) => t.placeholder === 'SlackFunctionArn');
    expect(slack?.functionTimeout).toBeGreaterThanOrEqual(SLACK_BUDGET_MS / 1000 + 2);
  });
});
