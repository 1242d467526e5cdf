// AWS Signature Version 4 for the two calls the dispatcher makes without an SDK client:
// sts:GetAccessKeyInfo (the project has no STS client) and the asynchronous invoke of the Slack
// Lambda (the Lambda client would pull the SDK's event-stream support into the bundle).
import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { TransientAwsError } from '../shared/errors';

export interface SignableRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  /** Already encoded, sorted query string ('' for none). */
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The `Authorization` header of a request (headers lower-case, `host` and `x-amz-date` among them). */
export function signV4(req: SignableRequest, region: string, service: string, credentials: AwsCredentialIdentity, amzDate: string): string {
  const names = Object.keys(req.headers).map((h) => h.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalHeaders = names.map((n) => `${n}:${lower[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonical = [req.method, req.path, req.query, canonicalHeaders, signedHeaders, sha256(req.body)].join('\n');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/** Where a signed call goes, and how (the tests and the drill pass their own fetch and clock). */
export interface SignedCallOptions {
  readonly region: string;
  readonly credentials: () => Promise<AwsCredentialIdentity>;
  readonly fetchFn?: typeof fetch;
  readonly now?: () => Date;
}

/**
 * POSTs a signed request to `https://<service>.<region>.amazonaws.com<path>`. `canonicalPath` is
 * the path as SigV4 wants it (each segment URI-encoded twice). Throttling and 5xx answers throw
 * {@link TransientAwsError}; any other refusal an error named by AWS's code. Answers the body.
 */
export async function signedPost(
  service: string,
  path: { url: string; canonical: string },
  headers: Record<string, string>,
  body: string,
  options: SignedCallOptions,
): Promise<string> {
  const host = `${service}.${options.region}.amazonaws.com`;
  const amzDate = (options.now ?? (() => new Date()))().toISOString().replace(/[:-]|\.\d{3}/g, '');
  const credentials = await options.credentials();
  const signed: Record<string, string> = {
    ...headers,
    host,
    'x-amz-date': amzDate,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  };
  const authorization = signV4({ method: 'POST', host, path: path.canonical, query: '', headers: signed, body }, options.region, service, credentials, amzDate);
  const { host: _host, ...sent } = signed;
  const response = await (options.fetchFn ?? fetch)(`https://${host}${path.url}`, { method: 'POST', headers: { ...sent, authorization }, body, signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  if (response.ok) return text;
  const code = /<Code>([\w.]{1,64})<\/Code>/.exec(text)?.[1] ?? response.headers.get('x-amzn-errortype')?.split(':')[0] ?? `HTTP${response.status}`;
  if (response.status >= 500 || response.status === 429 || /Throttl|TooManyRequests/.test(code)) throw new TransientAwsError(`${service}: ${code}`);
  const err = new Error(`${service}: ${code}`);
  err.name = code;
  throw err;
}
