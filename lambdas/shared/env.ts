/** Read once at cold start: a missing variable fails the first invocation loudly, never later. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
}

/** `true`/`false` only: anything else is a configuration error. */
export function boolEnv(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const value = requireEnv(name, env);
  if (value !== 'true' && value !== 'false') throw new Error(`environment variable ${name} must be true or false, got "${value}"`);
  return value === 'true';
}

/** A comma-separated list; empty string means none. */
export function listEnv(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const value = env[name];
  if (value === undefined) throw new Error(`environment variable ${name} is required`);
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
