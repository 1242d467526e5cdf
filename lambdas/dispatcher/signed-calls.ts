// sts:GetAccessKeyInfo over the STS Query API (the project's dependencies have no STS client).
// The credentials are the ones the IAM client resolves (in Lambda: the execution role's).
import { KeyAccountLookup } from './owners';
import { SignedCallOptions, signedPost } from './sigv4';

/**
 * The account that owns an access key id (any account's), from the regional STS endpoint.
 * Throttling and 5xx answers throw TransientAwsError; any other refusal throws an error named by
 * STS's code. The caller treats a failure as "account unknown" and says so.
 */
export function stsKeyAccountLookup(options: SignedCallOptions): KeyAccountLookup {
  return async (accessKeyId) => {
    const body = `Action=GetAccessKeyInfo&Version=2011-06-15&AccessKeyId=${encodeURIComponent(accessKeyId)}`;
    const xml = await signedPost('sts', { url: '/', canonical: '/' }, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body, options);
    return /<Account>(\d{12})<\/Account>/.exec(xml)?.[1];
  };
}

/** An asynchronous invoke (InvocationType Event) of a Lambda function with a JSON payload. */
export type InvokeAsync = (functionName: string, payload: string) => Promise<void>;

/** Lambda Invoke over its REST API, `X-Amz-Invocation-Type: Event`: Lambda queues it and answers 202. */
export function lambdaInvokeAsync(options: SignedCallOptions): InvokeAsync {
  return async (functionName, payload) => {
    const once = encodeURIComponent(functionName);
    const path = (name: string) => `/2015-03-31/functions/${name}/invocations`;
    await signedPost('lambda', { url: path(once), canonical: path(encodeURIComponent(once)) }, { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' }, payload, options);
  };
}
