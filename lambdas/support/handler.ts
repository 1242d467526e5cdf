import { SupportClient } from '@aws-sdk/client-support';
import { accountClients, organizationAccessFromEnv, sessionNameFor, withCredentials } from '../shared/accounts';
import { NO_SDK_RETRIES } from '../shared/clients';
import { boolEnv, requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseWorkflowState } from '../shared/state';
import { informSupport, SUPPORT_REGION, SUPPORT_SEVERITIES, SupportResult, SupportSeverity } from './support';

/** SUPPORT_SEVERITY: the severity of a case this responder opens, one of the Support API's codes. */
export function supportSeverityEnv(env: NodeJS.ProcessEnv = process.env): SupportSeverity {
  const value = requireEnv('SUPPORT_SEVERITY', env);
  if (!(SUPPORT_SEVERITIES as readonly string[]).includes(value)) {
    throw new Error(`environment variable SUPPORT_SEVERITY must be one of ${SUPPORT_SEVERITIES.join(', ')}, got "${value}"`);
  }
  return value as SupportSeverity;
}

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<SupportResult> {
  const config = { dryRun: boolEnv('DRY_RUN', env), severity: supportSeverityEnv(env) };
  const logger = createLogger('support');
  // The Support API has one endpoint, in us-east-1, whatever region the Lambda runs in.
  // The Support API is per account: the case is opened (or answered) in the incident's account.
  const supportOf = accountClients(
    (credentials) => new SupportClient(withCredentials({ region: SUPPORT_REGION, ...NO_SDK_RETRIES }, credentials)),
    organizationAccessFromEnv(env),
  );
  return async (event) => {
    const input = parseWorkflowState(event, 'support');
    const account = await supportOf(input.incident.accountId, sessionNameFor(input.incident.incidentId));
    return informSupport(input, { support: account.clients, config, logger: forIncident(logger, input.incident.incidentId) });
  };
}
