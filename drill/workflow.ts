import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { countingSkippedWaits, Retrier } from './retry-waits';

/** The workflow definition, as deployed. */
export const ASL_FILE = path.join(__dirname, '..', 'state-machines', 'exposed-key-response.asl.json');

type StateDef = { Type: string; Resource?: string; Retry?: Retrier[]; Branches?: Array<{ States: Record<string, StateDef> }>; Iterator?: { States: Record<string, StateDef> }; ItemProcessor?: { States: Record<string, StateDef> } };

/** Every state of a definition, nested ones (Parallel branches, Map processors) included. */
export function allStates(states: Record<string, StateDef>): Array<[string, StateDef]> {
  return Object.entries(states).flatMap(([name, s]) => [
    [name, s] as [string, StateDef],
    ...(s.Branches ?? []).flatMap((b) => allStates(b.States)),
    ...(s.Iterator ? allStates(s.Iterator.States) : []),
    ...(s.ItemProcessor ? allStates(s.ItemProcessor.States) : []),
  ]);
}

/**
 * The values the stack substitutes in the definition (lib/response-workflow.ts VALUE_PLACEHOLDERS),
 * as the drill runs it: the second look's Wait passes at once.
 */
export const DRILL_VALUES: Readonly<Record<string, string>> = { SecondLookSeconds: '0' };

/** `${ContainFunctionArn}` -> `contain`: the Lambda folder a placeholder stands for. */
export function lambdaOfPlaceholder(resource: string): string | undefined {
  const m = /^\$\{([A-Z][A-Za-z0-9]*)FunctionArn\}$/.exec(resource);
  return m ? m[1].charAt(0).toLowerCase() + m[1].slice(1) : undefined;
}

export interface WorkflowRun {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: { Error: string; Cause?: string };
  /** The input of the last state entered: on a failed run, what the workflow knew when it failed. */
  readonly finalInput?: unknown;
  readonly states: Array<{ name: string; startMs: number; endMs: number; retries?: number; error?: string }>;
}

export type LambdaHandler = (input: unknown) => Promise<unknown>;

/**
 * Runs the ASL file locally: every Task whose Resource is `${XxxFunctionArn}` runs the handler of
 * lambdas/xxx, through `invoke` (which can attribute and time it). Retry waits are zeroed (the
 * drill measures work, not back-off) unless `honourRetryWaits`; each zeroed wait is told to
 * `skippedWait` (drill/retry-waits.ts) with the milliseconds Step Functions would have waited.
 */
export async function runWorkflow(options: {
  input: unknown;
  executionArn: string;
  executionName: string;
  startTime: string;
  handlers: Record<string, LambdaHandler>;
  /** Step Functions' own integrations (`arn:aws:states:::events:putEvents`...), by resource ARN. */
  integrations?: Record<string, LambdaHandler>;
  invoke: (stateName: string, lambda: string, handler: LambdaHandler, input: unknown) => Promise<unknown>;
  /** Wait the Retry intervals as the ASL says (back-off, jitter) instead of zeroing them. @default false */
  honourRetryWaits?: boolean;
  /** Values substituted instead of {@link DRILL_VALUES}' (e.g. the deployed second look's wait). */
  values?: Readonly<Record<string, string>>;
  /** Told each Retry wait zeroed, in the ms Step Functions would have waited (full jitter drawn). */
  skippedWait?: (ms: number) => void;
}): Promise<WorkflowRun> {
  const values = { ...DRILL_VALUES, ...options.values };
  const text = readFileSync(ASL_FILE, 'utf8').replace(/\$\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
  const definition = JSON.parse(text) as { States: Record<string, StateDef> };
  const localHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryOverrides: Record<string, number> = {};
  const { skippedWait } = options;
  for (const [name, state] of allStates(definition.States)) {
    const zeroed = state.Retry !== undefined && !options.honourRetryWaits;
    if (zeroed) retryOverrides[name] = 0;
    if (state.Type !== 'Task' || !state.Resource) continue;
    // The waits zeroed still pass in simulated time: the retry runs when AWS would run it.
    const counted = (local: LambdaHandler): LambdaHandler => (zeroed && skippedWait ? countingSkippedWaits(state.Retry!, local, skippedWait) : local);
    const integration = options.integrations?.[state.Resource];
    if (integration) {
      const service = state.Resource.split(':').slice(5).join(':');
      localHandlers[name] = counted((input) => options.invoke(name, service, integration, input));
      continue;
    }
    const lambda = lambdaOfPlaceholder(state.Resource);
    const handler = lambda ? options.handlers[lambda] : undefined;
    if (!lambda || !handler) throw new Error(`state ${name}: no local handler for resource ${state.Resource}`);
    // The placeholder would be replaced by CloudFormation; locally the handler stands in for it.
    state.Resource = `arn:aws:lambda:us-east-1:123456789012:function:${lambda}`;
    localHandlers[name] = counted((input) => options.invoke(name, lambda, handler, input));
  }

  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const t0 = Date.now();
  const execution = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers: localHandlers as never, retryIntervalOverrides: retryOverrides },
    context: {
      Execution: { Id: options.executionArn, Name: options.executionName, StartTime: options.startTime, Input: options.input },
      StateMachine: { Id: options.executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''), Name: 'ExposedKeyResponse' },
    } as never,
  });

  const states: Array<WorkflowRun['states'][number]> = [];
  const open = new Map<string, WorkflowRun['states'][number]>();
  let finalInput: unknown;
  const collect = (async () => {
    for await (const ev of execution.eventLogs) {
      const e = ev as { type: string; timestamp: number; state?: { name: string; input?: unknown }; Error?: string };
      if (!e.state) continue;
      const at = e.timestamp - t0;
      if (e.type === 'StateEntered') {
        const entry = { name: e.state.name, startMs: at, endMs: at };
        finalInput = e.state.input;
        open.set(e.state.name, entry);
        states.push(entry);
      } else {
        const entry = open.get(e.state.name);
        if (!entry) continue;
        entry.endMs = at;
        if (e.type === 'StateRetried') entry.retries = (entry.retries ?? 0) + 1;
        // A failure that a retry then overcame is counted in `retries`, not reported as the error.
        if (e.type === 'StateFailed' && e.Error) entry.error = e.Error;
        if (e.type === 'StateExited') delete entry.error;
      }
    }
  })();

  try {
    const output = await execution.result;
    await collect;
    return { status: 'SUCCEEDED', output, finalInput, states };
  } catch (err) {
    await collect.catch(() => undefined);
    if (err instanceof ExecutionError) {
      const cause = (err as unknown as { cause?: { name?: string; message?: string } }).cause;
      return { status: 'FAILED', error: { Error: cause?.name ?? 'ExecutionError', Cause: cause?.message ?? err.message }, finalInput, states };
    }
    throw err;
  }
}
