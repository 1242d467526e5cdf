// `npm run bench`: figures, not assertions. Prints
//  1. the critical path to containment, from drill runs of three kinds of report: the Lambda
//     invocations and AWS API calls that stand between the event and the key being Inactive with
//     its sessions revoked;
//  2. the investigation of a busy key (2,000 events, 4 regions) in simulated time, next to the
//     bound LookupEvents' 2 requests/s puts on it;
//  3. each Lambda bundle's size (built with the stack's own esbuild options);
//  4. each bundle's cold module-load time (median of several runs) next to a bare `node -e 0`;
//  5. the simulated time from the event to every foothold contained (bench/footholds.ts).
// With `--wave N [--json]`, only a wave of N exposures at once (bench/wave.ts).
import '../drill/cli-env';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions, LAMBDA_NAMES, lambdaEntry, LambdaName } from '../lib/bundling';
import { drillSettings, lambdaEnvironments } from '../drill/lambda-environments';
import { Drill } from '../drill/run-drill';
import { ApiCall } from '../drill/simulated-account';
import { synthesizedRules } from '../drill/stack-rules';
import { allStates, ASL_FILE, lambdaOfPlaceholder } from '../drill/workflow';
import { footholdsBench } from './footholds';
import { investigationBench } from './investigation';
import { waveArguments, waveBench } from './wave';

// drill/cli-env sends console output to stderr (it carries the Lambdas' logs); figures go to stdout.
const print = (line: string) => process.stdout.write(`${line}\n`);
const ACCOUNT = '123456789012';
const KEY = 'AKIABENCHEXPOSED0001';
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
/** The node that loads the bundles: this one, or BENCH_NODE (e.g. a Node 24 binary, as Lambda runs). */
const NODE = process.env.BENCH_NODE ?? process.execPath;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The Lambdas the containment branches run (`${ContainFunctionArn}` -> contain). */
function containmentLambdas(): string[] {
  const asl = JSON.parse(readFileSync(ASL_FILE, 'utf8')) as { StartAt: string; States: Record<string, { Branches?: Array<{ States: Record<string, never> }> }> };
  return (asl.States[asl.StartAt].Branches ?? []).flatMap((b) =>
    allStates(b.States).map(([, st]) => lambdaOfPlaceholder((st as { Resource?: string }).Resource ?? '')).filter((n): n is string => !!n),
  );
}

/** The Task states of the workflow's first state: the containment branches. */
function containmentSteps(): string[] {
  const asl = JSON.parse(readFileSync(ASL_FILE, 'utf8')) as { StartAt: string; States: Record<string, never> };
  const first = asl.States[asl.StartAt] as { Type: string; Branches?: Array<{ States: Record<string, never> }> };
  if (first.Type !== 'Parallel' || !first.Branches) throw new Error(`the workflow does not start with containment (${asl.StartAt})`);
  return first.Branches.flatMap((b) => allStates(b.States).filter(([, s]) => (s as { Type: string }).Type === 'Task').map(([n]) => n));
}

const scenario = {
  accountId: ACCOUNT,
  users: [
    {
      userName: 'ci-deploy',
      accessKeys: [{ accessKeyId: KEY }],
      attachedPolicyArns: ['arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3'],
    },
  ],
};

const reports: Array<[string, Record<string, unknown>]> = [
  ['Trusted Advisor (key + user)', {
    source: 'aws.trustedadvisor', 'detail-type': 'Trusted Advisor Check Item Refresh Notification', account: ACCOUNT,
    time: '2026-11-20T10:00:00Z', region: 'us-east-1',
    detail: { 'check-name': 'Exposed Access Keys', status: 'ERROR', 'check-item-detail': { 'Access Key ID': KEY, 'User Name (IAM or Root)': 'ci-deploy' } },
  }],
  ['AWS Health (key only)', {
    source: 'aws.health', 'detail-type': 'AWS Health Event', account: ACCOUNT, time: '2026-11-20T10:00:00Z', region: 'us-east-1',
    detail: { service: 'RISK', eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED', affectedEntities: [{ entityValue: KEY }] },
  }],
  ['CloudTrail quarantine (user only)', {
    source: 'aws.iam', 'detail-type': 'AWS API Call via CloudTrail', account: ACCOUNT, time: '2026-11-20T10:00:00Z', region: 'us-east-1',
    detail: {
      eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy', eventTime: '2026-11-20T10:00:00Z',
      requestParameters: { userName: 'ci-deploy', policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' },
    },
  }],
];

async function criticalPath(): Promise<void> {
  const rules = synthesizedRules({});
  const steps = containmentSteps();
  print('1. Critical path to containment (key Inactive, older sessions revoked, quarantine attached)');
  print(`   containment steps (parallel, first state): ${steps.join(', ')}`);
  print('   report                              | sequential Lambda invocations | sequential AWS calls | AWS calls in all | calls on the path');
  for (const [what, event] of reports) {
    const drill = new Drill(scenario, rules, { dryRun: false, protectedUsers: [], lookbackDays: 14 });
    try {
      await drill.deliver(event);
      const execution = drill.deliveries[0].executions[0];
      if (execution?.status !== 'SUCCEEDED') throw new Error(`${what}: the drill did not contain the key (${execution?.status})`);
      const calls = drill.account.calls;
      const by = (inv: string) => calls.filter((c: ApiCall) => c.invocation === inv);
      const dispatcher = by('dispatcher');
      const branches = steps.map((s) => by(s));
      const longest = branches.reduce((a, b) => (b.length > a.length ? b : a), [] as ApiCall[]);
      const onPath = [...dispatcher, ...longest];
      const invocations = new Set(onPath.map((c) => c.invocation)).size;
      const total = dispatcher.length + branches.reduce((n, b) => n + b.length, 0);
      const named = onPath.map((c) => `${c.invocation}:${c.operation}`).join(' -> ');
      print(`   ${what.padEnd(35)} | ${String(invocations).padStart(29)} | ${String(onPath.length).padStart(20)} | ${String(total).padStart(16)} | ${named}`);
    } finally {
      drill.close();
    }
  }
}

async function bundles(): Promise<Array<{ name: LambdaName; file: string }>> {
  const out = mkdtempSync(path.join(tmpdir(), 'ekr-bench-'));
  print('\n3. Lambda bundles (esbuild, the stack\'s options: ESM, minified, AWS SDK bundled); the 250 KB target is for the containment path');
  const onPath = new Set(['dispatcher', ...containmentLambdas()]);
  const files: Array<{ name: LambdaName; file: string }> = [];
  for (const name of LAMBDA_NAMES) {
    const outdir = path.join(out, name);
    await build({ ...esbuildOptions(name), entryPoints: [lambdaEntry(name)], outdir, logLevel: 'error' });
    const file = path.join(outdir, 'index.mjs');
    const kb = statSync(file).size / 1024;
    const note = onPath.has(name) ? `containment path${kb > 250 ? ', OVER the 250 KB target' : ''}` : 'after containment';
    print(`   ${name.padEnd(12)} ${kb.toFixed(1).padStart(7)} KB  (${note})`);
    files.push({ name, file });
  }
  return files;
}

function timeNode(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(NODE, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr.toString().split('\n').filter((l) => l.length < 300).slice(-8).join('\n')}`);
  return ms;
}

function coldLoads(files: Array<{ name: LambdaName; file: string }>): void {
  // A clean environment, then each Lambda's own variables as the stack gives them (the drill's
  // placeholder values: nothing is called).
  const env = { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const lambdaEnv = lambdaEnvironments(drillSettings({ dryRun: false, protectedUsers: [], lookbackDays: 14 }, ACCOUNT));
  const baseline = median(Array.from({ length: RUNS }, () => timeNode(['-e', '0'], env)));
  const version = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
  print(`\n4. Cold module load (median of ${RUNS} runs, node ${version}, clean environment; Lambda runs nodejs24.x: set BENCH_NODE to measure with another node)`);
  print(`   bare node -e 0 ${baseline.toFixed(0).padStart(6)} ms`);
  for (const { name, file } of files) {
    const load = ['--input-type=module', '-e', `await import(${JSON.stringify(`file://${file}`)})`];
    const own = { ...env, ...lambdaEnv[name] };
    timeNode(load, own); // warm the file cache once
    const ms = median(Array.from({ length: RUNS }, () => timeNode(load, own)));
    print(`   ${name.padEnd(14)} ${ms.toFixed(0).padStart(6)} ms  (${(ms / baseline).toFixed(2)}x bare node)`);
  }
  rmSync(path.dirname(path.dirname(files[0].file)), { recursive: true, force: true });
}

async function main(): Promise<void> {
  // `--wave N [--json]`: only the wave (bench/wave.ts).
  const wave = waveArguments(process.argv.slice(2));
  if (wave) return waveBench(wave, print);
  await criticalPath();
  await investigationBench(synthesizedRules({}), scenario, reports[0][1], print);
  const files = await bundles();
  coldLoads(files);
  await footholdsBench(print);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
