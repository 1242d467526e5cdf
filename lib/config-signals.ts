import { flag, invalid } from './config-principals';

/** Parsing of the context keys of the responder's signals in and out (split from config.ts). */

/** What the responder hears besides AWS's own exposure signals, and what it tells other tools. */
export interface SignalsConfig {
  /**
   * The alarm on the time to contain (from the exposure's report to the key verified Inactive)
   * fires when one incident takes longer than this many seconds. Context
   * `timeToContainAlarmSeconds`: a whole number from 10 to 3600.
   * @default 120
   */
  readonly timeToContainAlarmSeconds: number;
  /**
   * GuardDuty findings about an IAM access key at or above this severity start a response.
   * Context `guardDutyMinSeverity`: a number from 1 to 10 (GuardDuty's scale: 7 and above is high).
   * @default - none: no GuardDuty rule
   */
  readonly guardDutyMinSeverity?: number;
  /**
   * One AWS Security Hub finding per incident (BatchImportFindings), created when the response
   * starts and updated when it ends. Context `securityHub`: `true` or `false`.
   * @default false
   */
  readonly securityHub: boolean;
}

export const DEFAULT_SIGNALS_CONFIG: SignalsConfig = { timeToContainAlarmSeconds: 120, guardDutyMinSeverity: undefined, securityHub: false };

/** The context keys {@link parseSignalsConfig} reads. */
export const SIGNALS_CONTEXT_KEYS = ['timeToContainAlarmSeconds', 'guardDutyMinSeverity', 'securityHub'] as const;
type SignalsKey = (typeof SIGNALS_CONTEXT_KEYS)[number];

/** The bounds of `timeToContainAlarmSeconds`: a few Lambda invocations at least, an hour at most. */
export const TIME_TO_CONTAIN_ALARM_BOUNDS: readonly [number, number] = [10, 3600];

function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
}

function parseAlarmSeconds(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_SIGNALS_CONFIG.timeToContainAlarmSeconds;
  const n = numberOf(value);
  const [min, max] = TIME_TO_CONTAIN_ALARM_BOUNDS;
  if (!(Number.isInteger(n) && n >= min && n <= max)) throw invalid('timeToContainAlarmSeconds', `expected a whole number of seconds from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function parseMinSeverity(value: unknown): number | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  const n = numberOf(value);
  if (!(n >= 1 && n <= 10)) throw invalid('guardDutyMinSeverity', `expected a GuardDuty severity from 1 to 10 (e.g. 7 for high and above), got ${JSON.stringify(value)}`);
  return n;
}

/** Reads the signals' keys; an invalid value throws naming its key. */
export function parseSignalsConfig(get: (key: SignalsKey) => unknown): SignalsConfig {
  return {
    timeToContainAlarmSeconds: parseAlarmSeconds(get('timeToContainAlarmSeconds')),
    guardDutyMinSeverity: parseMinSeverity(get('guardDutyMinSeverity')),
    securityHub: flag('securityHub', get('securityHub'), DEFAULT_SIGNALS_CONFIG.securityHub),
  };
}
