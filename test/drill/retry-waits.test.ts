import { countingSkippedWaits, Retrier, retryWaitMs } from '../../drill/retry-waits';
import { SimulatedAccount } from '../../drill/simulated-account';
import { parseScenario } from '../../drill/scenario';
import { drill, EXPOSED, stackRules, trustedAdvisorEvent, twoKeyScenario } from '../workflow/helpers';

/** Contain's two retriers, as the ASL has them. */
const CONTAIN: Retrier[] = [
  { ErrorEquals: ['ThrottledError', 'Lambda.TooManyRequestsException'], IntervalSeconds: 5, MaxAttempts: 250, BackoffRate: 1, JitterStrategy: 'FULL' },
  { ErrorEquals: ['TransientAwsError', 'Lambda.ServiceException'], IntervalSeconds: 1, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 20, JitterStrategy: 'FULL' },
];
const named = (name: string) => Object.assign(new Error('x'), { name });

describe('retryWaitMs: the wait Step Functions makes before a retry', () => {
  it('backs off by the matching retrier: 1, 2, 4, 8, 16 s, then its MaxDelaySeconds (20), then no retry after MaxAttempts', () => {
    const attempts: number[] = [];
    const waits = Array.from({ length: 7 }, () => retryWaitMs(CONTAIN, attempts, 'TransientAwsError', () => 1));

    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 20000, undefined]);
    expect(attempts[1]).toBe(6);
  });

  it('draws the full jitter between 0 and the wait, and counts each retrier on its own', () => {
    const attempts: number[] = [];

    expect(retryWaitMs(CONTAIN, attempts, 'ThrottledError', () => 0.5)).toBe(2500);
    expect(retryWaitMs(CONTAIN, attempts, 'TransientAwsError', () => 0.25)).toBe(250);
    expect(retryWaitMs(CONTAIN, attempts, 'ThrottledError', () => 0.5)).toBe(2500); // BackoffRate 1
    expect(attempts).toEqual([2, 1]);
  });

  it('uses the States Language defaults (1 s, x2, 3 attempts, no jitter) and the wildcards', () => {
    const attempts: number[] = [];
    const all: Retrier[] = [{ ErrorEquals: ['States.ALL'] }];

    expect([1, 2, 3, 4].map(() => retryWaitMs(all, attempts, 'AnythingError'))).toEqual([1000, 2000, 4000, undefined]);
    expect(retryWaitMs([{ ErrorEquals: ['States.TaskFailed'] }], [], 'AccessDenied')).toBe(1000);
  });

  it('answers no retry for an error no retrier names', () => {
    expect(retryWaitMs(CONTAIN, [], 'AccessDenied')).toBeUndefined();
  });
});

describe('countingSkippedWaits: a Task\'s local handler that tells each skipped wait', () => {
  it('tells the wait of each retried failure, starts again for the next entry after a success, and rethrows unchanged', async () => {
    const skipped: number[] = [];
    let calls = 0;
    const failing = named('TransientAwsError');
    const handler = countingSkippedWaits(CONTAIN, async () => {
      calls += 1;
      if (calls % 3 !== 0) throw failing; // fails twice, then succeeds
      return 'ok';
    }, (ms) => skipped.push(ms), () => 1);

    await expect(handler({ a: 1 })).rejects.toBe(failing);
    await expect(handler({ a: 1 })).rejects.toBe(failing);
    await expect(handler({ a: 1 })).resolves.toBe('ok');
    await expect(handler({ a: 1 })).rejects.toBe(failing);

    expect(skipped).toEqual([1000, 2000, 1000]);
  });

  it('counts the tries of two inputs (two Map items) apart, and tells nothing for an error that is not retried', async () => {
    const skipped: number[] = [];
    const handler = countingSkippedWaits(CONTAIN, async (input) => {
      throw named((input as { error: string }).error);
    }, (ms) => skipped.push(ms), () => 1);

    await handler({ error: 'TransientAwsError', item: 1 }).catch(() => undefined);
    await handler({ error: 'TransientAwsError', item: 2 }).catch(() => undefined);
    await handler({ error: 'TransientAwsError', item: 1 }).catch(() => undefined);
    await handler({ error: 'AccessDenied' }).catch(() => undefined);

    expect(skipped).toEqual([1000, 1000, 2000]);
  });
});

describe('the simulated clock counts the skipped waits', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('moves on by a skipped wait, so the IAM write rate has refilled', () => {
    // Real time stands still (the account's clock is real time x50 plus the skipped waits): only
    // the skipped wait can refill the bucket.
    jest.useFakeTimers({ now: new Date('2026-11-30T00:00:00.000Z') });
    const account = new SimulatedAccount(parseScenario({ users: [{ userName: 'a', accessKeys: [{ accessKeyId: 'AKIAUSERKEY000000001' }] }], limits: { iamMutatingPerSecond: 1 } }));
    const write = () => account.call('iam', 'UpdateAccessKey', { UserName: 'a', AccessKeyId: 'AKIAUSERKEY000000001', Status: 'Inactive' });
    write();
    expect(write).toThrow(expect.objectContaining({ name: 'Throttling' }));
    const before = account.simulatedMs();

    account.skip(1000);

    expect(account.simulatedMs() - before).toBe(1000);
    expect(write).not.toThrow();
  });

  it('a revoke policy never read back: each Retry wait the drill skips moves the account\'s clock, and the record names the read-back (NoSuchEntity)', async () => {
    stackRules();
    const skip = jest.spyOn(SimulatedAccount.prototype, 'skip');
    const scenario = twoKeyScenario({ faults: [{ operation: 'iam:GetUserPolicy', error: 'NoSuchEntity', times: 1000 }] });

    const { output } = await drill(scenario, [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    const waits = skip.mock.calls.map(([ms]) => ms);
    skip.mockRestore();
    // Verify's retrier of ContainmentNotVerifiedError has no jitter: 2, 4, 8, 16 s, exactly.
    expect(waits.filter((ms) => [2000, 4000, 8000, 16000].includes(ms))).toEqual([2000, 4000, 8000, 16000]);
    // RevokeSessions: the first try and 6 retries, each after a wait of full jitter up to 1, 2, 4, 8, 16, 20 s.
    expect(waits.length).toBeGreaterThanOrEqual(6 + 4);
    const writes = output.apiCalls.filter((c) => c.operation === 'PutUserPolicy' && c.invocation === 'RevokeSessions');
    expect(writes.map((c) => c.error ?? 'ok')).toEqual(Array(7).fill('ok'));
    const failure = (output.report as { failures: Array<{ source: string; what: string; error: string }> }).failures.find((f) => f.what === 'RevokeSessions');
    expect(failure?.error).toMatch(/^TransientAwsError: GetUserPolicy: the revoke policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy was written \(PutUserPolicy succeeded, denying sessions issued before \S+\) but reading it back answered NoSuchEntity/);
  });
});
