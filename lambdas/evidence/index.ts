// The Lambda entry: configuration is read once, at cold start; EC2 clients are built per region on first use, the Price List client once.
import { createHandler } from './handler';

export { createHandler };

/** Workflow step: EBS snapshots of the instances the exposed key launched or started, in their own regions. */
export const handler = createHandler();
