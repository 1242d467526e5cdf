// The footholds executor's own decisions (lambdas/footholds/contain.ts): the protection read again
// from IAM before a change, what it logs (the audit trail), how failures are worded and thrown, how
// many actions run at once, and the summary's boundaries.
import { GetUserCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { containFootholds, summarize } from '../../../lambdas/footholds/contain';
import { Foothold, FootholdResult } from '../../../lambdas/footholds/contract';
import { ContainmentNotVerifiedError, TransientAwsError } from '../../../lambdas/shared/errors';
import { awsError } from '../helpers';
import { FakeAccount } from './fake-account';
import { deps, incident, NOW } from './harness';

const proof = (eventId: string) => ({ eventId, eventTime: '2026-11-20T09:00:00Z', eventName: 'X', region: 'us-east-1', callerKeyId: 'AKIAIOSFODNN7EXAMPLE' });
const key = (userName: string, accessKeyId: string): Foothold => ({ kind: 'access-key', userName, accessKeyId, proof: proof(`k-${accessKeyId}`) });
const assumed = (roleName: string): Foothold => ({ kind: 'assumed-role', roleArn: `arn:aws:iam::123456789012:role/${roleName}`, roleName, path: '/', proof: proof(`r-${roleName}`) });
const found = (footholds: Foothold[], unreadable = 0) => ({ footholds, sessions: [], records: { read: 5, unreadable, tied: 5 }, truncated: [], gaps: [] });

let account: FakeAccount;

beforeEach(() => {
  account = new FakeAccount(
    {
      alice: { keys: { AKIAALICE00000000001: 'Active' } },
      bob: { keys: { AKIABOB0000000000001: 'Active' } },
      carol: { keys: { AKIACAROL00000000001: 'Active' } },
      breakglass: { keys: { AKIABREAKGLASS000001: 'Active' } },
    },
    { deploy: {}, batch: {} },
  );
});

afterEach(() => account.restore());

describe('containFootholds: the audit trail in the log', () => {
  it('logs each change with its status, and the totals: footholds, actions, contained (done or already), dry run', async () => {
    account.users.get('carol')!.keys.AKIACAROL00000000001 = 'Inactive';
    const d = deps();

    await containFootholds(
      found([key('alice', 'AKIAALICE00000000001'), key('bob', 'AKIABOB0000000000001'), key('carol', 'AKIACAROL00000000001'), key('breakglass', 'AKIABREAKGLASS000001')]),
      incident, d,
    );

    expect((d.logger.info as jest.Mock).mock.calls).toEqual([
      ['foothold action', { id: 'deactivate-key alice AKIAALICE00000000001', status: 'done' }],
      ['foothold action', { id: 'deactivate-key bob AKIABOB0000000000001', status: 'done' }],
      ['foothold action', { id: 'deactivate-key carol AKIACAROL00000000001', status: 'already' }],
      ['footholds', { footholds: 4, actions: 4, contained: 3, dryRun: false }],
    ]);
  });

  it('counts a change found in place as contained, and a skipped one as not', async () => {
    account.users.get('carol')!.keys.AKIACAROL00000000001 = 'Inactive';
    const d = deps();

    await containFootholds(found([key('carol', 'AKIACAROL00000000001')]), incident, d);

    expect(d.logger.info).toHaveBeenLastCalledWith('footholds', { footholds: 1, actions: 1, contained: 1, dryRun: false });
  });

  it('logs a failed change with its error code', async () => {
    account.fail('UpdateAccessKey', awsError('AccessDenied', 'not authorized', 403));
    const d = deps();

    await containFootholds(found([key('alice', 'AKIAALICE00000000001')]), incident, d);

    expect(d.logger.warn).toHaveBeenCalledWith('foothold action failed', { id: 'deactivate-key alice AKIAALICE00000000001', error: 'AccessDenied' });
  });
});

describe('containFootholds: failures', () => {
  it('names an error that is not AWS\'s by its class', async () => {
    account.fail('UpdateAccessKey', new TypeError('boom'));

    const out = await containFootholds(found([key('alice', 'AKIAALICE00000000001')]), incident, deps());

    expect(out.results[0]).toMatchObject({ status: 'failed', errorCode: 'TypeError', detail: 'could not set access key AKIAALICE00000000001 of user alice Inactive: TypeError: boom' });
  });

  it('throws one transient failure naming every action still pending, after the rest is done', async () => {
    account.fail('PutRolePolicy', awsError('Throttling', 'Rate exceeded'));

    await expect(containFootholds(found([assumed('deploy'), assumed('batch'), key('alice', 'AKIAALICE00000000001')]), incident, deps())).rejects.toMatchObject({
      name: 'TransientAwsError',
      message: 'footholds: 2 action(s) hit a transient failure (revoke-role-sessions deploy; revoke-role-sessions batch); the others are in place: Throttling: Rate exceeded',
    });
    expect(account.users.get('alice')?.keys.AKIAALICE00000000001).toBe('Inactive');
  });

  it('names every change that does not read back yet', async () => {
    account.iamMock.on(UpdateAccessKeyCommand).resolves({});

    await expect(containFootholds(found([key('alice', 'AKIAALICE00000000001'), key('bob', 'AKIABOB0000000000001')]), incident, deps())).rejects.toThrow(
      new ContainmentNotVerifiedError(
        'footholds: changed but not yet visible: deactivate-key alice AKIAALICE00000000001: set access key AKIAALICE00000000001 of user alice Inactive (read back: Active); deactivate-key bob AKIABOB0000000000001: set access key AKIABOB0000000000001 of user bob Inactive (read back: Active)',
      ),
    );
  });

  it('a throttled read of the principal is no proof it is gone: nothing is said "already", the step is retried', async () => {
    account.fail('GetUser', awsError('Throttling', 'Rate exceeded'));

    await expect(containFootholds(found([key('alice', 'AKIAALICE00000000001')]), incident, deps())).rejects.toThrow(TransientAwsError);
    expect(account.users.get('alice')?.keys.AKIAALICE00000000001).toBe('Active');
  });
});

describe('containFootholds: the protection read again from IAM', () => {
  /** Protects by the tag `guard`, with a rule per kind: a user's rule never protects a role, nor the other way round. */
  const byKind = (p: { kind: string; name: string; tags?: Record<string, string> }) =>
    p.tags?.guard === 'user' && p.kind === 'user' ? 'user guard' : p.tags?.guard === 'role' && p.kind === 'role' ? 'role guard' : undefined;

  it('reads a user as a user and a role as a role', async () => {
    account.users.get('alice')!.tags = { guard: 'user' };
    account.roles.get('deploy')!.tags = { guard: 'role' };
    account.users.get('bob')!.tags = { guard: 'role' };

    const out = await containFootholds(found([key('alice', 'AKIAALICE00000000001'), key('bob', 'AKIABOB0000000000001'), assumed('deploy')]), incident, { ...deps(), protection: byKind });

    expect(out.results.map((r) => [r.id, r.status, r.detail])).toEqual([
      ['deactivate-key alice AKIAALICE00000000001', 'skipped', 'user alice is protected (user guard): nothing was changed, a human must decide'],
      ['deactivate-key bob AKIABOB0000000000001', 'done', 'set access key AKIABOB0000000000001 of user bob Inactive (read back: Inactive)'],
      ['revoke-role-sessions deploy', 'skipped', 'role deploy is protected (role guard): nothing was changed, a human must decide'],
    ]);
    expect(out.results[0].command).toBe('aws iam update-access-key --user-name alice --access-key-id AKIAALICE00000000001 --status Inactive');
  });

  it('never changes a role IAM says is service-linked, whatever the record said; a user on that path is a user', async () => {
    account.roles.get('deploy')!.path = '/aws-service-role/ec2.amazonaws.com/';
    account.users.get('alice')!.path = '/aws-service-role/';

    const out = await containFootholds(found([assumed('deploy'), key('alice', 'AKIAALICE00000000001')]), incident, deps());

    expect(out.results.map((r) => [r.id, r.status, r.detail])).toEqual([
      ['deactivate-key alice AKIAALICE00000000001', 'done', 'set access key AKIAALICE00000000001 of user alice Inactive (read back: Inactive)'],
      ['revoke-role-sessions deploy', 'skipped', 'role deploy is a service-linked role: the responder never changes one'],
    ]);
    expect(out.results[1].command).toMatch(/^aws iam put-role-policy --role-name deploy /);
    expect(account.roles.get('deploy')!.inline).toEqual({});
  });

  it('gives no command for a principal that no longer exists', async () => {
    account.users.delete('alice');

    const out = await containFootholds(found([key('alice', 'AKIAALICE00000000001')]), incident, deps());

    expect(out.results).toStrictEqual([
      {
        id: 'deactivate-key alice AKIAALICE00000000001',
        action: 'deactivate-key',
        foothold: 'access key AKIAALICE00000000001 of user alice: X at 2026-11-20T09:00:00Z in us-east-1, by AKIAIOSFODNN7EXAMPLE (event k-AKIAALICE00000000001)',
        status: 'already',
        detail: 'user alice no longer exists: nothing of it can be used',
        at: '2026-11-20T10:00:05.000Z',
      },
    ]);
  });
});

describe('containFootholds: reports and times', () => {
  it('reports a change to what the key created as reported, any other as open with its undo', async () => {
    const change = (target: string, eventId: string): Foothold => ({ kind: 'permission-change', targetType: 'user', target, values: { policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, proof: { ...proof(eventId), eventName: 'AttachUserPolicy' } });
    account.users.set('backdoor', { keys: {}, inline: {}, attached: [], serviceCredentials: {} });

    const out = await containFootholds(found([{ kind: 'user', userName: 'backdoor', proof: proof('u') }, change('backdoor', 'c1'), change('alice', 'c2')]), incident, deps());

    expect(out.results.filter((r) => r.action === 'report').map((r) => [r.status, r.command])).toEqual([
      ['reported', undefined],
      ['open', 'aws iam detach-user-policy --user-name alice --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess'],
    ]);
  });

  it('stamps each result with the time it was done, the clock\'s own when none is given', async () => {
    const given = await containFootholds(found([key('alice', 'AKIAALICE00000000001')]), incident, deps());
    const { now: _none, ...withoutClock } = deps();
    const own = await containFootholds(found([key('bob', 'AKIABOB0000000000001')]), incident, withoutClock);

    expect(given.results[0].at).toBe(NOW.toISOString());
    expect(Date.parse(own.results[0].at)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
  });
});

describe('containFootholds: actions at once', () => {
  /** GetUser answers after a pause, counting the reads in flight. */
  function slowReads(): { most: () => number } {
    let inFlight = 0;
    let most = 0;
    account.iamMock.on(GetUserCommand).callsFake(async (input: { UserName: string }) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return { User: { UserName: input.UserName, Path: '/' } };
    });
    return { most: () => most };
  }
  const three = [key('alice', 'AKIAALICE00000000001'), key('bob', 'AKIABOB0000000000001'), key('carol', 'AKIACAROL00000000001')];

  it('runs several at once when asked', async () => {
    const reads = slowReads();

    await containFootholds(found(three), incident, deps({}, 3));

    expect(reads.most()).toBe(3);
  });

  it('runs one at a time when asked for none, and still runs them all', async () => {
    const reads = slowReads();

    const out = await containFootholds(found(three), incident, deps({}, 0));

    expect(reads.most()).toBe(1);
    expect(out.results.map((r) => r.status)).toEqual(['done', 'done', 'done']);
  });
});

describe('summarize: labels, counts and the bound', () => {
  const r = (status: FootholdResult['status'], i: number, command?: string): FootholdResult => ({ id: `a ${i}`, action: 'report', foothold: 'f', status, detail: `d${i}`, ...(command && { command }), at: 'now' });
  const none = { records: { read: 1, unreadable: 0, tied: 1 }, truncated: [], gaps: [] };

  it('labels what is left by its status, with the command when there is one, and counts only what is in place', () => {
    const out = summarize([r('done', 1), r('already', 2), r('reported', 3), r('dry-run', 4, 'c4'), r('open', 5), r('skipped', 6, 'c6'), r('failed', 7)], none);

    expect(out).toEqual({
      contained: false,
      containedCount: 2,
      open: [{ what: 'dry run: d4', command: 'c4' }, { what: 'open: d5' }, { what: 'skipped: d6', command: 'c6' }, { what: 'failed: d7' }],
    });
    expect(out.open[1]).toStrictEqual({ what: 'open: d5' });
  });

  it('lists exactly 50 open items whole', () => {
    const out = summarize(Array.from({ length: 50 }, (_, i) => r('open', i)), none);

    expect(out.open).toHaveLength(50);
    expect(out.open[49]).toEqual({ what: 'open: d49' });
    expect(out.contained).toBe(false);
  });

  it('says contained when everything is in place', () => {
    expect(summarize([r('done', 1), r('already', 2), r('reported', 3)], none)).toEqual({ contained: true, containedCount: 2, open: [] });
  });

  it('past 50, is never contained and counts what it left out', () => {
    const out = summarize(Array.from({ length: 51 }, (_, i) => r('open', i)), none);

    expect(out).toMatchObject({ contained: false, containedCount: 0 });
    expect(out.open.at(-1)).toEqual({ what: 'and 2 more still open: see every result in the record' });
  });
});
