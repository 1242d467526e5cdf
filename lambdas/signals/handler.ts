import { createLogger, forIncident } from '../shared/logger';
import { parseWorkflowState } from '../shared/state';
import { parseStepInput } from '../shared/steps';
import { SignalsInputSchema } from './contract';
import { announceCompletion, announceStart } from './signals';

/** No configuration and no client: the step renders; the workflow's own states publish. */
export function createHandler(_env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<unknown> {
  const logger = createLogger('signals');
  return async (event) => {
    const input = parseStepInput(SignalsInputSchema, event, 'signals');
    const state = parseWorkflowState(input.state, 'signals');
    const deps = { logger: forIncident(logger, state.incident.incidentId) };
    return input.phase === 'start' ? announceStart(state, deps) : announceCompletion(state, deps);
  };
}
