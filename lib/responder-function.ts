import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lambdaEntry, LambdaName, nodejsBundlingOptions, PROJECT_ROOT } from './bundling';
import { LogLevel } from './config';

export interface ResponderFunctionProps {
  /**
   * Which of the responder's Lambdas this is: the code is `lambdas/<name>/index.ts` (export
   * `handler`), and the name is the Powertools service name (POWERTOOLS_SERVICE_NAME).
   */
  readonly lambdaName: LambdaName;
  /**
   * Environment variables the handler reads, added to POWERTOOLS_SERVICE_NAME and
   * POWERTOOLS_LOG_LEVEL (which they cannot override).
   * @default - none: only the two Powertools variables
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Memory, in MiB. Lambda gives CPU in proportion to memory, and a cold start (loading and
   * evaluating the bundle) is CPU-bound: more memory, faster start, for pennies per incident.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * How long one invocation may run.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * POWERTOOLS_LOG_LEVEL.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * Retention of the function's own log group.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
  /**
   * What the log group becomes when the stack is deleted. Incident logs are evidence.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * One of the responder's Lambdas: Node.js 24 on ARM, bundled by the local esbuild as minified ESM
 * with the AWS SDK inside (see `lib/bundling.ts`), with its own role and its own log group.
 *
 * The role has no managed policy (no AWSLambdaBasicExecutionRole): it may write to its own log
 * group and nothing else until the stack grants what the handler needs (one role per function,
 * least privilege).
 *
 * The role and the log group must exist before the function, so `new ResponderFunction(scope, id)`
 * makes a plain construct `id` holding `Function` (this), `Role` and `LogGroup`.
 */
export class ResponderFunction extends NodejsFunction {
  /** The function's execution role (set by NodejsFunction from the `role` prop): only log writing until something is granted. */
  declare public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ResponderFunctionProps) {
    const group = new Construct(scope, id);
    const role = new iam.Role(group, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `exposed-key-responder ${props.lambdaName} Lambda`,
    });
    const logGroup = new LogGroup(group, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    super(group, 'Function', {
      entry: lambdaEntry(props.lambdaName),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      description: `exposed-key-responder: ${props.lambdaName}`,
      role,
      logGroup,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.lambdaName,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
      },
      bundling: nodejsBundlingOptions(props.lambdaName),
    });
    logGroup.grantWrite(role);
  }
}
