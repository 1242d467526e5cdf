import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SimulatedAccount } from './simulated-account';

/** The SDK clients the responder uses, and the service prefix of their operations. */
// Typed loosely on purpose: each client class has its own command types.
const CLIENTS: Array<{ service: string; client: Parameters<typeof mockClient>[0] }> = [
  { service: 'iam', client: IAMClient as never },
  { service: 'sfn', client: SFNClient as never },
  { service: 'sns', client: SNSClient as never },
];

/**
 * Routes every command of every responder client (module-level ones included) to the simulated
 * account, by operation name. Returns the function that puts the real clients back.
 */
export function connectToSimulatedAccount(account: SimulatedAccount): () => void {
  const mocks = CLIENTS.map(({ service, client }) => {
    const mock = mockClient(client);
    mock.send.callsFake(async (command) => {
      const operation = command.constructor.name.replace(/Command$/, '');
      return account.call(service, operation, (command.input ?? {}) as Record<string, unknown>) as never;
    });
    return mock;
  });
  return () => mocks.forEach((m) => m.restore());
}
