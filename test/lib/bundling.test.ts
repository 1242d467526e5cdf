import { execFile, execFileSync } from 'node:child_process';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  ESBUILD_OPTIONS,
  esbuildOptions,
  ESM_REQUIRE_BANNER,
  EVENT_STREAM_LAMBDAS,
  LAMBDA_CREDENTIALS_SHIM,
  LAMBDA_ENTRIES,
  LAMBDA_NAMES,
  lambdaEntry,
  nodejsBundlingOptions,
  PROJECT_ROOT,
} from '../../lib/bundling';

describe('bundling options', () => {
  it('bundle minified ESM (.mjs) for node24, ESM builds first, with a require shim and no source map', () => {
    expect(ESBUILD_OPTIONS).toMatchObject({
      bundle: true,
      platform: 'node',
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      target: 'node24',
      minify: true,
      sourcemap: false,
      mainFields: ['module', 'main'],
    });
    expect(ESBUILD_OPTIONS.banner.js).toBe(
      "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
    );
  });

  it('bundle the AWS SDK instead of leaving it external, all but its event-stream support', () => {
    expect(ESBUILD_OPTIONS.external).toEqual(['@smithy/core/event-streams']);
    expect(nodejsBundlingOptions()).toMatchObject({ externalModules: ['@smithy/core/event-streams'], bundleAwsSDK: true });
  });

  it('keep the event-stream support in the bundles of the Lambdas whose SDK clients import it statically (S3)', () => {
    expect(EVENT_STREAM_LAMBDAS).toEqual(['investigate', 'report']);
    for (const name of LAMBDA_NAMES) {
      const external = EVENT_STREAM_LAMBDAS.includes(name) ? [] : ['@smithy/core/event-streams'];
      expect(esbuildOptions(name)).toEqual({ ...ESBUILD_OPTIONS, external });
      expect(nodejsBundlingOptions(name)).toEqual({ ...nodejsBundlingOptions(), externalModules: external });
    }
  });

  it('give NodejsFunction the same options, with the local esbuild only (never Docker)', () => {
    expect(nodejsBundlingOptions()).toEqual({
      format: OutputFormat.ESM,
      target: 'node24',
      minify: true,
      sourceMap: false,
      mainFields: ['module', 'main'],
      banner: ESM_REQUIRE_BANNER,
      bundleAwsSDK: true,
      externalModules: ['@smithy/core/event-streams'],
      esbuildArgs: { '--alias': '@aws-sdk/credential-provider-node=./lambdas/shared/lambda-credentials.ts' },
      forceDockerBundling: false,
    });
  });

  it('replace the SDK\'s default credential chain with the environment provider (the shim exists)', () => {
    expect(ESBUILD_OPTIONS.alias).toEqual({
      '@aws-sdk/credential-provider-node': path.join(PROJECT_ROOT, 'lambdas/shared/lambda-credentials.ts'),
    });
    expect(existsSync(path.join(PROJECT_ROOT, LAMBDA_CREDENTIALS_SHIM))).toBe(true);
  });

  it('list the Lambdas in the order of an incident, each at lambdas/<name>/index.ts, which exists', () => {
    expect([...LAMBDA_NAMES]).toEqual(['dispatcher', 'contain', 'verify', 'investigate', 'footholds', 'evidence', 'report', 'support', 'slack', 'notify', 'signals']);
    expect(Object.keys(LAMBDA_ENTRIES)).toEqual([...LAMBDA_NAMES]);
    for (const name of LAMBDA_NAMES) {
      expect(LAMBDA_ENTRIES[name]).toBe(`lambdas/${name}/index.ts`);
      expect(existsSync(lambdaEntry(name))).toBe(true);
    }
  });
});

/** The Lambdas that call no AWS API themselves. */
const NO_SDK_LAMBDAS: readonly string[] = ['signals'];

describe('a bundle built with these options', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'responder-bundle-'));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  // What Lambda does at a cold start: import index.mjs and find `handler`. Run in a real Node
  // process, with the environment the stack gives (the handlers only create clients at load:
  // nothing reaches AWS).
  it.each([...LAMBDA_NAMES])('%s bundles the SDK without its default credential chain, loads as an ES module (no node_modules) and exports handler', async (name) => {
    const dir = path.join(outdir, name);
    const { metafile } = await esbuild.build({ ...esbuildOptions(name), entryPoints: [lambdaEntry(name)], outdir: dir, logLevel: 'silent', metafile: true });
    const inputs = Object.keys(metafile.inputs);
    // Whether some module of the bundle imports the event-stream support statically (it must then be bundled).
    const staticEventStreams = Object.values(metafile.inputs).some((input) =>
      input.imports.some((i) => (i.original ?? i.path) === '@smithy/core/event-streams' && i.kind === 'import-statement'));
    expect({ name, staticEventStreams }).toEqual({ name, staticEventStreams: EVENT_STREAM_LAMBDAS.includes(name) });
    // The signals Lambda renders only (the workflow's own states publish): no SDK client at all.
    const usesSdk = !NO_SDK_LAMBDAS.includes(name);
    expect(inputs.includes(LAMBDA_CREDENTIALS_SHIM)).toBe(usesSdk);
    expect(inputs.filter((i) => /credential-provider-(node|ini|sso|web-identity|process|login)|nested-clients/.test(i))).toEqual([]);
    expect(inputs.some((i) => i.includes('node_modules/@aws-sdk/'))).toBe(usesSdk);
    const file = path.join(dir, 'index.mjs');
    const code = readFileSync(file, 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); console.log(typeof m.handler);`], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:x',
        PROTECTED_USERS: '',
        PROTECTED_ROLES: '',
        STOP_LAUNCHED_INSTANCES: 'false',
        DRY_RUN: 'true',
        QUARANTINE_POLICY_ARN: 'arn:aws:iam::123456789012:policy/exposed-key-responder/q',
        TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t',
        INCIDENT_BUCKET: 'incident-bucket',
        LOOKBACK_DAYS: '14',
        SUPPORT_SEVERITY: 'high',
        SECURITY_HUB: 'false',
        SLACK_WEBHOOK_SECRET: '',
        ACCOUNT_ID: '123456789012',
        QUARANTINE_WINDOW_HOURS: '24',
        DELETE_MEMBER_ROOT_KEYS: 'false',
      },
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('function');
  });
});

describe('the bundled contain Lambda against a local IAM endpoint', () => {
  // Proves the bundle works past loading: the credentials shim signs with the environment's keys
  // (as Lambda provides them) and the query protocol round-trips. The endpoint is a server on
  // 127.0.0.1 answering as IAM does; nothing leaves the machine.
  it('sends UpdateAccessKey signed with the environment credentials and reports the key Inactive', async () => {
    const requests: Array<{ authorization?: string; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push({ authorization: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'text/xml' });
        // Contain reads the user (is it protected?) and the key's status (kept in the record), then deactivates the key.
        if (new URLSearchParams(body).get('Action') === 'GetUser') {
          res.end('<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><Path>/</Path><UserName>ci-deploy</UserName><UserId>AIDAEXAMPLE0000000001</UserId><Arn>arn:aws:iam::123456789012:user/ci-deploy</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></User></GetUserResult><ResponseMetadata><RequestId>r-0</RequestId></ResponseMetadata></GetUserResponse>');
          return;
        }
        res.end('<UpdateAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></UpdateAccessKeyResponse>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const dir = mkdtempSync(path.join(tmpdir(), 'responder-bundle-call-'));
    try {
      await esbuild.build({ ...ESBUILD_OPTIONS, entryPoints: [lambdaEntry('contain')], outdir: dir, logLevel: 'silent' });
      const incident = {
        incidentId: 'AKIAEXPOSEDKEY000001-20261120', source: 'manual', accountId: '123456789012', accessKeyId: 'AKIAEXPOSEDKEY000001',
        userName: 'ci-deploy', principalType: 'user', protectedPrincipal: false, detectedAt: '2026-11-20T10:00:00Z',
        dispatchedAt: '2026-11-20T10:00:01Z', detail: 'test',
      };
      const script = `const m = await import(${JSON.stringify(path.join(dir, 'index.mjs'))});
        const r = await m.handler(${JSON.stringify({ incident, action: 'deactivate-key', revokeBefore: '2026-11-20T10:00:02Z' })});
        console.log(JSON.stringify(r));`;

      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--input-type=module', '-e', script], {
          env: {
            PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_IAM: `http://127.0.0.1:${port}`,
            AWS_ACCESS_KEY_ID: 'AKIALAMBDAROLE000001', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT',
            DRY_RUN: 'false', QUARANTINE_POLICY_ARN: 'arn:aws:iam::123456789012:policy/exposed-key-responder/q', PROTECTED_USERS: '', DELETE_MEMBER_ROOT_KEYS: 'false',
          },
          encoding: 'utf8',
        }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
      });

      expect(JSON.parse(out.trim().split('\n').pop()!)).toMatchObject({ action: 'deactivate-key', status: 'done' });
      const actions = requests.map((r) => new URLSearchParams(r.body).get('Action'));
      // The two reads run in parallel: either may arrive first.
      expect([...actions.slice(0, 2)].sort()).toEqual(['GetUser', 'ListAccessKeys']);
      expect(actions.slice(2)).toEqual(['UpdateAccessKey']);
      expect(requests[2].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIALAMBDAROLE000001\//);
      expect(Object.fromEntries(new URLSearchParams(requests[2].body))).toMatchObject({
        UserName: 'ci-deploy', AccessKeyId: 'AKIAEXPOSEDKEY000001', Status: 'Inactive',
      });
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
