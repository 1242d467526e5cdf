import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './bundling';

/** The workflow's Amazon States Language file; Lambdas appear in it as `${XxxFunctionArn}`. */
export const DEFAULT_DEFINITION_PATH = path.join(PROJECT_ROOT, 'state-machines', 'exposed-key-response.asl.json');

/** The `${Name}` placeholders of an ASL document, each once, in order of appearance. */
export function placeholdersOf(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]))];
}

export interface ResponseWorkflowProps {
  /** The containment Lambda: `${ContainFunctionArn}`. */
  readonly containFunction: IFunction;
  /** The verification Lambda: `${VerifyFunctionArn}`. */
  readonly verifyFunction: IFunction;
  /** The notification Lambda: `${NotifyFunctionArn}`. */
  readonly notifyFunction: IFunction;
  /**
   * The ASL file. Every `${...}` placeholder in it must be one of ContainFunctionArn,
   * VerifyFunctionArn, NotifyFunctionArn, or the construct throws.
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
   * name, what was done; never a secret). It is the evidence of what the responder did.
   * @default true
   */
  readonly includeExecutionData?: boolean;
}

/**
 * The Standard state machine that contains, verifies and reports one exposed key, defined by the
 * ASL file (inline in the template: `DefinitionBody.fromString`), with every event logged and
 * X-Ray tracing on. Each Lambda of the definition may be invoked by the state machine's role, and
 * nothing else.
 */
export class ResponseWorkflow extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ResponseWorkflowProps) {
    super(scope, id);
    const definitionPath = props.definitionPath ?? DEFAULT_DEFINITION_PATH;
    const definition = readFileSync(definitionPath, 'utf8');
    const substitutions: Record<string, IFunction> = {
      ContainFunctionArn: props.containFunction,
      VerifyFunctionArn: props.verifyFunction,
      NotifyFunctionArn: props.notifyFunction,
    };
    const unknown = placeholdersOf(definition).filter((p) => !(p in substitutions));
    if (unknown.length > 0) {
      throw new Error(
        `${definitionPath}: no substitution for ${unknown.map((p) => '${' + p + '}').join(', ')} (known: ${Object.keys(substitutions).join(', ')})`,
      );
    }

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(Object.entries(substitutions).map(([k, fn]) => [k, fn.functionArn])),
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: props.includeExecutionData ?? true },
      tracingEnabled: true,
    });
    for (const fn of Object.values(substitutions)) fn.grantInvoke(this.stateMachine);
  }
}
