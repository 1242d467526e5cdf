// The Lambda entry: configuration is read once, at cold start.
import { createHandler } from './handler';

export { createHandler };

/** Workflow step: renders what the workflow tells the outside (the completion event). */
export const handler = createHandler();
