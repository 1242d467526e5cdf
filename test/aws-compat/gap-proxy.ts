import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/** One AWS request as the proxy reads it off the wire. */
export interface WireRequest {
  /** The signing name in the credential scope (`iam`, `cloudtrail`, `support`...). */
  readonly service: string;
  /** The operation: X-Amz-Target's last part (JSON protocols), Action (query protocol), else `METHOD /path` (REST). */
  readonly operation: string;
  readonly region: string;
  /** The JSON body (JSON protocols) or the form fields (query protocol). */
  readonly params: Record<string, any>;
}

export interface WireAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** An answer recorded from AWS's documentation for an operation moto does not implement. */
export interface RecordedAnswer {
  /** Why moto cannot give this answer. */
  readonly reason: string;
  answer(request: WireRequest): WireAnswer;
}

/** How each operation was served, for the printout and the checks. */
export interface CoverageEntry {
  readonly operation: string;
  calls: number;
  servedBy: 'moto' | 'recorded answer';
  /** What moto said when it was tried first (recorded operations) or when it failed (others). */
  moto?: string;
  reason?: string;
}

/**
 * A proxy on 127.0.0.1 between the Lambdas (their AWS_ENDPOINT_URL) and moto. Every request goes
 * to moto. For an operation with a recorded answer, moto is still asked first (so the printout
 * says what moto does with it today) and the recorded answer is returned. Any other request that
 * moto cannot serve (an HTTP 500 page: moto's "not implemented") is passed through as it is, and
 * listed: the check then fails and names it.
 */
export class GapProxy {
  readonly coverage = new Map<string, CoverageEntry>();
  /** Every request, in order: the checks read what the Lambdas sent. */
  readonly requests: WireRequest[] = [];
  private server?: http.Server;

  constructor(
    private readonly motoUrl: string,
    private readonly recorded: Readonly<Record<string, RecordedAnswer>>,
  ) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, Buffer.concat(chunks)).then(
          (a) => {
            res.writeHead(a.status, a.headers);
            res.end(a.body);
          },
          (err: Error) => {
            res.writeHead(502, { 'content-type': 'text/plain' });
            res.end(`aws-compat proxy: ${err.message}`);
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The operations moto could not serve and that have no recorded answer. */
  unserved(): CoverageEntry[] {
    return [...this.coverage.values()].filter((e) => e.servedBy === 'moto' && e.moto !== undefined);
  }

  private async handle(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    const request = parse(req, body);
    const key = `${request.service}:${request.operation}`;
    const entry = this.coverage.get(key) ?? { operation: key, calls: 0, servedBy: 'moto' as const };
    this.coverage.set(key, entry);
    entry.calls += 1;
    this.requests.push(request);
    const fromMoto = await forward(this.motoUrl, req, body);
    const recorded = this.recorded[key];
    if (recorded) {
      entry.servedBy = 'recorded answer';
      entry.reason = recorded.reason;
      entry.moto = notImplemented(fromMoto) ? 'not implemented (HTTP 500)' : `answered HTTP ${fromMoto.status}, not used`;
      const a = recorded.answer(request);
      return { status: a.status, headers: { 'content-type': a.contentType, 'x-amzn-requestid': `recorded-${entry.calls}` }, body: Buffer.from(a.body) };
    }
    if (notImplemented(fromMoto)) entry.moto = 'not implemented (HTTP 500), no recorded answer';
    return fromMoto;
  }
}

function notImplemented(answer: { status: number; body: Buffer }): boolean {
  return answer.status === 500 && /<title>500 Internal Server Error<\/title>/i.test(answer.body.toString());
}

function parse(req: http.IncomingMessage, body: Buffer): WireRequest {
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
  const region = scope?.[1] ?? 'us-east-1';
  const service = scope?.[2] ?? 'unknown';
  const target = req.headers['x-amz-target'];
  const text = body.toString();
  if (typeof target === 'string') return { service, region, operation: target.split('.').pop()!, params: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  const contentType = String(req.headers['content-type'] ?? '');
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const params = Object.fromEntries(new URLSearchParams(text));
    return { service, region, operation: params.Action ?? 'unknown', params };
  }
  // REST (S3 here): the method and the path's shape, not its names.
  const segments = (req.url ?? '/').split('?')[0].split('/').filter(Boolean).length;
  return { service, region, operation: `${req.method} ${['/', '/{bucket}'][segments] ?? '/{bucket}/{key}'}`, params: {} };
}

function forward(motoUrl: string, req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
  const target = new URL(req.url ?? '/', motoUrl);
  return new Promise((resolve, reject) => {
    const out = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = { ...res.headers };
        delete headers['transfer-encoding'];
        delete headers.connection;
        resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
      });
    });
    out.on('error', reject);
    out.end(body);
  });
}
