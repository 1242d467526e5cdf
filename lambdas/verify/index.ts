// The Lambda entry: configuration is read and clients are built once, at cold start.
import { createHandler } from './handler';

export { createHandler };

/** Workflow step: reads the account back after containment. */
export const handler = createHandler();
