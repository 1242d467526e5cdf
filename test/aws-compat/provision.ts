import { CreatePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { LambdaName } from '../../lib/bundling';
import { ResolveContext, resolveValue, SynthesizedStack } from './synthesized-stack';

/** The stack's resources the Lambdas use, created in moto as the template describes them. */
export interface ProvisionedStack {
  readonly ctx: ResolveContext;
  /** Each function's environment as CloudFormation would set it. */
  readonly environment: Readonly<Record<LambdaName, Record<string, string>>>;
  /** The state machine's definition with its substitutions made (as deployed). */
  readonly definition: string;
  readonly stateMachineArn: string;
  /** Function ARN -> the Lambda it is. */
  readonly functionByArn: ReadonlyMap<string, LambdaName>;
  /** What was created in moto, for the printout. */
  readonly created: string[];
}

export interface Clients {
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly sfn: SFNClient;
}

/** The resource types created in moto (the others are only named, for the ARNs that refer to them). */
const CREATED_TYPES = ['AWS::S3::Bucket', 'AWS::SNS::Topic', 'AWS::IAM::ManagedPolicy', 'AWS::StepFunctions::StateMachine'];

// The property that names each resource type, when the template names it.
const NAME_PROPERTY: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName', 'AWS::IAM::Role': 'RoleName', 'AWS::SNS::Topic': 'TopicName',
  'AWS::S3::Bucket': 'BucketName', 'AWS::IAM::ManagedPolicy': 'ManagedPolicyName', 'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::SQS::Queue': 'QueueName', 'AWS::Events::EventBus': 'Name', 'AWS::Logs::LogGroup': 'LogGroupName',
};

/**
 * Names and ARNs as CloudFormation would give them: a name the template sets, otherwise
 * `<stack>-<logicalId>` (lower case where the service needs it). Nothing else is invented.
 */
export function resolveContext(stack: SynthesizedStack, accountId: string, region: string): ResolveContext {
  const resource = (id: string) => {
    const r = stack.template.Resources[id];
    if (!r) throw new Error(`the template has no resource ${id}`);
    return r;
  };
  const nameOf = (id: string) => {
    const r = resource(id);
    const given = r.Properties?.[NAME_PROPERTY[r.Type] ?? ''];
    if (typeof given === 'string') return given;
    const generated = `${stack.stackName}-${id}`;
    return r.Type === 'AWS::S3::Bucket' ? generated.toLowerCase().slice(0, 63) : generated.slice(0, 64);
  };
  const arnOf = (id: string): string => {
    const r = resource(id);
    const name = nameOf(id);
    switch (r.Type) {
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
      case 'AWS::IAM::Role': return `arn:aws:iam::${accountId}:role${r.Properties?.Path ?? '/'}${name}`;
      case 'AWS::IAM::ManagedPolicy': return `arn:aws:iam::${accountId}:policy${r.Properties?.Path ?? '/'}${name}`;
      case 'AWS::SNS::Topic': return `arn:aws:sns:${region}:${accountId}:${name}`;
      case 'AWS::SQS::Queue': return `arn:aws:sqs:${region}:${accountId}:${name}`;
      case 'AWS::S3::Bucket': return `arn:aws:s3:::${name}`;
      case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
      case 'AWS::Events::EventBus': return `arn:aws:events:${region}:${accountId}:event-bus/${name}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${region}:${accountId}:log-group:${name}:*`;
      case 'AWS::Events::Rule': return `arn:aws:events:${region}:${accountId}:rule/${name}`;
      case 'AWS::KMS::Key': return `arn:aws:kms:${region}:${accountId}:key/${name}`;
      default: throw new Error(`${id}: no ARN known for ${r.Type}`);
    }
  };
  const refIsArn = new Set(['AWS::IAM::ManagedPolicy', 'AWS::SNS::Topic', 'AWS::StepFunctions::StateMachine']);
  return {
    accountId,
    region,
    stackName: stack.stackName,
    ref: (id) => (refIsArn.has(resource(id).Type) ? arnOf(id) : nameOf(id)),
    getAtt: (id, attribute) => {
      if (attribute === 'Arn') return arnOf(id);
      if (['Name', 'TopicName', 'QueueName'].includes(attribute)) return nameOf(id);
      throw new Error(`${id}: Fn::GetAtt ${attribute} is not resolved by this check`);
    },
  };
}

/**
 * Creates in moto what the Lambdas act on: the buckets (with the template's versioning,
 * encryption, public access block and ownership), the topics, the managed policies (with their
 * documents) and the state machine (its definition as deployed).
 */
export async function provisionStack(stack: SynthesizedStack, clients: Clients, accountId: string, region: string): Promise<ProvisionedStack> {
  const ctx = resolveContext(stack, accountId, region);
  const created: string[] = [];
  let definition: string | undefined;
  let stateMachineArn: string | undefined;
  for (const [id, r] of Object.entries(stack.template.Resources)) {
    if (!CREATED_TYPES.includes(r.Type)) continue;
    const props = resolveValue(r.Properties ?? {}, ctx) as Record<string, any>;
    switch (r.Type) {
      case 'AWS::S3::Bucket': {
        const Bucket = ctx.ref(id);
        await clients.s3.send(new CreateBucketCommand({ Bucket, ...(props.ObjectLockEnabled ? { ObjectLockEnabledForBucket: true } : {}) }));
        if (props.VersioningConfiguration) await clients.s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: props.VersioningConfiguration }));
        if (props.BucketEncryption) {
          // CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
          const Rules = (props.BucketEncryption.ServerSideEncryptionConfiguration as Array<Record<string, any>>).map(({ ServerSideEncryptionByDefault, ...rest }) => ({ ...rest, ApplyServerSideEncryptionByDefault: ServerSideEncryptionByDefault }));
          await clients.s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules } }));
        }
        if (props.PublicAccessBlockConfiguration) await clients.s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: props.PublicAccessBlockConfiguration }));
        if (props.OwnershipControls) await clients.s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: props.OwnershipControls }));
        created.push(`s3 bucket ${Bucket}`);
        break;
      }
      case 'AWS::SNS::Topic': {
        const out = await clients.sns.send(new CreateTopicCommand({ Name: ctx.getAtt(id, 'TopicName') }));
        expectSame(out.TopicArn, ctx.ref(id), id);
        created.push(`sns topic ${out.TopicArn}`);
        break;
      }
      case 'AWS::IAM::ManagedPolicy': {
        const out = await clients.iam.send(new CreatePolicyCommand({
          PolicyName: ctx.ref(id).split('/').pop(), Path: props.Path, Description: props.Description, PolicyDocument: JSON.stringify(props.PolicyDocument),
        }));
        expectSame(out.Policy?.Arn, ctx.ref(id), id);
        created.push(`iam policy ${out.Policy?.Arn}`);
        break;
      }
      case 'AWS::StepFunctions::StateMachine': {
        const subs = (props.DefinitionSubstitutions ?? {}) as Record<string, string>;
        if (typeof props.DefinitionString !== 'string') throw new Error(`${id}: the definition is not in the template (DefinitionS3Location)`);
        definition = props.DefinitionString.replace(/\$\{(\w+)\}/g, (whole: string, name: string) => subs[name] ?? whole);
        const out = await clients.sfn.send(new CreateStateMachineCommand({ name: ctx.getAtt(id, 'Name'), definition, roleArn: props.RoleArn, type: props.StateMachineType }));
        stateMachineArn = out.stateMachineArn;
        expectSame(stateMachineArn, ctx.ref(id), id);
        created.push(`step functions state machine ${stateMachineArn}`);
        break;
      }
      default:
    }
  }
  if (!definition || !stateMachineArn) throw new Error('the template has no state machine');
  const names = Object.keys(stack.functions) as LambdaName[];
  const environment = Object.fromEntries(names.map((n) => [n, resolveValue(stack.functions[n].environment, ctx) as Record<string, string>])) as Record<LambdaName, Record<string, string>>;
  const functionByArn = new Map(names.map((n) => [ctx.getAtt(stack.functions[n].logicalId, 'Arn'), n]));
  return { ctx, environment, definition, stateMachineArn, functionByArn, created };
}

function expectSame(actual: string | undefined, expected: string, id: string): void {
  if (actual !== expected) throw new Error(`${id}: moto named it ${actual}, CloudFormation would name it ${expected}`);
}
