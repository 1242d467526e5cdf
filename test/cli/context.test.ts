import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { awsClients } from '../../cli/context';
import { runCli } from '../../cli/main';

// awsClients with the SDK's real default chain, in an environment with no credentials, no profile
// and no region anywhere. AWS_ENDPOINT_URL points at a closed local port: nothing can reach AWS.
const SAVED = { ...process.env };
beforeEach(() => {
  for (const k of Object.keys(process.env).filter((k) => k.startsWith('AWS_'))) delete process.env[k];
  Object.assign(process.env, { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
});
afterEach(() => {
  process.env = { ...SAVED };
});

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { clients: awsClients, stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('awsClients', () => {
  it('builds every client for --region with the same credentials; Support in us-east-1, where its API answers', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });

    const clients = awsClients({ region: 'eu-west-1' });

    const { ec2, forAccount: _forAccount, ...named } = clients;
    const seen = await Promise.all(Object.entries({ ...named, ec2: ec2('ap-south-1') }).map(async ([name, c]) => [name, await c.config.region(), (await c.config.credentials()).accessKeyId]));
    expect(seen).toEqual([
      ['sts', 'eu-west-1', 'AKIDEXAMPLE'], ['sfn', 'eu-west-1', 'AKIDEXAMPLE'], ['s3', 'eu-west-1', 'AKIDEXAMPLE'], ['sns', 'eu-west-1', 'AKIDEXAMPLE'],
      ['iam', 'eu-west-1', 'AKIDEXAMPLE'], ['secrets', 'eu-west-1', 'AKIDEXAMPLE'], ['support', 'us-east-1', 'AKIDEXAMPLE'], ['cloudformation', 'eu-west-1', 'AKIDEXAMPLE'],
      ['events', 'eu-west-1', 'AKIDEXAMPLE'], ['sqs', 'eu-west-1', 'AKIDEXAMPLE'], ['ec2', 'ap-south-1', 'AKIDEXAMPLE'],
    ]);
  });

  it('builds the clients of another account with exactly the credentials given (an assumed role), in us-east-1 without --region', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    const member = { accessKeyId: 'ASIAMEMBEREXAMPLE', secretAccessKey: 's', sessionToken: 't' };

    const { iam, sts, ec2 } = awsClients({}).forAccount({ credentials: async () => member });

    const seen = await Promise.all([iam, sts, ec2('eu-west-1')].map(async (c) => [await c.config.region(), (await c.config.credentials()).accessKeyId]));
    expect(seen).toEqual([['us-east-1', 'ASIAMEMBEREXAMPLE'], ['us-east-1', 'ASIAMEMBEREXAMPLE'], ['eu-west-1', 'ASIAMEMBEREXAMPLE']]);
  });

  it('fails with the SDK\'s own error when no credentials are found anywhere', async () => {
    await expect(awsClients({ region: 'us-east-1' }).cloudformation.send(new DescribeStacksCommand({ StackName: 'ExposedKeyResponder' })))
      .rejects.toMatchObject({ name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' });
  });
});

describe('the command line on the real credential chain', () => {
  it('says how to sign in when there are no credentials: exit 1, JSON error on stdout', async () => {
    const r = await run(['list', '--region', 'us-east-1', '--json']);

    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('NoCredentials');
    expect(r.stderr).toContain('no usable AWS credentials (Could not load credentials from any providers). Sign in as you would for the AWS CLI');
  });

  it('asks for --region when no region is configured anywhere: exit 2', async () => {
    const r = await run(['doctor', '--json']);

    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toEqual({ code: 'UsageError', message: 'exposed-key-responder doctor: no AWS region: pass --region us-east-1 (where the responder is deployed).' });
  });
});
