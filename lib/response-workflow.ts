import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, RemovalPolicy } from 'aws-cdk-lib';
import { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './bundling';
import { acknowledge, wildcardResourceFinding } from './nag';

/** The workflow's Amazon States Language file; Lambdas appear in it as `${XxxFunctionArn}`. */
export const DEFAULT_DEFINITION_PATH = path.join(PROJECT_ROOT, 'state-machines', 'exposed-key-response.asl.json');

/** The `${Name}` placeholders of an ASL document, each once, in order of appearance. */
export function placeholdersOf(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]))];
}

/** The Lambdas a workflow definition may reference, by placeholder name (`${ContainFunctionArn}`, ...). */
export const FUNCTION_PLACEHOLDERS = {
  ContainFunctionArn: 'containFunction',
  VerifyFunctionArn: 'verifyFunction',
  InvestigateFunctionArn: 'investigateFunction',
  FootholdsFunctionArn: 'footholdsFunction',
  EvidenceFunctionArn: 'evidenceFunction',
  ReportFunctionArn: 'reportFunction',
  NotifyFunctionArn: 'notifyFunction',
  SupportFunctionArn: 'supportFunction',
  SlackFunctionArn: 'slackFunction',
  SignalsFunctionArn: 'signalsFunction',
} as const satisfies Record<string, keyof ResponseWorkflowProps>;
export type FunctionPlaceholder = keyof typeof FUNCTION_PLACEHOLDERS;

/**
 * The values a workflow definition may reference, by placeholder name, each substituted as text
 * (inside a string of the ASL, so the file stays valid JSON: the second look's Pass reads it with
 * `States.StringToJson`).
 */
export const VALUE_PLACEHOLDERS = ['SecondLookSeconds'] as const;
export type ValuePlaceholder = (typeof VALUE_PLACEHOLDERS)[number];

/** The id of the warning added when a Lambda given to the workflow is not in its definition. */
export const UNUSED_FUNCTION_WARNING = 'exposed-key-responder:WorkflowFunctionNotInDefinition';

export interface ResponseWorkflowProps {
  /** The containment Lambda: `${ContainFunctionArn}`. */
  readonly containFunction: IFunction;
  /** The verification Lambda: `${VerifyFunctionArn}`. */
  readonly verifyFunction: IFunction;
  /** The investigation Lambda (what the key did, what its user may do): `${InvestigateFunctionArn}`. */
  readonly investigateFunction: IFunction;
  /** The footholds Lambda (contains what CloudTrail ties to the key): `${FootholdsFunctionArn}`. */
  readonly footholdsFunction: IFunction;
  /** The evidence Lambda (EBS snapshots of the instances the key started): `${EvidenceFunctionArn}`. */
  readonly evidenceFunction: IFunction;
  /** The incident report Lambda: `${ReportFunctionArn}`. */
  readonly reportFunction: IFunction;
  /** The notification Lambda: `${NotifyFunctionArn}`. */
  readonly notifyFunction: IFunction;
  /** The AWS Support case Lambda (opens or updates the incident's case): `${SupportFunctionArn}`. */
  readonly supportFunction: IFunction;
  /** The Slack Lambda (posts the incident to the configured webhook, if any): `${SlackFunctionArn}`. */
  readonly slackFunction: IFunction;
  /** The signals Lambda (renders the completion event): `${SignalsFunctionArn}`. */
  readonly signalsFunction: IFunction;
  /**
   * Minutes the workflow waits before its second look at CloudTrail: `${SecondLookSeconds}` is
   * substituted with this many minutes in seconds.
   * @default 20
   */
  readonly secondLookMinutes?: number;
  /**
   * The ASL file. Every `${...}` placeholder in it must be one of {@link FUNCTION_PLACEHOLDERS}
   * or {@link VALUE_PLACEHOLDERS}, or the construct throws. Only the Lambdas it references are substituted and may be invoked;
   * a Lambda it does not reference gets neither, and a warning
   * ({@link UNUSED_FUNCTION_WARNING}) says so.
   * @default - state-machines/exposed-key-response.asl.json
   */
  readonly definitionPath?: string;
  /**
   * Retention of the execution history log group.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
  /**
   * Whether the execution log carries each state's input and output (the incident: key id, user
   * name, what was done, the reporter's note). The incident record in the incident bucket is the
   * evidence of what the responder did; the log only needs the data to debug a run.
   * @default false: the log records every state's events, without their input and output
   */
  readonly includeExecutionData?: boolean;
}

/**
 * The Standard state machine that contains, verifies, investigates and reports one exposed key,
 * defined by the ASL file (inline in the template: `DefinitionBody.fromString`), with every event
 * logged (without execution data unless asked) and X-Ray tracing on. Each Lambda of the
 * definition may be invoked by the state machine's role, and nothing else (the role's cdk-nag
 * findings are acknowledged here).
 */
export class ResponseWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly logGroup: LogGroup;
  /** The Lambdas the definition references, which the state machine may invoke (in order of appearance). */
  public readonly invokedFunctions: readonly IFunction[];

  constructor(scope: Construct, id: string, props: ResponseWorkflowProps) {
    super(scope, id);
    const definitionPath = props.definitionPath ?? DEFAULT_DEFINITION_PATH;
    const definition = readFileSync(definitionPath, 'utf8');
    const placeholders = placeholdersOf(definition);
    const isValue = (p: string): p is ValuePlaceholder => (VALUE_PLACEHOLDERS as readonly string[]).includes(p);
    const unknown = placeholders.filter((p) => !Object.hasOwn(FUNCTION_PLACEHOLDERS, p) && !isValue(p));
    if (unknown.length > 0) {
      throw new Error(
        `${definitionPath}: no substitution for ${unknown.map((p) => '${' + p + '}').join(', ')} (known: ${[...Object.keys(FUNCTION_PLACEHOLDERS), ...VALUE_PLACEHOLDERS].join(', ')})`,
      );
    }
    const valueOf: Record<ValuePlaceholder, string> = { SecondLookSeconds: String((props.secondLookMinutes ?? 20) * 60) };
    const values = placeholders.filter(isValue).map((p) => [p, valueOf[p]] as const);
    // Keyed by what the definition references: an unreferenced Lambda is neither substituted nor invocable.
    const functions = new Map((placeholders.filter((p) => !isValue(p)) as FunctionPlaceholder[]).map((p) => [p, props[FUNCTION_PLACEHOLDERS[p]]]));
    const unused = (Object.keys(FUNCTION_PLACEHOLDERS) as FunctionPlaceholder[]).filter((p) => !functions.has(p));
    if (unused.length > 0) {
      Annotations.of(this).addWarningV2(
        UNUSED_FUNCTION_WARNING,
        `${path.basename(definitionPath)} does not reference ${unused.map((p) => '${' + p + '}').join(', ')}: the state machine will not invoke ${unused.length === 1 ? 'that Lambda' : 'those Lambdas'}.`,
      );
    }
    this.invokedFunctions = [...functions.values()];

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries([...[...functions].map(([p, fn]) => [p, fn.functionArn] as const), ...values]),
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: props.includeExecutionData ?? false },
      tracingEnabled: true,
    });
    const role = this.stateMachine.role;
    for (const fn of this.invokedFunctions) {
      fn.grantInvoke(this.stateMachine);
      acknowledge(
        role,
        wildcardResourceFinding(this, `${fn.functionArn}:*`),
        `Granted by grantInvoke: the state machine may invoke the ${fn.node.scope?.node.id} Lambda and its versions/aliases (ARN:*), and no other function.`,
      );
    }
    acknowledge(
      role,
      wildcardResourceFinding(this, '*'),
      'Step Functions log delivery (logs:CreateLogDelivery, logs:DescribeLogGroups, ...) and X-Ray (xray:PutTraceSegments, ...) support no resource-level permission; CDK grants them on "*" for logging level ALL and tracing.',
    );
  }
}
