// A wave of exposures: N keys of N users of one account reported at once, played through the
// whole path (rules, dispatcher, one execution each) on the virtual clock, and what became of it.
import { REVOKE_SESSIONS_POLICY_NAME } from '../lambdas/shared/policies';
import { LOOKUP_PAGE_SIZE } from '../lambdas/investigate/cloudtrail-search';
import { CLOUDTRAIL_DELAY_MS } from '../lambdas/investigate/investigate';
import { Drill, DrillConfig, DrillExecution } from './run-drill';
import { RulePattern } from './rules';
import { ScenarioInput } from './scenario';
import { IAM_MUTATING_PER_SECOND, isIamMutating } from './simulated-limits';
import { inVirtualTime } from './virtual-clock';

export const WAVE_ACCOUNT = '123456789012';
export const WAVE_REGIONS = ['us-east-1', 'eu-west-1'];
/** IAM writes that contain one key: UpdateAccessKey (Inactive), PutUserPolicy (revoke sessions), AttachUserPolicy (quarantine). */
export const CONTAINMENT_WRITES_PER_KEY = 3;
/** The containment states of the workflow (the branches of its first state). */
const CONTAIN_STATES = new Set(['DeactivateKey', 'RevokeSessions', 'Quarantine']);
/** Step Functions' limits on one execution. */
export const HISTORY_EVENTS_LIMIT = 25_000;
export const STATE_BYTES_LIMIT = 256 * 1024;

export interface WaveOptions {
  readonly keys: number;
  /** IAM mutating calls per second for the account. @default 10 */
  readonly iamMutatingPerSecond?: number;
  /** CloudTrail events each key made in each region of {@link WAVE_REGIONS}. @default 1 */
  readonly eventsPerKeyPerRegion?: number;
}

/** The i-th key of the wave (0-based): ids that sort in report order. */
export function waveKey(i: number): { accessKeyId: string; userName: string } {
  const n = String(i + 1).padStart(5, '0');
  return { accessKeyId: `AKIAWAVEKEY0000${n}`, userName: `wave-user-${n}` };
}

/** N users with one active key each, and what each key did in CloudTrail in the last hours. */
export function waveScenario(options: WaveOptions, now = Date.now()): ScenarioInput {
  const perRegion = options.eventsPerKeyPerRegion ?? 1;
  const keys = Array.from({ length: options.keys }, (_, i) => waveKey(i));
  return {
    accountId: WAVE_ACCOUNT,
    regions: WAVE_REGIONS,
    limits: { iamMutatingPerSecond: options.iamMutatingPerSecond ?? IAM_MUTATING_PER_SECOND },
    users: keys.map((k) => ({ userName: k.userName, accessKeys: [{ accessKeyId: k.accessKeyId }] })),
    cloudTrail: keys.flatMap((k, i) =>
      WAVE_REGIONS.flatMap((region) =>
        Array.from({ length: perRegion }, (_, j) => ({
          region,
          eventTime: new Date(now - 3 * 3600_000 + i * 1000 + j * 10).toISOString(),
          eventSource: region === 'us-east-1' ? 'sts.amazonaws.com' : 'ec2.amazonaws.com',
          eventName: region === 'us-east-1' ? 'GetCallerIdentity' : 'DescribeInstances',
          eventId: `wave-${k.accessKeyId}-${region}-${j}`,
          accessKeyId: k.accessKeyId,
          userName: k.userName,
        })),
      ),
    ),
  };
}

/** The AWS Health event that reports one exposed key (the way a wave usually arrives). */
export function waveEvent(i: number): Record<string, unknown> {
  const { accessKeyId } = waveKey(i);
  return {
    version: '0', id: `wave-${i + 1}`, source: 'aws.health', 'detail-type': 'AWS Health Event', account: WAVE_ACCOUNT,
    time: new Date().toISOString(), region: 'us-east-1', resources: [],
    detail: { service: 'RISK', eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED', eventTypeCategory: 'issue', affectedEntities: [{ entityValue: accessKeyId }] },
  };
}

/** The bench's document (`npm run bench -- --wave N --json`). */
export interface WaveFigures {
  incidents: number;
  contained: number;
  lost: number;
  containSeconds: number;
  boundSeconds: number;
  lookupCalls: number;
  lookupBound: number;
  emails: number;
}

/** What the table shows besides the figures. */
export interface WaveDetails {
  readonly figures: WaveFigures;
  readonly iamRate: number;
  readonly containmentWrites: number;
  readonly throttled: Record<string, number>;
  readonly combinedSearchPages: number;
  /** Reports that went to the dead-letter queue (the dispatcher failed). */
  readonly deadLettered: number;
  readonly failedExecutions: number;
  readonly maxHistoryEvents: number;
  readonly maxStateBytes: number;
  /** Spearman's rank correlation of report order and containment time (1: contained in order). */
  readonly orderCorrelation: number;
  /** The longest any one key waited from its report to being contained, in simulated seconds. */
  readonly longestWaitSeconds: number;
  readonly simulatedSeconds: number;
}

/** Step Functions history events an execution like this one writes, about: 5 a state, 3 a retry. */
function historyEvents(e: DrillExecution): number {
  return e.states.length * 5 + e.states.reduce((n, s) => n + 3 * (s.retries ?? 0), 0);
}

function spearman(xs: number[], ys: number[]): number {
  const rank = (v: number[]) => {
    const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    order.forEach(([, i], k) => (r[i] = k));
    return r;
  };
  const [rx, ry] = [rank(xs), rank(ys)];
  const n = xs.length;
  if (n < 2) return 1;
  const d2 = rx.reduce((sum, r, i) => sum + (r - ry[i]) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

/** Plays the wave on the virtual clock and measures it. */
export async function runWave(rules: RulePattern[], options: WaveOptions, config: DrillConfig = { dryRun: false, protectedUsers: [], lookbackDays: 14 }): Promise<WaveDetails> {
  const { result, elapsedMs } = await inVirtualTime(async () => {
    const startedAt = Date.now();
    const scenario = waveScenario(options, startedAt);
    const drill = new Drill(scenario, rules, config, { virtualTime: true });
    try {
      // Every report at once, in order: report i is delivered i-th.
      await Promise.all(Array.from({ length: options.keys }, (_, i) => drill.deliver(waveEvent(i))));
      return measure(drill, scenario, options, startedAt);
    } finally {
      drill.close();
    }
  });
  return { ...result, simulatedSeconds: elapsedMs / 1000 };
}

function measure(drill: Drill, scenario: ScenarioInput, options: WaveOptions, startedAt: number): Omit<WaveDetails, 'simulatedSeconds'> {
  const iamRate = options.iamMutatingPerSecond ?? IAM_MUTATING_PER_SECOND;
  const view = drill.account.view();
  const executions = drill.deliveries.flatMap((d) => d.executions).filter((e) => e.status !== 'SKIPPED');
  const messages = drill.account.published.map((m) => `${m.subject ?? ''}\n${m.message}`);
  let contained = 0;
  let lost = 0;
  for (let i = 0; i < options.keys; i++) {
    const { accessKeyId, userName } = waveKey(i);
    const user = view.users.find((u) => u.userName === userName);
    const inactive = user?.accessKeys.find((k) => k.accessKeyId === accessKeyId)?.status === 'Inactive';
    const revoked = user !== undefined && REVOKE_SESSIONS_POLICY_NAME in user.inlinePolicies;
    if (inactive && revoked) contained++;
    else if (!messages.some((m) => m.includes(accessKeyId))) lost++;
  }
  // When each key was contained: its execution's start plus the end of its Contain state.
  const containedAt = executions.map((e) => {
    const state = e.states.find((s) => s.name === 'Contain');
    return { key: e.incident.accessKeyId, at: (e.startedAtMs ?? 0) + (state?.endMs ?? Number.NaN) * drill.account.timeScale };
  });
  const order = containedAt.map((c) => Number(c.key.slice(-5)));
  const writes = drill.account.calls.filter((c) => c.service === 'iam' && isIamMutating(c.operation) && !c.error && CONTAIN_STATES.has(c.invocation ?? '')).length;
  // One combined search of each window in each region: the first pass's (every event of the
  // lookback) and the second look's (15 minutes before the first pass to its end: CloudTrail
  // delivers events up to 15 minutes late, so that window must be read again, once).
  const regions = scenario.regions ?? ['us-east-1'];
  const trail = scenario.cloudTrail ?? [];
  const pages = (events: typeof trail) => Math.max(1, Math.ceil(events.length / LOOKUP_PAGE_SIZE));
  const inRegion = (r: string) => trail.filter((e) => (e.region ?? 'us-east-1') === r);
  const recent = (e: (typeof trail)[number]) => Date.parse(String(e.eventTime)) >= startedAt - CLOUDTRAIL_DELAY_MS;
  const combinedSearchPages = regions.reduce((n, r) => n + pages(inRegion(r)) + pages(inRegion(r).filter(recent)), 0);
  const lookupCalls = drill.account.calls.filter((c) => c.service === 'cloudtrail' && c.operation === 'LookupEvents').length;
  const longest = Math.max(0, ...containedAt.map((c) => c.at));
  return {
    figures: {
      incidents: executions.length,
      contained,
      lost,
      containSeconds: round(longest / 1000),
      boundSeconds: round((options.keys * CONTAINMENT_WRITES_PER_KEY) / iamRate),
      lookupCalls,
      lookupBound: Math.floor(combinedSearchPages * 1.2),
      emails: drill.account.published.length,
    },
    iamRate,
    containmentWrites: writes,
    throttled: Object.fromEntries(drill.account.limits.throttled),
    combinedSearchPages,
    deadLettered: drill.deliveries.filter((d) => d.dispatchError).length,
    failedExecutions: executions.filter((e) => e.status === 'FAILED').length,
    maxHistoryEvents: Math.max(0, ...executions.map(historyEvents)),
    maxStateBytes: Math.max(0, ...executions.map((e) => JSON.stringify(e.output ?? {}).length)),
    orderCorrelation: round(spearman(order, containedAt.map((c) => c.at))),
    longestWaitSeconds: round(longest / 1000),
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
