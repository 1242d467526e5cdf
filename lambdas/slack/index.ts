// The Lambda entry: configuration is read and clients are built once, at cold start.
import { createHandler } from './handler';

export { createHandler };

/** Workflow step: posts the incident's summary to Slack; a Slack failure never fails the incident. */
export const handler = createHandler();
