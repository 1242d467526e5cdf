import { GetUserCommand, GetUserPolicyCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { readRevocationTime, readUserFacts } from '../../../lambdas/shared/user-reads';
import { awsError } from '../helpers';

const iam = mockClient(IAMClient);
const client = () => new IAMClient({});

beforeEach(() => iam.reset());

describe('readUserFacts', () => {
  it('reads name, path and tags of the user from one GetUser', async () => {
    iam.on(GetUserCommand, { UserName: 'ci-deploy' }).resolves({
      User: { UserName: 'ci-deploy', Path: '/ops/', UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(0), Tags: [{ Key: 'team', Value: 'platform' }] },
    });

    await expect(readUserFacts(client(), 'ci-deploy')).resolves.toEqual({ name: 'ci-deploy', path: '/ops/', tags: { team: 'platform' } });
  });

  it('refuses an answer without the user rather than read it as "not protected"', async () => {
    iam.on(GetUserCommand).resolves({});

    await expect(readUserFacts(client(), 'ci-deploy')).rejects.toThrow('GetUser: IAM answered without user ci-deploy');
  });
});

describe('readRevocationTime', () => {
  it('reads the time of the URL-encoded document IAM returns', async () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-20T10:05:00.000Z' } } }] };
    iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: encodeURIComponent(JSON.stringify(doc)) });

    await expect(readRevocationTime(client(), 'ci-deploy')).resolves.toBe('2026-11-20T10:05:00.000Z');
  });

  it.each([
    ['no such policy (NoSuchEntity)', () => iam.on(GetUserPolicyCommand).rejects(new NoSuchEntityException({ message: 'not found', $metadata: {} }))],
    ['a document that is not JSON', () => iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: '%7Bnot json' })],
    ['a document that is not a revocation', () => iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: encodeURIComponent('{"Statement":[]}') })],
  ])('finds no time for %s', async (_what, arrange) => {
    arrange();

    await expect(readRevocationTime(client(), 'ci-deploy')).resolves.toBeUndefined();
  });

  it('lets any other failure through for the caller to classify', async () => {
    const throttled = awsError('Throttling', 'Rate exceeded');
    iam.on(GetUserPolicyCommand).rejects(throttled);

    await expect(readRevocationTime(client(), 'ci-deploy')).rejects.toBe(throttled);
  });
});
