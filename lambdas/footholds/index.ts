// The Lambda entry: configuration is read and clients are built once, at cold start.
import { createHandler } from './handler';

export { createHandler };

/** Workflow step: contain what CloudTrail ties to the leaked key (keys, users, roles, credentials, instances). */
export const handler = createHandler();
