/**
 * The drill's process environment, set before any handler or SDK module loads (import it first).
 * Nothing reaches AWS: every client is connected to the simulated account; the dummy credentials
 * keep the SDK from looking for real ones. Powertools writes to the global console in dev mode,
 * which is sent to stderr: stdout carries only the drill's result.
 */
import './polyfill';

process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'drill';
process.env.AWS_SECRET_ACCESS_KEY = 'drill';
delete process.env.AWS_PROFILE;
process.env.POWERTOOLS_DEV = 'true';
process.env.POWERTOOLS_LOG_LEVEL = process.argv.includes('--verbose') ? 'DEBUG' : 'SILENT';
for (const level of ['log', 'info', 'debug', 'warn', 'trace'] as const) console[level] = console.error;
