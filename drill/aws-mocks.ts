import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { PricingClient } from '@aws-sdk/client-pricing';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { SupportClient } from '@aws-sdk/client-support';
import { mockClient } from 'aws-sdk-client-mock';
import { SimulatedAccount } from './simulated-account';

/** The SDK clients the responder uses, and the service prefix of their operations. */
// Typed loosely on purpose: each client class has its own command types.
const CLIENTS: Array<{ service: string; client: Parameters<typeof mockClient>[0] }> = [
  { service: 'iam', client: IAMClient as never },
  { service: 'sfn', client: SFNClient as never },
  { service: 'sns', client: SNSClient as never },
  { service: 'sts', client: STSClient as never },
  { service: 'cloudtrail', client: CloudTrailClient as never },
  { service: 'ec2', client: EC2Client as never },
  { service: 'pricing', client: PricingClient as never },
  { service: 's3', client: S3Client as never },
  { service: 'support', client: SupportClient as never },
  { service: 'secretsmanager', client: SecretsManagerClient as never },
];

interface Regional {
  config: { region: () => Promise<string> | string };
}

/**
 * Routes every command of every responder client (module-level ones included) to the simulated
 * account, by operation name and the client's region. Returns the function that puts the real
 * clients back.
 */
export function connectToSimulatedAccount(account: SimulatedAccount): () => void {
  const mocks = CLIENTS.map(({ service, client }) => {
    const mock = mockClient(client);
    // sinon calls the fake with the client as `this`: its region is the region of the call.
    mock.send.callsFake(async function (this: Regional, command) {
      const operation = command.constructor.name.replace(/Command$/, '');
      const region = await this.config.region();
      return account.call(service, operation, (command.input ?? {}) as Record<string, unknown>, region) as never;
    });
    return mock;
  });
  return () => mocks.forEach((m) => m.restore());
}
