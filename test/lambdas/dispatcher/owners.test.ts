import { GetAccessKeyInfoCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { stsKeyAccountLookup } from '../../../lambdas/dispatcher/owners';
import { KEY_ID } from '../helpers';

const sts = mockClient(STSClient);

beforeEach(() => sts.reset());

describe('stsKeyAccountLookup (sts:GetAccessKeyInfo through the STS client)', () => {
  it('answers the account STS names for the key id it was asked about', async () => {
    sts.on(GetAccessKeyInfoCommand, { AccessKeyId: KEY_ID }).resolves({ Account: '210987654321' });

    const account = await stsKeyAccountLookup(new STSClient({ region: 'us-east-1' }))(KEY_ID);

    expect(account).toBe('210987654321');
    expect(sts).toHaveReceivedCommandTimes(GetAccessKeyInfoCommand, 1);
    expect(sts).toHaveReceivedCommandWith(GetAccessKeyInfoCommand, { AccessKeyId: KEY_ID });
  });

  it('answers undefined when STS names no account', async () => {
    sts.on(GetAccessKeyInfoCommand).resolves({});

    await expect(stsKeyAccountLookup(new STSClient({ region: 'us-east-1' }))(KEY_ID)).resolves.toBeUndefined();
  });

  it('throws STS\'s own error, name and message kept, for the caller to report', async () => {
    sts.on(GetAccessKeyInfoCommand).rejects(
      new STSServiceException({ name: 'AccessDenied', $fault: 'client', message: 'not authorized to perform sts:GetAccessKeyInfo', $metadata: { httpStatusCode: 403 } }),
    );

    await expect(stsKeyAccountLookup(new STSClient({ region: 'us-east-1' }))(KEY_ID)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'not authorized to perform sts:GetAccessKeyInfo',
    });
  });
});
