import { Logger } from '@aws-lambda-powertools/logger';

/** What the cores need of a logger; handlers pass a Powertools {@link Logger}, tests a silent one. */
export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** One Powertools logger per Lambda; its level comes from POWERTOOLS_LOG_LEVEL (default INFO). */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/** A logger whose every line carries the incident id. */
export function forIncident(logger: Logger, incidentId: string): Logger {
  return logger.createChild({ persistentKeys: { incidentId } });
}
