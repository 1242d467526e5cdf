import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { GapProxy } from './gap-proxy';

// A stand-in for moto: 500 with Flask's HTML page for LookupEvents and ListServiceSpecificCredentials
// (what moto answers for an operation it lacks), an IAM answer for the rest.
function fakeMoto(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const lacks = String(req.headers['x-amz-target'] ?? '').endsWith('.LookupEvents') || body.includes('Action=ListServiceSpecificCredentials');
      if (lacks) {
        res.writeHead(500, { 'content-type': 'text/html' }).end('<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<GetUserResponse><GetUserResult/></GetUserResponse>');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  })));
}

const scope = (service: string, region = 'us-east-1') => `AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261130/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;

describe('the gap proxy between the Lambdas and moto', () => {
  let moto: Awaited<ReturnType<typeof fakeMoto>>;
  let proxy: GapProxy;
  let url: string;
  beforeEach(async () => {
    moto = await fakeMoto();
    proxy = new GapProxy(moto.url, {
      'cloudtrail:LookupEvents': { reason: 'no events in moto', answer: (r) => ({ status: 200, contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ Events: [], region: r.region }) }) },
    });
    url = await proxy.start();
  });
  afterEach(async () => {
    await proxy.stop();
    await moto.close();
  });

  it('answers an operation moto lacks from its recording, and says moto was tried and lacked it', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: scope('cloudtrail', 'eu-west-1'), 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: 'AKIAEXAMPLE000000001' }] }),
    });

    expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { Events: [], region: 'eu-west-1' } });
    expect(proxy.coverage.get('cloudtrail:LookupEvents')).toEqual({
      operation: 'cloudtrail:LookupEvents', calls: 1, servedBy: 'recorded answer', moto: 'not implemented (HTTP 500)', reason: 'no events in moto',
    });
    expect(proxy.requests[0].params).toEqual({ LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: 'AKIAEXAMPLE000000001' }] });
    expect(proxy.unserved()).toEqual([]);
  });

  it('passes moto\'s answer through for the operations it serves (query protocol: the Action field)', async () => {
    const res = await fetch(url, { method: 'POST', headers: { authorization: scope('iam'), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: 'Action=GetUser&UserName=ci-deploy&Version=2010-05-08' });

    expect({ status: res.status, body: await res.text() }).toEqual({ status: 200, body: '<GetUserResponse><GetUserResult/></GetUserResponse>' });
    expect(proxy.coverage.get('iam:GetUser')).toEqual({ operation: 'iam:GetUser', calls: 1, servedBy: 'moto' });
    expect(proxy.requests[0].params).toEqual({ Action: 'GetUser', UserName: 'ci-deploy', Version: '2010-05-08' });
  });

  it('lists an operation moto lacks and nobody recorded as unserved, with moto\'s 500 passed on', async () => {
    const res = await fetch(url, { method: 'POST', headers: { authorization: scope('iam'), 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListServiceSpecificCredentials&UserName=u' });

    expect(res.status).toBe(500);
    expect(proxy.unserved()).toEqual([{ operation: 'iam:ListServiceSpecificCredentials', calls: 1, servedBy: 'moto', moto: 'not implemented (HTTP 500), no recorded answer' }]);
  });

  it('names a REST call by its method and path shape, not by the bucket and key', async () => {
    await fetch(`${url}/incident-bucket/incidents/AKIA-1/report.json`, { method: 'PUT', headers: { authorization: scope('s3') }, body: '{}' });

    expect([...proxy.coverage.keys()]).toEqual(['s3:PUT /{bucket}/{key}']);
  });
});
