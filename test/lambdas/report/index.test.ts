import type * as S3Module from '@aws-sdk/client-s3';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type * as ReportHandlerModule from '../../../lambdas/report/index';
import { anIncident, KEY_ID, loadIsolated, restoreEnv } from '../helpers';
import { aState } from './fixtures';

const BUCKET = 'exposed-key-responder-incidents-123456789012';

interface Loaded {
  handler: typeof ReportHandlerModule.handler;
  createHandler: typeof ReportHandlerModule.createHandler;
  sdk: typeof S3Module;
  s3: AwsClientStub<S3Module.S3Client>;
}

/** Imports the handler afresh (it reads its environment at load), with the S3 client of that load mocked. */
function loadHandler(env: Record<string, string | undefined>): Loaded {
  return loadIsolated(env, (): Loaded => {
    const sdk = require('@aws-sdk/client-s3') as typeof S3Module;
    const s3 = mockClient(sdk.S3Client);
    s3.on(sdk.PutObjectCommand).resolves({});
    const { handler, createHandler } = require('../../../lambdas/report/index') as typeof ReportHandlerModule;
    return { handler, createHandler, sdk, s3 };
  });
}

afterEach(() => {
  restoreEnv();
});

describe('report handler', () => {
  it('fails at load when INCIDENT_BUCKET is missing', () => {
    expect(() => loadHandler({ INCIDENT_BUCKET: undefined })).toThrow('environment variable INCIDENT_BUCKET is required');
  });

  it('writes both objects to the bucket named by INCIDENT_BUCKET', async () => {
    const { handler, sdk, s3 } = loadHandler({ INCIDENT_BUCKET: BUCKET });

    const result = await handler(aState());

    expect(s3.commandCalls(sdk.PutObjectCommand).map((c) => [c.args[0].input.Bucket, c.args[0].input.Key])).toEqual([
      [BUCKET, `incidents/${KEY_ID}-20261120/report.json`],
      [BUCKET, `incidents/${KEY_ID}-20261120/report.md`],
    ]);
    expect(result).toMatchObject({ bucket: BUCKET, outcome: 'contained', failures: 0 });
  });

  it('rejects input that does not fit with InvalidIncidentError and writes nothing', async () => {
    const { handler, s3 } = loadHandler({ INCIDENT_BUCKET: BUCKET });

    const result = handler({ incident: { ...anIncident(), accountId: 'nope' } });

    await expect(result).rejects.toMatchObject({ name: 'InvalidIncidentError', message: expect.stringMatching(/^report: input does not fit: incident\.accountId: /) });
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('createHandler reads the environment it is given', async () => {
    const { createHandler, s3, sdk } = loadHandler({ INCIDENT_BUCKET: BUCKET });

    const result = await createHandler({ INCIDENT_BUCKET: 'other-bucket' })(aState());

    expect(result.bucket).toBe('other-bucket');
    expect(s3).toHaveReceivedCommandWith(sdk.PutObjectCommand, { Bucket: 'other-bucket' });
    expect(() => createHandler({})).toThrow('environment variable INCIDENT_BUCKET is required');
  });
});
