// The Lambda entry: configuration is read and clients are built once, at cold start.
import { createHandler } from './handler';

export { createHandler };

/** Workflow step: tells people what happened (result or failure). */
export const handler = createHandler();
