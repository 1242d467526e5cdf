import '../../drill/polyfill';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { allStates } from '../../drill/workflow';

/**
 * Runs the state machine's definition as deployed (the template's, its substitutions made): the
 * states in order, each Task's output passed on as Step Functions would, each Lambda task run by
 * `invoke` (the bundle, against moto). moto's own Step Functions cannot run Lambdas without
 * Docker: it keeps the execution the dispatcher started; this runs it. Retry and Wait times are
 * zeroed (the second look's wait passes at once).
 */
export async function runDefinition(options: {
  definition: string;
  input: unknown;
  execution: { arn: string; name: string; startTime: string; stateMachineArn: string };
  invoke: (functionArn: string, input: unknown) => Promise<unknown>;
}): Promise<{ status: 'SUCCEEDED' | 'FAILED'; output?: unknown; error?: { Error: string; Cause?: string }; states: string[] }> {
  const definition = JSON.parse(options.definition) as { States: Record<string, { Type: string; Resource?: string; Retry?: unknown[] }> };
  const localHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  const waitTimeOverrides: Record<string, number> = {};
  for (const [name, state] of allStates(definition.States as never)) {
    if (state.Retry) retryIntervalOverrides[name] = 0;
    if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (state.Type === 'Task' && state.Resource) {
      const arn = state.Resource;
      localHandlers[name] = (input) => options.invoke(arn, input);
    }
  }
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers: localHandlers as never, retryIntervalOverrides, waitTimeOverrides },
    context: {
      Execution: { Id: options.execution.arn, Name: options.execution.name, StartTime: options.execution.startTime, Input: options.input },
      StateMachine: { Id: options.execution.stateMachineArn, Name: options.execution.stateMachineArn.split(':').pop() },
    } as never,
  });
  const states: string[] = [];
  const collect = (async () => {
    for await (const ev of execution.eventLogs) {
      const e = ev as { type: string; state?: { name: string } };
      if (e.type === 'StateEntered' && e.state) states.push(e.state.name);
    }
  })();
  try {
    const output = await execution.result;
    await collect;
    return { status: 'SUCCEEDED', output, states };
  } catch (err) {
    await collect.catch(() => undefined);
    if (!(err instanceof ExecutionError)) throw err;
    const cause = (err as unknown as { cause?: { name?: string; message?: string } }).cause;
    return { status: 'FAILED', error: { Error: cause?.name ?? 'ExecutionError', Cause: cause?.message ?? err.message }, states };
  }
}
