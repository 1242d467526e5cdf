import { boolEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseWorkflowState } from '../shared/state';
import { parseStepInput } from '../shared/steps';
import { SignalsInputSchema, SignalsStateSchema } from './contract';
import { MetricsSink, stdoutSink } from './metrics';
import { announceCompletion, announceStart } from './signals';

export interface SignalsOptions {
  /** Where the EMF documents go; the drill collects them. @default stdout (CloudWatch Logs extracts the metrics) */
  readonly emit?: MetricsSink;
}

/** No client: the step renders (the event, the Security Hub finding) and emits metrics; the workflow's own states publish. */
export function createHandler(env: NodeJS.ProcessEnv = process.env, options: SignalsOptions = {}): (event: unknown) => Promise<unknown> {
  const config = { securityHub: boolEnv('SECURITY_HUB', env) };
  const logger = createLogger('signals');
  const emit = options.emit ?? stdoutSink;
  return async (event) => {
    const input = parseStepInput(SignalsInputSchema, event, 'signals');
    const state = parseWorkflowState(input.state, 'signals');
    const deps = { logger: forIncident(logger, state.incident.incidentId), emit, config };
    if (input.phase === 'start') return announceStart(state, deps);
    // An unreadable time only loses the time to record, never the event.
    const extras = SignalsStateSchema.safeParse(input.state);
    return announceCompletion(state, { recordWrittenAt: extras.success ? extras.data.recordWrittenAt?.at : undefined }, deps);
  };
}
