/**
 * The operator's command line: `exposed-key-responder <command>`, with the caller's own AWS
 * credentials (IAM decides who may do what). stdout carries only the result (one JSON document
 * with --json); progress and errors go to stderr. Exit 0 on success, 1 when the operation failed,
 * 2 on unusable input.
 */
import { COMMON_HELP, parseCommand, parseRegion } from './args';
import { Command } from './command';
import { doctor } from './commands/doctor';
import { list } from './commands/list';
import { redrive } from './commands/redrive';
import { report } from './commands/report';
import { restore } from './commands/restore';
import { show } from './commands/show';
import { AwsOptions, CliContext, Clients } from './context';
import { EXIT, explain, UsageError } from './errors';
import { DEFAULT_STACK_NAME } from './stack';

export const COMMANDS: readonly Command[] = [report, list, show, restore, redrive, doctor];

const HELP = `usage: exposed-key-responder <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

${COMMON_HELP}

exit status: 0 done, 1 the operation failed, 2 unusable input. \`exposed-key-responder <command> --help\` for each.`;

/** What the process gives the command line (tests give fakes). */
export interface CliEnvironment {
  readonly clients: (options: AwsOptions) => Clients;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly confirm?: (question: string) => Promise<boolean>;
}

export async function runCli(argv: readonly string[], env: CliEnvironment): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    env[name === undefined ? 'stderr' : 'stdout'](`${HELP}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  let json = argv.includes('--json');
  let profile: string | undefined;
  try {
    if (!command) throw new UsageError(`unknown command "${name}"\n\n${HELP}`);
    const parsed = parseCommand(rest, command.options, command.positionals);
    json = parsed.values.json === true;
    if (parsed.values.help) {
      env.stdout(`${command.usage}\n\n${COMMON_HELP}\n`);
      return EXIT.ok;
    }
    profile = (parsed.values.profile as string | undefined) || undefined;
    const region = parseRegion(parsed.values.region as string | undefined);
    const ctx: CliContext = {
      clients: env.clients({ profile, region }),
      stackName: (parsed.values.stack as string | undefined) || DEFAULT_STACK_NAME,
      progress: (line) => env.stderr(`${line}\n`),
      now: env.now ?? (() => new Date()),
      sleep: env.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      confirm: env.confirm ?? (async () => false),
    };
    const out = await command.run(parsed, ctx);
    env.stdout(json ? `${JSON.stringify(out.json, null, 2)}\n` : `${out.text}\n`);
    return out.exitCode ?? EXIT.ok;
  } catch (err) {
    const explained = explain(err, `exposed-key-responder ${command?.name ?? name}`);
    const { exitCode, code } = explained;
    // A profile that does not exist gives the SDK's generic "no credentials" or "no region".
    const message = profile && (code === 'NoCredentials' || /no AWS region/.test(explained.message))
      ? `${explained.message} (--profile ${profile}: check that it exists and names a region: aws configure list-profiles)`
      : explained.message;
    env.stderr(`${message}${exitCode === EXIT.usage && command ? `\n\n${command.usage}` : ''}\n`);
    if (json) env.stdout(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    return exitCode;
  }
}
