// The Lambda entry: configuration is read and clients are built once, at cold start.
import { createHandler } from './handler';

export { createHandler };

/** Workflow step: what the exposed key did, what it can do, what it left behind. */
export const handler = createHandler();
