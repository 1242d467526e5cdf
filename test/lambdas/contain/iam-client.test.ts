import { Readable } from 'node:stream';
import { IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { containmentIamClient } from '../../../lambdas/contain/iam-client';

/** An HTTP handler answering every request with IAM's XML error `code`, counting the attempts. */
function answering(code: string, status: number) {
  const handler = {
    attempts: 0,
    async handle() {
      handler.attempts += 1;
      const body = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${code} for the test</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
      return { response: { statusCode: status, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(body)]) } };
    },
  };
  return handler;
}

const CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };
const put = new PutUserPolicyCommand({ UserName: 'ci-deploy', PolicyName: 'p', PolicyDocument: '{}' });

describe('the contain Lambda\'s IAM client (real SDK retry middleware, no network)', () => {
  it('tries a full quota (IAM LimitExceeded) once: the SDK would retry it as throttling', async () => {
    const http = answering('LimitExceeded', 409);
    const plain = answering('LimitExceeded', 409);

    const err = await containmentIamClient({ ...CONFIG, requestHandler: http }).send(put).catch((e: Error) => e);
    await new IAMClient({ ...CONFIG, requestHandler: plain }).send(put).catch(() => undefined);

    expect(err).toMatchObject({ name: 'LimitExceededException' });
    expect(http.attempts).toBe(1);
    expect(plain.attempts).toBe(3); // what the SDK's default does, and why this client exists
  });

  it('still retries throttling as the SDK does when SDK retries are given', async () => {
    const http = answering('Throttling', 400);

    const err = await containmentIamClient({ ...CONFIG, maxAttempts: 3, requestHandler: http }).send(put).catch((e: Error) => e);

    expect(err).toMatchObject({ name: 'Throttling' });
    expect(http.attempts).toBe(3);
  });

  it('sends a call once by default: the workflow\'s Retry is the one loop (lambdas/shared/retry.ts)', async () => {
    const http = answering('Throttling', 400);

    const err = await containmentIamClient({ ...CONFIG, maxAttempts: 1, requestHandler: http }).send(put).catch((e: Error) => e);
    const byDefault = await containmentIamClient().config.maxAttempts();

    expect(err).toMatchObject({ name: 'Throttling' });
    expect(http.attempts).toBe(1);
    expect(byDefault).toBe(1);
  });
});
