// The Lambda entry: configuration is read and clients are built once, at cold start.
import { createHandler } from './handler';

export { createHandler };

/** EventBridge target: one event in, one execution per exposed key out. */
export const handler = createHandler();
