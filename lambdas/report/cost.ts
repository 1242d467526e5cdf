// The cost exposure of the instances the key launched or started: decided here, with the record's
// generation time, so every message says the same hours and dollars. Pure.
import { billsByTheHour, type EvidenceResult } from '../evidence/contract';

/** What the estimate is, said wherever it is shown. */
export const COST_BASIS = 'on-demand estimate: hourly list price (AWS Price List API, USD) x hours since launch; not a bill';

export interface CostExposureEntry {
  readonly instanceId: string;
  readonly region: string;
  readonly instanceType: string;
  /** EC2 state when the evidence step described it. */
  readonly state?: string;
  /** Launch (or last start) time, when known. */
  readonly runningSince?: string;
  readonly operatingSystem?: string;
  readonly usdPerHour?: number;
  /** Why there is no price, when there is none (and the instance is running). */
  readonly priceUnknown?: string;
  /** Hours from `runningSince` to the record's time, when running (two decimals). */
  readonly hoursSoFar?: number;
  /** `hoursSoFar` x `usdPerHour`, in USD (cents), when both are known. */
  readonly estimatedUsdSoFar?: number;
}

export interface CostExposure {
  readonly basis: string;
  /** Instances still running (or pending) when they were described. */
  readonly running: number;
  readonly instances: CostExposureEntry[];
  /** Sum of the hourly prices of the running instances with a price. */
  readonly usdPerHour: number;
  /** Sum of the estimates so far; absent when no instance has one (no price, or no launch time). */
  readonly estimatedUsdSoFar?: number;
}

/** A value from the state on one short line, whatever it holds: every message prints it as it is. */
const oneLine = (value: string) => Array.from(value.replace(/\s+/g, ' ').trim()).slice(0, 80).join('');
const cents = (usd: number) => Math.round(usd * 100) / 100;

/** The cost exposure, from the evidence step's descriptions; undefined when no instance with a known type was described. */
export function costExposureOf(evidence: EvidenceResult | undefined, now: Date): CostExposure | undefined {
  const described = (evidence?.snapshots ?? []).filter((s) => s.instanceType !== undefined);
  if (described.length === 0) return undefined;
  const instances = described.map((s): CostExposureEntry => {
    const running = billsByTheHour(s.state);
    const since = s.launchTime ? Date.parse(s.launchTime) : Number.NaN;
    const hours = running && !Number.isNaN(since) ? Math.max(0, now.getTime() - since) / 3_600_000 : undefined;
    const entry: { -readonly [K in keyof CostExposureEntry]: CostExposureEntry[K] } = {
      instanceId: oneLine(s.instanceId),
      region: oneLine(s.region),
      instanceType: oneLine(s.instanceType as string),
    };
    if (s.state) entry.state = oneLine(s.state);
    if (s.launchTime) entry.runningSince = oneLine(s.launchTime);
    if (s.operatingSystem) entry.operatingSystem = s.operatingSystem;
    if (running && s.usdPerHour !== undefined) entry.usdPerHour = s.usdPerHour;
    if (running && s.usdPerHour === undefined) entry.priceUnknown = oneLine(s.priceUnknown ?? 'not looked up');
    if (hours !== undefined) entry.hoursSoFar = Math.round(hours * 100) / 100;
    if (hours !== undefined && s.usdPerHour !== undefined) entry.estimatedUsdSoFar = cents(hours * s.usdPerHour);
    return entry;
  });
  const runningOnes = instances.filter((i) => billsByTheHour(i.state));
  const estimated = runningOnes.filter((i) => i.estimatedUsdSoFar !== undefined);
  return {
    basis: COST_BASIS,
    running: runningOnes.length,
    instances,
    usdPerHour: Math.round(runningOnes.reduce((sum, i) => sum + (i.usdPerHour ?? 0), 0) * 10_000) / 10_000,
    ...(estimated.length > 0 ? { estimatedUsdSoFar: cents(estimated.reduce((sum, i) => sum + (i.estimatedUsdSoFar ?? 0), 0)) } : {}),
  };
}

/** An hourly price as AWS lists it, without trailing zeros: $4.608, $0.0104. */
export function usd(value: number): string {
  return `$${Number(value.toFixed(4)).toString()}`;
}

/** A running time: minutes under an hour (`12 min`), else hours to a tenth (`2.5 h`). */
export function duration(hours: number): string {
  return hours < 1 ? `${Math.round(hours * 60)} min` : `${hours.toFixed(1)} h`;
}

/** An amount in dollars and cents: $11.52. */
export function dollars(value: number): string {
  return `$${value.toFixed(2)}`;
}

/**
 * One instance's cost line in plain text, the same in every message:
 * `i-0abc c5.24xlarge in eu-west-1, running since <time>: $4.608/hour, about $11.52 so far (2.5 h)`.
 */
export function costLine(e: CostExposureEntry): string {
  const head = `${e.instanceId} ${e.instanceType} in ${e.region}`;
  if (!billsByTheHour(e.state)) return `${head}: ${e.state}${e.runningSince ? ` (last launched ${e.runningSince})` : ''}, not running`;
  const since = e.runningSince ? `, running since ${e.runningSince}` : ', running';
  if (e.usdPerHour === undefined) return `${head}${since}: price unknown: ${e.priceUnknown ?? 'not looked up'}`;
  const os = e.operatingSystem ? ` ${e.operatingSystem}` : '';
  const soFar = e.estimatedUsdSoFar !== undefined && e.hoursSoFar !== undefined ? `, about ${dollars(e.estimatedUsdSoFar)} so far (${duration(e.hoursSoFar)})` : '';
  return `${head}${since}: ${usd(e.usdPerHour)}/hour${os} on-demand${soFar}`;
}

/** The total over the running instances: `2 running, $4.608/hour, about $11.52 so far (1 without a price)`; empty when none runs. */
export function costTotal(c: CostExposure): string {
  if (c.running === 0) return '';
  const unpriced = c.instances.filter((i) => billsByTheHour(i.state) && i.usdPerHour === undefined).length;
  const soFar = c.estimatedUsdSoFar !== undefined ? `, about ${dollars(c.estimatedUsdSoFar)} so far` : '';
  const priced = c.running > unpriced ? `, ${usd(c.usdPerHour)}/hour${soFar}` : '';
  return `${c.running} running${priced}${unpriced > 0 ? ` (${unpriced} without a price)` : ''}`;
}

/** The heading and the total, in plain text. */
export function costSummary(c: CostExposure): string {
  const total = costTotal(c);
  return `Cost exposure${total ? `: ${total}` : ''} (${c.basis})`;
}
