import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SupportClient } from '@aws-sdk/client-support';
import { LambdaName } from '../../lib/bundling';
import { GapProxy, RecordedAnswer } from './gap-proxy';
import { LambdaRuntime } from './lambda-runtime';
import { MotoServer, motoVersion, startMoto } from './moto';
import { provisionStack, ProvisionedStack } from './provision';
import { subscribeHttp } from './seed';
import { loadSynthesizedStack } from './synthesized-stack';
import { runDefinition } from './workflow';

/** The stack's region (the responder lives in us-east-1 only). */
export const REGION = 'us-east-1';

/** SDK clients of the test itself, straight to moto (seeding and checking; never through the proxy). */
export function motoClients(endpoint: string) {
  const common = { region: REGION, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  return {
    iam: new IAMClient(common), s3: new S3Client({ ...common, forcePathStyle: true }), sns: new SNSClient(common), sfn: new SFNClient(common),
    sts: new STSClient(common), support: new SupportClient(common), ec2: (region: string) => new EC2Client({ ...common, region }),
  };
}
export type MotoClients = ReturnType<typeof motoClients>;

/** One execution the dispatcher started, as the local run of the definition ended it. */
export interface ExecutionRun {
  readonly incidentId: string;
  readonly executionArn: string;
  readonly startedInMoto: Date;
  /** The input of each Lambda task, in order (what the state machine passed). */
  readonly taskInputs: Array<{ readonly lambda: LambdaName; readonly input: any }>;
  readonly run: Awaited<ReturnType<typeof runDefinition>>;
}

export interface Response {
  readonly dispatch: { started: Array<{ incidentId: string; executionArn: string }>; duplicates: unknown[]; skipped: unknown[] };
  readonly executions: ExecutionRun[];
}

/**
 * moto with the stack in it (provision.ts), the account seeded, and the bundled Lambdas ready to
 * run against it through the gap proxy. {@link close} stops everything it started, whatever
 * state a failed start left.
 */
export class Harness {
  private moto?: MotoServer;
  private topic?: Awaited<ReturnType<typeof subscribeHttp>>;
  private lambdas?: LambdaRuntime;
  proxy?: GapProxy;
  aws!: MotoClients;
  stack!: ProvisionedStack;
  accountId!: string;
  /** What the topic's HTTP subscriber received. */
  get delivered() {
    return this.topic?.received ?? [];
  }

  /** Starts moto, creates the stack's resources, seeds the account, and starts the proxy and the runtime. */
  async start<S>(seed: (aws: MotoClients, accountId: string) => Promise<S>, recorded: (seeded: S) => Record<string, RecordedAnswer>): Promise<S> {
    this.moto = await startMoto();
    this.aws = motoClients(this.moto.url);
    this.accountId = (await this.aws.sts.send(new GetCallerIdentityCommand({}))).Account!;
    const synthesized = loadSynthesizedStack();
    if (synthesized.functions.contain.environment.DRY_RUN !== 'false') {
      throw new Error('cdk.out was synthesized with -c dryRun=true: the checks expect changes. Run npm run synth (the default context) first');
    }
    this.stack = await provisionStack(synthesized, this.aws, this.accountId, REGION);
    const seeded = await seed(this.aws, this.accountId);
    this.topic = await subscribeHttp(this.aws.sns, this.stack.environment.notify.TOPIC_ARN);
    this.proxy = new GapProxy(this.moto.url, recorded(seeded));
    const endpoint = await this.proxy.start();
    this.lambdas = new LambdaRuntime(synthesized.functions, this.stack.environment, {
      AWS_REGION: REGION, AWS_DEFAULT_REGION: REGION, AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'ASIAMOTOLAMBDAROLE01', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SESSION_TOKEN: 'testing',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    return seeded;
  }

  /**
   * EventBridge's delivery of `event` to the dispatcher, then each execution it started in moto,
   * run here (moto keeps the execution; its states run in order, each Lambda task the bundle).
   */
  async respond(event: unknown): Promise<Response> {
    const lambdas = this.lambdas!;
    const dispatch = (await lambdas.invoke('dispatcher', event)) as Response['dispatch'];
    if (dispatch.started.length === 0) throw new Error(`the dispatcher started no execution: ${JSON.stringify(dispatch)}\n${lambdas.logTail('dispatcher')}`);
    const executions: ExecutionRun[] = [];
    for (const started of dispatch.started) {
      const execution = await this.aws.sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      const taskInputs: ExecutionRun['taskInputs'] = [];
      const run = await runDefinition({
        definition: this.stack.definition,
        input: JSON.parse(execution.input!),
        execution: { arn: started.executionArn, name: execution.name!, startTime: execution.startDate!.toISOString(), stateMachineArn: this.stack.stateMachineArn },
        invoke: (arn, input) => {
          const name = this.stack.functionByArn.get(arn);
          if (!name) throw new Error(`the definition calls ${arn}, which is none of the stack's functions`);
          taskInputs.push({ lambda: name, input });
          return lambdas.invoke(name, input);
        },
      });
      executions.push({ incidentId: started.incidentId, executionArn: started.executionArn, startedInMoto: execution.startDate!, taskInputs, run });
    }
    return { dispatch, executions };
  }

  /** What moto served, what recordings answered, what is not covered, and the invocations. */
  summary(): string {
    if (!this.proxy || !this.lambdas) return 'aws-compat: did not start';
    const entries = [...this.proxy.coverage.values()].sort((a, b) => a.operation.localeCompare(b.operation));
    const byMoto = entries.filter((e) => e.servedBy === 'moto');
    const recorded = entries.filter((e) => e.servedBy === 'recorded answer');
    const perLambda = new Map<LambdaName, number[]>();
    for (const i of this.lambdas.invocations) perLambda.set(i.lambda, [...(perLambda.get(i.lambda) ?? []), i.ms]);
    return [
      `aws-compat: moto ${motoVersion()}`,
      `served by moto (${byMoto.length}): ${byMoto.map((e) => `${e.operation} x${e.calls}${e.moto ? ` [${e.moto}]` : ''}`).join(', ')}`,
      `NOT covered by moto, answered from recordings (${recorded.length}):`,
      ...recorded.map((e) => `  - ${e.operation} x${e.calls}: moto ${e.moto}; ${e.reason}`),
      'NOT covered at all: the Lambdas\' IAM permissions (moto does not enforce them here), Slack (not AWS; SLACK_WEBHOOK_SECRET is empty in the template), EventBridge rule matching, Step Functions running the definition itself (moto cannot invoke the Lambdas without Docker: aws-local-stepfunctions runs it)',
      `invocations: ${[...perLambda].map(([n, ms]) => `${n} x${ms.length} (${ms.reduce((a, b) => a + b, 0)} ms)`).join(', ')}`,
      // A failed invocation (none is expected here): its error and the Lambda's last log lines.
      ...this.lambdas.invocations.filter((i) => i.error).map((i) => `FAILED invocation of ${i.lambda}: ${i.error}\n${this.lambdas!.logTail(i.lambda, 10)}`),
    ].join('\n');
  }

  async close(): Promise<void> {
    await this.lambdas?.close();
    await this.proxy?.stop();
    await this.topic?.close();
    await this.moto?.stop();
  }
}
