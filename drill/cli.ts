import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { configFromContext } from '../lib/config';
import { Drill, DrillConfig, DrillOutput } from './run-drill';
import { RulePattern } from './rules';
import { formatTimeline } from './timeline';

export interface CliArgs {
  event?: string;
  scenario?: string;
  json: boolean;
  builtin: boolean;
  verbose: boolean;
  context: Record<string, string>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: npm run --silent drill -- --event <event.json> [--scenario <scenario.json>] [--json] [-c key=value ...]
       npm start   (the built-in fire drill)
  --event      an EventBridge event as EventBridge delivers it (source, detail-type, detail...)
  --scenario   the simulated account before the incident (see DESIGN.md); default: an empty account
  --json       print one JSON document on stdout (progress goes to stderr)
  -c key=value CDK context, as for cdk deploy: dryRun=true, protectedUsers=a,b
  --verbose    the Lambdas' structured logs on stderr`;

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { json: false, builtin: false, verbose: false, context: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--event': args.event = value(); break;
      case '--scenario': args.scenario = value(); break;
      case '--json': args.json = true; break;
      case '--builtin': args.builtin = true; break;
      case '--verbose': args.verbose = true; break;
      case '-c':
      case '--context': {
        const kv = value();
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`${a} takes key=value, got "${kv}"`);
        args.context[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '-h':
      case '--help':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument "${a}"\n${USAGE}`);
    }
  }
  if (!args.builtin && !args.event) throw new UsageError(`--event is required\n${USAGE}`);
  return args;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} ${file} is not JSON: ${(err as Error).message}`);
  }
}

/** The built-in drill: a leaked CI key, reported by Trusted Advisor then again by AWS Health. */
export const BUILTIN = {
  scenario: path.join(__dirname, 'scenarios', 'builtin.json'),
  events: [path.join(__dirname, 'events', 'builtin-trusted-advisor.json'), path.join(__dirname, 'events', 'builtin-health.json')],
};

/** The responder's configuration from `-c key=value`, read exactly as `cdk deploy` reads it. */
export function drillConfig(context: Record<string, string>): DrillConfig {
  try {
    const { dryRun, protectedUsers, lookbackDays } = configFromContext(new App({ context }));
    return { dryRun, protectedUsers, lookbackDays };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Why a JSON document that no rule matches may still be meant as a report: said on stderr. */
export function shapeHint(event: unknown): string | undefined {
  const e = (event ?? {}) as Record<string, unknown>;
  if ('source' in e) return undefined;
  if ('eventSource' in e && 'eventName' in e) {
    return 'this is a bare CloudTrail record: EventBridge delivers it as the "detail" of an event with source "aws.iam" and detail-type "AWS API Call via CloudTrail"';
  }
  if ('event' in e && typeof e.event === 'object') {
    return 'this is AWS Health DescribeEvents output: EventBridge delivers Health events with source "aws.health" and detail-type "AWS Health Event"';
  }
  return 'this is not an EventBridge event: it has no "source"';
}

/** Runs the drill for parsed arguments; rules come from the synthesized stack. */
export async function runCli(
  args: CliArgs,
  loadRules: (context: Record<string, string>) => RulePattern[],
  progress: (line: string) => void,
): Promise<{ output: DrillOutput; text: string }> {
  const scenarioFile = args.scenario ?? (args.builtin ? BUILTIN.scenario : undefined);
  const scenario = scenarioFile ? readJson(scenarioFile, 'scenario') : {};
  const eventFiles = args.event ? [args.event] : BUILTIN.events;
  const events = eventFiles.map((f) => readJson(f, 'event'));
  const config = drillConfig(args.context);
  progress('synthesizing the stack to read its rule patterns...');
  const rules = loadRules(args.context);
  let drill: Drill;
  try {
    drill = new Drill(scenario, rules, config, { progress });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  try {
    for (const [i, event] of events.entries()) {
      progress(`delivering ${path.basename(eventFiles[i])}`);
      const delivery = await drill.deliver(event);
      const hint = delivery.matchedRules.length === 0 ? shapeHint(event) : undefined;
      if (hint) progress(`note: ${hint}`);
    }
    const output = drill.output();
    return { output, text: formatTimeline(output, drill, config) };
  } finally {
    drill.close();
  }
}
