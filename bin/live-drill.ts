// `npm run live-drill -- [--profile P] [--region us-east-1] [--stack NAME] [--json]`: the live drill
// against a deployed stack in a sandbox account (cli/live-drill.ts). Opt-in: EKR_LIVE_ACCOUNT must be
// the caller's account id. Exit 0 when every check passed, 1 otherwise, 2 on unusable input.
import { parseCommand, parseRegion } from '../cli/args';
import { awsClients, CliContext } from '../cli/context';
import { EXIT, explain } from '../cli/errors';
import { liveDrill } from '../cli/live-drill';
import { DEFAULT_STACK_NAME, findDeployment } from '../cli/stack';

async function main(): Promise<number> {
  let json = process.argv.includes('--json');
  try {
    const { values } = parseCommand(process.argv.slice(2), {}, 0);
    json = values.json === true;
    if (values.help) {
      process.stdout.write('usage: EKR_LIVE_ACCOUNT=<account id> npm run live-drill -- [--profile P] [--region us-east-1] [--stack NAME] [--json]\n');
      return EXIT.ok;
    }
    const clients = awsClients({ profile: (values.profile as string | undefined) || undefined, region: parseRegion(values.region as string | undefined) });
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const ctx: CliContext = { clients, stackName: (values.stack as string | undefined) ?? DEFAULT_STACK_NAME, progress, now: () => new Date(), sleep, confirm: async () => true };
    const deployment = await findDeployment(ctx);
    const result = await liveDrill({ clients, deployment, expectedAccount: process.env.EKR_LIVE_ACCOUNT, progress, now: () => new Date(), sleep });
    const text = [
      `live drill in ${result.account}: ${result.ok ? 'PASSED' : 'FAILED'} (canary ${result.canary.userName}, ${result.canary.deleted ? 'deleted' : 'NOT deleted'})`,
      ...result.checks.map((c) => `  ${c.ok ? 'OK ' : 'NOT'} ${c.check}`),
      ...Object.entries(result.times).map(([what, at]) => `  ${at}  ${what}${what in result.seconds ? `  (+${result.seconds[what]} s)` : ''}`),
    ].join('\n');
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${text}\n`);
    return result.ok ? EXIT.ok : EXIT.failed;
  } catch (err) {
    const { exitCode, code, message } = explain(err, 'live-drill');
    process.stderr.write(`${message}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    return exitCode;
  }
}

main().then((code) => {
  process.exitCode = code;
});
