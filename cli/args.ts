import { parseArgs, ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

/** The options every command takes, as the AWS CLI names them. */
export const COMMON_OPTIONS = {
  profile: { type: 'string' },
  region: { type: 'string' },
  stack: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_HELP = `common options:
  --profile NAME   the AWS CLI profile to use (default: the SDK's chain, as the AWS CLI)
  --region REGION  the region of the stack (default: AWS_REGION or the profile's; the stack lives in us-east-1)
  --stack NAME     the stack's name (default ExposedKeyResponder)
  --json           one JSON document on stdout; progress on stderr
  -h, --help       this help`;

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses one command's arguments (its own options and the common ones); an unknown option is unusable input. */
export function parseCommand<O extends Options>(argv: readonly string[], options: O, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: positionals > 0, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
  return parsed;
}

/** `--region` as AWS names regions (us-east-1, us-gov-west-1...); anything else is unusable input, never an endpoint to guess. */
export function parseRegion(text: string | undefined): string | undefined {
  if (text !== undefined && !/^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/.test(text)) throw new UsageError(`--region "${text}" is not an AWS region (e.g. us-east-1, where the responder is deployed)`);
  return text;
}

/** `7d`, `12h`, `30m` as milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,5})([dhm])$/.exec(text);
  if (!m || Number(m[1]) === 0) throw new UsageError(`"${text}" is not a duration: a number and d, h or m (e.g. 7d)`);
  return Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
}
