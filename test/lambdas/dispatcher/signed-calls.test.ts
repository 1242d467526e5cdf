import { lambdaInvokeAsync, stsKeyAccountLookup } from '../../../lambdas/dispatcher/signed-calls';
import { signV4 } from '../../../lambdas/dispatcher/sigv4';
import { TransientAwsError } from '../../../lambdas/shared/errors';

const EXAMPLE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('signV4', () => {
  it('signs the "get-vanilla" request of the AWS Signature Version 4 test suite as published', () => {
    const authorization = signV4(
      { method: 'GET', host: 'example.amazonaws.com', path: '/', query: '', headers: { Host: 'example.amazonaws.com', 'X-Amz-Date': '20150830T123600Z' }, body: '' },
      'us-east-1',
      'service',
      EXAMPLE_CREDENTIALS,
      '20150830T123600Z',
    );

    expect(authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });
});

describe('stsKeyAccountLookup', () => {
  function answering(status: number, body: string) {
    return jest.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response(body, { status }));
  }

  it('posts GetAccessKeyInfo to the regional endpoint, signed with the session token, and reads the account', async () => {
    const fetchFn = answering(200, '<GetAccessKeyInfoResponse><GetAccessKeyInfoResult><Account>210987654321</Account></GetAccessKeyInfoResult></GetAccessKeyInfoResponse>');
    const lookup = stsKeyAccountLookup({
      region: 'eu-west-1',
      credentials: async () => ({ ...EXAMPLE_CREDENTIALS, sessionToken: 'token' }),
      fetchFn: fetchFn as unknown as typeof fetch,
      now: () => new Date('2026-11-20T10:00:00.000Z'),
    });

    const account = await lookup('AKIAIOSFODNN7EXAMPLE');

    expect(account).toBe('210987654321');
    const [url, init] = fetchFn.mock.calls[0];
    expect(url).toBe('https://sts.eu-west-1.amazonaws.com/');
    expect(init?.body).toBe('Action=GetAccessKeyInfo&Version=2011-06-15&AccessKeyId=AKIAIOSFODNN7EXAMPLE');
    const headers = init?.headers as Record<string, string>;
    expect(headers['x-amz-security-token']).toBe('token');
    expect(headers['x-amz-date']).toBe('20261120T100000Z');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261120\/eu-west-1\/sts\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });

  it('throws TransientAwsError on throttling and an error named by STS\'s code otherwise', async () => {
    const credentials = async () => EXAMPLE_CREDENTIALS;
    const throttled = stsKeyAccountLookup({ region: 'us-east-1', credentials, fetchFn: answering(400, '<Error><Code>Throttling</Code></Error>') as unknown as typeof fetch });
    const refused = stsKeyAccountLookup({ region: 'us-east-1', credentials, fetchFn: answering(403, '<Error><Code>AccessDenied</Code></Error>') as unknown as typeof fetch });

    await expect(throttled('AKIAIOSFODNN7EXAMPLE')).rejects.toBeInstanceOf(TransientAwsError);
    await expect(refused('AKIAIOSFODNN7EXAMPLE')).rejects.toMatchObject({ name: 'AccessDenied', message: 'sts: AccessDenied' });
  });
});

describe('lambdaInvokeAsync', () => {
  it('posts the payload to the function\'s invocations path as an Event invoke, signed for lambda', async () => {
    const fetchFn = jest.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response('', { status: 202 }));
    const invoke = lambdaInvokeAsync({ region: 'us-east-1', credentials: async () => EXAMPLE_CREDENTIALS, fetchFn: fetchFn as unknown as typeof fetch, now: () => new Date('2026-11-20T10:00:00.000Z') });

    await invoke('exposed-key-responder-slack', '{"notice":{"subject":"s","text":"t"}}');

    const [url, init] = fetchFn.mock.calls[0];
    expect(url).toBe('https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/exposed-key-responder-slack/invocations');
    expect(init?.body).toBe('{"notice":{"subject":"s","text":"t"}}');
    const headers = init?.headers as Record<string, string>;
    expect(headers['x-amz-invocation-type']).toBe('Event');
    expect(headers.authorization).toMatch(/Credential=AKIDEXAMPLE\/20261120\/us-east-1\/lambda\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type,/);
  });

  it('throws TransientAwsError on 429 and names Lambda\'s error type otherwise', async () => {
    const answer = (status: number, type: string) =>
      jest.fn(async () => new Response('{}', { status, headers: { 'x-amzn-errortype': type } })) as unknown as typeof fetch;
    const credentials = async () => EXAMPLE_CREDENTIALS;

    await expect(lambdaInvokeAsync({ region: 'us-east-1', credentials, fetchFn: answer(429, 'TooManyRequestsException') })('f', '{}')).rejects.toBeInstanceOf(TransientAwsError);
    await expect(lambdaInvokeAsync({ region: 'us-east-1', credentials, fetchFn: answer(404, 'ResourceNotFoundException:http://internal') })('f', '{}')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
