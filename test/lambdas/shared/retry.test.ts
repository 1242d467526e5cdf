import { isRetryableError, RetriesExhaustedError, retry } from '../../../lambdas/shared/retry';
import { awsError } from '../helpers';

function options(sleep = jest.fn(async (_ms: number) => undefined)) {
  return { attempts: 5, baseDelayMs: 1000, sleep };
}

describe('retry', () => {
  it('returns the first success without waiting', async () => {
    const call = jest.fn(async () => 'answer');
    const opts = options();

    await expect(retry(call, opts)).resolves.toBe('answer');

    expect(call).toHaveBeenCalledTimes(1);
    expect(opts.sleep).not.toHaveBeenCalled();
  });

  it('tries throttling again after 1 s, 2 s, ... and returns the success that follows', async () => {
    const call = jest.fn().mockRejectedValueOnce(awsError('Throttling')).mockRejectedValueOnce(awsError('ServiceUnavailable', 'x', 503)).mockResolvedValue('late');
    const opts = options();

    await expect(retry(call, opts)).resolves.toBe('late');

    expect(call).toHaveBeenCalledTimes(3);
    expect(opts.sleep.mock.calls).toEqual([[1000], [2000]]);
  });

  it('gives up after `attempts` tries in all, throwing the last failure wrapped, with the count', async () => {
    const call = jest.fn().mockRejectedValue(awsError('Throttling', 'Rate exceeded'));
    const opts = options();
    const onRetry = jest.fn();

    const failure = retry(call, { ...opts, onRetry });

    await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(failure).rejects.toMatchObject({
      name: 'RetriesExhaustedError',
      attempts: 5,
      message: 'Throttling: Rate exceeded (gave up after 5 attempts)',
      cause: expect.objectContaining({ name: 'Throttling' }),
    });
    expect(call).toHaveBeenCalledTimes(5);
    expect(opts.sleep.mock.calls).toEqual([[1000], [2000], [4000], [8000]]);
    expect(onRetry.mock.calls.map(([info]) => [info.attempt, info.delayMs])).toEqual([[1, 1000], [2, 2000], [3, 4000], [4, 8000]]);
  });

  it('throws a failure that cannot pass (AccessDenied) at once, unchanged', async () => {
    const denied = awsError('AccessDenied', 'denied', 403);
    const call = jest.fn().mockRejectedValue(denied);
    const opts = options();

    await expect(retry(call, opts)).rejects.toBe(denied);

    expect(call).toHaveBeenCalledTimes(1);
    expect(opts.sleep).not.toHaveBeenCalled();
  });

  it('tries once when attempts is 1', async () => {
    const call = jest.fn().mockRejectedValue(awsError('Throttling'));

    await expect(retry(call, { ...options(), attempts: 1 })).rejects.toMatchObject({ attempts: 1 });

    expect(call).toHaveBeenCalledTimes(1);
  });
});

describe('isRetryableError', () => {
  it.each([
    ['Throttling', awsError('Throttling')],
    ['a 5xx', awsError('SomethingBroke', 'x', 500)],
    ['a dropped connection (code)', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an SDK timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
  ])('is true for %s', (_what, err) => {
    expect(isRetryableError(err)).toBe(true);
  });

  it.each([
    ['AccessDenied', awsError('AccessDenied', 'denied', 403)],
    ['NoSuchEntity', awsError('NoSuchEntity', 'gone', 404)],
    ['a plain error', new Error('bug')],
    ['not an error', 'text'],
    ['undefined', undefined],
  ])('is false for %s', (_what, err) => {
    expect(isRetryableError(err)).toBe(false);
  });
});

describe('retry: time budget and server-given waits', () => {
  it('waits what delayFor says instead of the doubling back-off', async () => {
    const waits: number[] = [];
    const call = jest.fn<Promise<string>, []>().mockRejectedValueOnce(Object.assign(new Error('slow down'), { name: 'Throttling' })).mockResolvedValue('ok');

    const result = await retry(call, { attempts: 3, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms), delayFor: () => 2500 });

    expect(result).toBe('ok');
    expect(waits).toEqual([2500]);
  });

  it('gives up, without waiting, when hasTimeFor says the next wait and try do not fit', async () => {
    const waits: number[] = [];
    const throttled = Object.assign(new Error('slow down'), { name: 'Throttling' });
    const call = jest.fn<Promise<string>, []>().mockRejectedValue(throttled);

    const outcome = retry(call, { attempts: 5, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms), hasTimeFor: (ms) => ms < 400 });

    await expect(outcome).rejects.toMatchObject({ name: 'RetriesExhaustedError', attempts: 3, last: throttled });
    expect(call).toHaveBeenCalledTimes(3);
    expect(waits).toEqual([100, 200]);
  });
});
