import type { VariableName } from './environment';

/**
 * Readers of the variables of lambdas/shared/environment.ts (the one table the stack and the
 * drill build each Lambda's environment from): a name not in the table does not compile.
 */

/** Read once at cold start: a missing variable fails the first invocation loudly, never later. */
export function requireEnv(name: VariableName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
}

/** A variable that must be set but may be empty (`why` says what empty means). */
export function presentEnv(name: VariableName, why: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined) throw new Error(`environment variable ${name} is required (${why})`);
  return value;
}

/** `true`/`false` only: anything else is a configuration error. */
export function boolEnv(name: VariableName, env: NodeJS.ProcessEnv = process.env): boolean {
  const value = requireEnv(name, env);
  if (value !== 'true' && value !== 'false') throw new Error(`environment variable ${name} must be true or false, got "${value}"`);
  return value === 'true';
}

/** A comma-separated list; empty string means none. */
export function listEnv(name: VariableName, env: NodeJS.ProcessEnv = process.env): string[] {
  return presentEnv(name, 'empty for none', env).split(',').map((s) => s.trim()).filter(Boolean);
}
