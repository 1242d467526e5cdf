// The Lambda entry: configuration is read and clients are built once, at cold start.
import { createHandler } from './handler';

export { createHandler };

/** Workflow step: one containment action on the exposed key's user. */
export const handler = createHandler();
