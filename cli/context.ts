import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { SupportClient } from '@aws-sdk/client-support';
import { perRegion } from '../lambdas/shared/clients';
import { AccountClientFactory } from './member-access';

/** Every AWS API the commands call, with the caller's own credentials: IAM decides what each may do. */
export interface Clients {
  readonly sts: STSClient;
  readonly sfn: SFNClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly iam: IAMClient;
  readonly secrets: SecretsManagerClient;
  /** The Support API answers in us-east-1 only. */
  readonly support: SupportClient;
  /** EC2 of a region (restoring a stopped instance named with --foothold). */
  readonly ec2: (region: string) => EC2Client;
  /** The stack's outputs and resources. */
  readonly cloudformation: CloudFormationClient;
  /** The report bus (report) and the stack's rules (doctor). */
  readonly events: EventBridgeClient;
  /** The dead-letter queue (doctor). */
  readonly sqs: SQSClient;
  /** Clients acting in another account (restore of a member account's incident: cli/member-access.ts). */
  readonly forAccount: AccountClientFactory;
}

/** What every command is given: the clients, where to say progress (stderr), the clock. */
export interface CliContext {
  readonly clients: Clients;
  /** The stack's name (`--stack`, else the name `cdk deploy` gives it). */
  readonly stackName: string;
  readonly progress: (line: string) => void;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** Asks the operator a yes/no question (restore without --yes); false when nobody can answer. */
  readonly confirm: (question: string) => Promise<boolean>;
}

export interface AwsOptions {
  readonly profile?: string;
  readonly region?: string;
}

/**
 * The clients for `--profile` / `--region`, resolved as the AWS CLI resolves them (the SDK's
 * default chain: environment, the profile's credentials, SSO, process, container and instance
 * roles; the region from `--region`, AWS_REGION, or the profile's config). Every client is built
 * here from the same settings and shares one credential provider: the credentials are resolved
 * once (one SSO cache read, one assume-role), and every call signs as the same identity.
 */
export function awsClients(options: AwsOptions): Clients {
  const given = { ...(options.profile ? { profile: options.profile } : {}), ...(options.region ? { region: options.region } : {}) };
  const sts = new STSClient(given);
  const config = { ...given, credentials: sts.config.credentials };
  return {
    sts,
    sfn: new SFNClient(config),
    s3: new S3Client(config),
    sns: new SNSClient(config),
    iam: new IAMClient(config),
    secrets: new SecretsManagerClient(config),
    support: new SupportClient({ ...config, region: 'us-east-1' }),
    ec2: perRegion((region) => new EC2Client({ ...config, region })),
    cloudformation: new CloudFormationClient(config),
    events: new EventBridgeClient(config),
    sqs: new SQSClient(config),
    // IAM is global and EC2 is given its region: us-east-1 (the responder's) for the rest.
    forAccount: (access) => {
      const account = { region: options.region ?? 'us-east-1', ...access };
      return { iam: new IAMClient(account), sts: new STSClient(account), ec2: perRegion((region) => new EC2Client({ ...account, region })) };
    },
  };
}
