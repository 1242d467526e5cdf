// sts:GetAccessKeyInfo over the STS Query API, signed with Signature Version 4.
//
// The project's dependencies have no STS client; this is the one STS call the dispatcher makes.
// The credentials are the ones the IAM client resolves (in Lambda: the execution role's).
import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { TransientAwsError } from '../shared/errors';
import { KeyAccountLookup } from './owners';

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

export interface StsLookupOptions {
  readonly region: string;
  readonly credentials: () => Promise<AwsCredentialIdentity>;
  readonly fetchFn?: typeof fetch;
  readonly now?: () => Date;
}

/**
 * The account that owns an access key id (any account's), from the regional STS endpoint.
 * Throttling and 5xx answers throw {@link TransientAwsError}; any other refusal throws an error
 * named by STS's code. The caller treats a failure as "account unknown" and says so.
 */
export function stsKeyAccountLookup(options: StsLookupOptions): KeyAccountLookup {
  const fetchFn = options.fetchFn ?? fetch;
  return async (accessKeyId) => {
    const host = `sts.${options.region}.amazonaws.com`;
    const body = `Action=GetAccessKeyInfo&Version=2011-06-15&AccessKeyId=${encodeURIComponent(accessKeyId)}`;
    const amzDate = (options.now ?? (() => new Date()))().toISOString().replace(/[:-]|\.\d{3}/g, '');
    const credentials = await options.credentials();
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      host,
      'x-amz-date': amzDate,
      ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    };
    const authorization = signV4({ method: 'POST', host, path: '/', query: '', headers, body }, options.region, 'sts', credentials, amzDate);
    const { host: _host, ...sent } = headers;
    const response = await fetchFn(`https://${host}/`, { method: 'POST', headers: { ...sent, authorization }, body, signal: AbortSignal.timeout(5000) });
    const xml = await response.text();
    if (response.ok) return /<Account>(\d{12})<\/Account>/.exec(xml)?.[1];
    const code = /<Code>([\w.]{1,64})<\/Code>/.exec(xml)?.[1] ?? `HTTP${response.status}`;
    if (response.status >= 500 || /Throttl/.test(code)) throw new TransientAwsError(`sts:GetAccessKeyInfo: ${code}`);
    const err = new Error(`sts:GetAccessKeyInfo: ${code}`);
    err.name = code;
    throw err;
  };
}
