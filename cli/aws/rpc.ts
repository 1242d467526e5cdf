/**
 * Three AWS APIs the command line needs have no SDK client in this project's dependencies
 * (@aws-sdk/client-cloudformation, -eventbridge, -sqs): until they are added, these few calls are
 * signed here with the SDK's own SigV4 signer (@smithy/signature-v4, which every SDK client uses)
 * and the caller's credentials as an SDK client resolved them (profile, region, SSO...). Only what
 * the commands call is implemented; errors are thrown with the AWS error code as `name`, as the SDK does.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** SHA-256 (and its HMAC) in the shape the signer takes. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface Signing {
  readonly region: () => Promise<string>;
  readonly credentials: Provider<AwsCredentialIdentity>;
  /** The HTTP call (tests replace it). @default global fetch */
  readonly fetch?: typeof fetch;
}

/** An AWS error as the SDK throws it: `name` is the code. */
export function rpcError(code: string, message: string, status: number): Error {
  const err = new Error(message) as Error & { $metadata: { httpStatusCode: number } };
  err.name = code;
  err.$metadata = { httpStatusCode: status };
  return err;
}

async function send(signing: Signing, service: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const region = await signing.region();
  const hostname = `${service}.${region}.amazonaws.com`;
  const signer = new SignatureV4({ service, region, credentials: signing.credentials, sha256: Sha256 });
  const signed = await signer.sign({ method: 'POST', protocol: 'https:', hostname, path: '/', headers: { host: hostname, ...headers }, body });
  const response = await (signing.fetch ?? fetch)(`https://${hostname}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body });
  return { status: response.status, text: await response.text() };
}

/** An AWS JSON 1.0/1.1 call (EventBridge, SQS): the parsed answer, or the AWS error thrown. */
export async function jsonCall(signing: Signing, service: string, target: string, version: '1.0' | '1.1', input: unknown): Promise<Record<string, unknown>> {
  const { status, text } = await send(signing, service, { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target }, JSON.stringify(input));
  const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  if (status >= 300) {
    const type = String(body.__type ?? body.code ?? 'UnknownError');
    throw rpcError(type.split('#').pop() ?? type, String(body.message ?? body.Message ?? text), status);
  }
  return body;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export function xmlText(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITIES[e.toLowerCase()]);
}

/** The text of each `<tag>...</tag>` in `xml` (no nesting of the same tag). */
export function xmlAll(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]);
}

export function xmlOne(xml: string, tag: string): string | undefined {
  const [first] = xmlAll(xml, tag);
  return first === undefined ? undefined : xmlText(first);
}

/** An AWS Query call (CloudFormation): the XML answer, or the AWS error thrown. */
export async function queryCall(signing: Signing, service: string, version: string, action: string, params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams({ Action: action, Version: version, ...params }).toString();
  const { status, text } = await send(signing, service, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body);
  if (status >= 300) throw rpcError(xmlOne(text, 'Code') ?? 'UnknownError', xmlOne(text, 'Message') ?? text, status);
  return text;
}
