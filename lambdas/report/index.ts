// The Lambda entry: configuration is read and clients are built once, at cold start.
import { createHandler } from './handler';

export { createHandler };

/** Workflow step: writes the incident report (JSON and Markdown) to the incident bucket. */
export const handler = createHandler();
