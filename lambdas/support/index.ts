// The Lambda entry: configuration is read and the client is built once, at cold start.
import { createHandler } from './handler';

export { createHandler };

/** Workflow step: make sure AWS support knows, with one case per incident. */
export const handler = createHandler();
