import { reportedKeyAccount } from '../../../lambdas/dispatcher/report-account';
import { awsError, fakeLogger, KEY_ID } from '../helpers';

const OWN = '999988887777';
const MEMBER = '123456789012';

function reportByHand(account: unknown, detail: Record<string, unknown> = {}): Record<string, unknown> {
  return { source: 'exposed-key-responder', 'detail-type': 'Exposed Access Key Reported', account, time: '2026-11-20T10:00:00Z', detail: { accessKeyId: KEY_ID, ...detail } };
}

function deps(answer: () => Promise<string | undefined>) {
  return { keyAccount: jest.fn(answer), ownAccountId: OWN, logger: fakeLogger() };
}

describe('reportedKeyAccount: the account of a reported key, as STS says', () => {
  it('is STS\'s account for a report of the responder\'s own account, whatever account the report names', async () => {
    const d = deps(async () => MEMBER);

    await expect(reportedKeyAccount(reportByHand(OWN, { accountId: '444455556666' }), d)).resolves.toBe(MEMBER);
    expect(d.keyAccount).toHaveBeenCalledWith(KEY_ID);
  });

  it.each([
    ['of another account', reportByHand(MEMBER)],
    ['without an account', reportByHand(undefined)],
    ['not a report by hand', { ...reportByHand(OWN), source: 'aws.trustedadvisor' }],
    ['naming a temporary key', reportByHand(OWN, { accessKeyId: 'ASIAIOSFODNN7EXAMPLE' })],
    ['unparseable', reportByHand(OWN, { accountId: 'x' })],
    ['null', null],
  ])('asks STS nothing for an event %s', async (_what, event) => {
    const d = deps(async () => MEMBER);

    await expect(reportedKeyAccount(event, d)).resolves.toBeUndefined();
    expect(d.keyAccount).not.toHaveBeenCalled();
  });

  it.each([[OWN], [undefined], ['12345678901'], ['1234567890123']])('is none when STS answers %p', async (answer) => {
    await expect(reportedKeyAccount(reportByHand(OWN), deps(async () => answer))).resolves.toBeUndefined();
  });

  it('is none when STS refuses for good (the responder\'s own IAM then decides)', async () => {
    const d = deps(async () => { throw awsError('AccessDenied'); });

    await expect(reportedKeyAccount(reportByHand(OWN), d)).resolves.toBeUndefined();
    expect(d.logger.warn).toHaveBeenCalledWith(expect.stringContaining('GetAccessKeyInfo failed'), expect.objectContaining({ accessKeyId: KEY_ID }));
  });

  it.each([['Throttling', 400], ['InternalFailure', 500]])('throws TransientAwsError when STS answers %s', async (code, status) => {
    await expect(reportedKeyAccount(reportByHand(OWN), deps(async () => { throw awsError(code, code, status); }))).rejects.toMatchObject({ name: 'TransientAwsError' });
  });
});
