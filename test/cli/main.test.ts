import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { awsError, cli, cloudformation, noCredentials, resetMocks, sfn, stackAnswers } from './harness';

// The command line's own contract, whatever the command: exit 0/1/2, a JSON error with --json.
beforeEach(() => {
  resetMocks();
});

describe('the command line', () => {
  it('with no command prints its usage on stderr: exit 2', async () => {
    const r = await cli([]);

    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^usage: exposed-key-responder <command> \[options\]/);
  });

  it('answers --json with a JSON error even for an unknown command, wherever --json is', async () => {
    for (const argv of [['bogus', '--json'], ['--json'], ['--json', 'list']]) {
      const r = await cli(argv);

      expect(r.code).toBe(2);
      expect(r.json().error.code).toBe('UsageError');
    }
  });

  it('takes no malformed region, no --region without a value, no zero --since: exit 2, nothing asked of AWS', async () => {
    expect((await cli(['list', '--region', 'us-east-1x', '--json'])).json().error).toEqual({ code: 'UsageError', message: '--region "us-east-1x" is not an AWS region (e.g. us-east-1, where the responder is deployed)' });
    expect((await cli(['list', '--region'])).code).toBe(2);
    expect((await cli(['list', '--since', '0d'])).code).toBe(2);
    expect(cloudformation.calls()).toHaveLength(0);
  });

  it('takes regions as AWS names them', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    for (const region of ['us-east-1', 'us-gov-west-1', 'ap-southeast-2', 'cn-north-1']) {
      expect((await cli(['list', '--region', region, '--json'], { region })).code).toBe(0);
    }
  });

  it('takes no malformed incident id: exit 2', async () => {
    for (const id of ['../etc/passwd', 'AKIA x', 'x'.repeat(81)]) {
      expect((await cli(['show', id])).code).toBe(2);
    }
  });

  it('says when AWS cannot be reached: exit 1', async () => {
    stackAnswers(Object.assign(new Error('getaddrinfo ENOTFOUND cloudformation.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' }));

    const r = await cli(['doctor', '--json']);

    expect(r.code).toBe(1);
    expect(r.json().error).toEqual({ code: 'NetworkError', message: 'exposed-key-responder doctor: could not reach AWS (getaddrinfo ENOTFOUND cloudformation.us-east-1.amazonaws.com): check the network (a proxy: HTTPS_PROXY) and --region.' });
  });

  it('names the --profile given when it yields no credentials', async () => {
    stackAnswers(noCredentials());

    const r = await cli(['list', '--profile', 'nope']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(--profile nope: check that it exists and names a region: aws configure list-profiles)');
  });

  it('does not blame the profile for an error that is not about credentials', async () => {
    stackAnswers(awsError('AccessDenied', 'not authorized to perform: cloudformation:DescribeStacks'));

    const r = await cli(['list', '--profile', 'ops']);

    expect(r.stderr).not.toContain('--profile ops');
  });
});
