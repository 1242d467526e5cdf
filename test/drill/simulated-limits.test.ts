import { parseScenario } from '../../drill/scenario';
import { SimulatedAccount } from '../../drill/simulated-account';
import { isIamMutating, SimulatedLimits, TokenBucket } from '../../drill/simulated-limits';
import { preconditionHolds } from '../../drill/simulated-objects';

describe('TokenBucket', () => {
  it('lets a second\'s worth through at once, then one call per 1/rate seconds', () => {
    const bucket = new TokenBucket(2, 0);

    const at0 = [bucket.take(0), bucket.take(0), bucket.take(0)];
    const at400 = bucket.take(400);
    const at500 = bucket.take(500);

    expect(at0).toEqual([true, true, false]);
    expect(at400).toBe(false);
    expect(at500).toBe(true);
  });

  it('holds at most one second\'s worth however long it was idle', () => {
    const bucket = new TokenBucket(2, 0);
    bucket.take(0);
    bucket.take(0);

    const after = [bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)];

    expect(after).toEqual([true, true, false]);
  });

  it('holds one token at a rate under one a second', () => {
    const bucket = new TokenBucket(0.5, 0);

    expect([bucket.take(0), bucket.take(1000), bucket.take(2000)]).toEqual([true, false, true]);
  });
});

describe('isIamMutating', () => {
  it.each(['UpdateAccessKey', 'PutUserPolicy', 'AttachUserPolicy', 'DeleteLoginProfile', 'UpdateServiceSpecificCredential'])('counts %s', (op) => {
    expect(isIamMutating(op)).toBe(true);
  });

  it.each(['GetUser', 'ListAccessKeys', 'SimulatePrincipalPolicy', 'GetAccessKeyLastUsed', 'GenerateCredentialReport'])('does not count %s', (op) => {
    expect(isIamMutating(op)).toBe(false);
  });
});

describe('SimulatedLimits', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  const limits = (now: { t: number }, iam = 10, lookups = 2) => new SimulatedLimits({ iamMutatingPerSecond: iam, lookupEventsPerSecond: lookups }, () => now.t);

  it('answers IAM writes beyond the account\'s rate with Throttling "Rate exceeded" (HTTP 400), as IAM does; reads are not limited', () => {
    const now = { t: 0 };
    const l = limits(now, 1);
    l.admit('iam', 'UpdateAccessKey', 'us-east-1');

    const refused = (() => {
      try {
        l.admit('iam', 'PutUserPolicy', 'us-east-1');
      } catch (err) {
        return err as Error & { $metadata: { httpStatusCode: number } };
      }
      return undefined;
    })();

    expect(refused).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    expect(() => l.admit('iam', 'GetUser', 'us-east-1')).not.toThrow();
    expect(Object.fromEntries(l.throttled)).toEqual({ 'iam:PutUserPolicy': 1 });
  });

  it('limits LookupEvents per region, answering ThrottlingException, each region with its own 2 a second', () => {
    const now = { t: 0 };
    const l = limits(now);
    l.admit('cloudtrail', 'LookupEvents', 'us-east-1');
    l.admit('cloudtrail', 'LookupEvents', 'us-east-1');

    expect(() => l.admit('cloudtrail', 'LookupEvents', 'us-east-1')).toThrow(expect.objectContaining({ name: 'ThrottlingException' }));
    expect(() => l.admit('cloudtrail', 'LookupEvents', 'eu-west-1')).not.toThrow();
    now.t = 500;
    expect(() => l.admit('cloudtrail', 'LookupEvents', 'us-east-1')).not.toThrow();
  });

  it('is shared by every caller of the simulated account, and set by the scenario\'s limits', () => {
    // The account's clock is real time x50: a pause of 20 ms between the two calls (a loaded
    // machine) would refill the bucket. Time stands still here, so the second call is the second
    // within the same instant.
    jest.useFakeTimers({ now: new Date('2026-11-30T00:00:00.000Z') });
    const account = new SimulatedAccount(parseScenario({
      users: [{ userName: 'a', accessKeys: [{ accessKeyId: 'AKIAUSERKEY000000001' }] }, { userName: 'b', accessKeys: [{ accessKeyId: 'AKIAUSERKEY000000002' }] }],
      limits: { iamMutatingPerSecond: 1 },
    }));

    account.call('iam', 'UpdateAccessKey', { UserName: 'a', AccessKeyId: 'AKIAUSERKEY000000001', Status: 'Inactive' });
    expect(() => account.call('iam', 'UpdateAccessKey', { UserName: 'b', AccessKeyId: 'AKIAUSERKEY000000002', Status: 'Inactive' })).toThrow(expect.objectContaining({ name: 'Throttling' }));

    expect(account.view().users.map((u) => u.accessKeys[0].status)).toEqual(['Inactive', 'Active']);
    expect(account.calls.map((c) => c.error ?? 'ok')).toEqual(['ok', 'Throttling']);
  });

  it('defaults to 10 IAM writes and 2 LookupEvents a second', () => {
    expect(parseScenario({}).limits).toEqual({ iamMutatingPerSecond: 10, lookupEventsPerSecond: 2 });
  });

  it.each([{ iamMutatingPerSecond: 0 }, { lookupEventsPerSecond: -1 }, { iamPerSecond: 5 }])('refuses unusable limits %p', (bad) => {
    expect(() => parseScenario({ limits: bad })).toThrow(/scenario is not usable: limits/);
  });
});

describe('simulated S3 conditional writes', () => {
  it('refuses If-None-Match * on an existing object and If-Match with another ETag (PreconditionFailed)', () => {
    const existing = { body: 'x', etag: '"e1"' };

    expect(() => preconditionHolds(existing, { IfNoneMatch: '*' })).toThrow(expect.objectContaining({ name: 'PreconditionFailed' }));
    expect(() => preconditionHolds(existing, { IfMatch: '"e2"' })).toThrow(expect.objectContaining({ name: 'PreconditionFailed' }));
    expect(() => preconditionHolds(existing, { IfMatch: '"e1"' })).not.toThrow();
    expect(() => preconditionHolds(undefined, { IfNoneMatch: '*' })).not.toThrow();
  });
});
