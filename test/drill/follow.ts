// Investigate then footholds, the real handlers against the simulated account, with the footholds
// step's input as the workflow builds it ({incident, revokeBefore, footholds: the investigation's
// footholds}): the two handlers alone, as the workflow runs them in turn.
import { connectToSimulatedAccount } from '../../drill/aws-mocks';
import { parseScenario, ScenarioInput } from '../../drill/scenario';
import { DRILL_TIME_SCALE, SimulatedAccount } from '../../drill/simulated-account';
import { FootholdContainment } from '../../lambdas/footholds/contract';
import { createHandler as createFootholds } from '../../lambdas/footholds/handler';
import { Investigation } from '../../lambdas/investigate/contract';
import { createHandler as createInvestigate } from '../../lambdas/investigate/handler';
import { Incident } from '../../lambdas/shared/incident';

export const BUCKET = 'incident-bucket';

/** The stack's quarantine policy in `accountId`. */
export const quarantineArn = (accountId: string) => `arn:aws:iam::${accountId}:policy/exposed-key-responder/ExposedKeyResponderQuarantine`;

/** Runs the two steps against `scenario` for `incident`; returns the account and both outputs. */
export async function followIncident(scenario: ScenarioInput, incident: Incident, env: Record<string, string> = {}) {
  const quarantine = quarantineArn(incident.accountId);
  const account = new SimulatedAccount(parseScenario(scenario), [quarantine]);
  const disconnect = connectToSimulatedAccount(account);
  try {
    const base = { DRY_RUN: 'false', INCIDENT_BUCKET: BUCKET, LOOKBACK_DAYS: '14', QUARANTINE_POLICY_ARN: quarantine, PROTECTED_USERS: '', PROTECTED_ROLES: '', STOP_LAUNCHED_INSTANCES: 'false', ...env };
    // CloudTrail's rate limit counts in the simulated account's time: the waits run at drill speed.
    const investigate = createInvestigate(base, { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / DRILL_TIME_SCALE)) });
    const footholds = createFootholds(base);
    const revokeBefore = new Date().toISOString();
    const investigation: Investigation = await investigate({ incident, revokeBefore });
    // The workflow's Retry on TransientAwsError / ContainmentNotVerifiedError: the step again, same input.
    let attempts = 0;
    let contained: FootholdContainment | undefined;
    while (!contained) {
      attempts += 1;
      try {
        contained = await footholds({ incident, revokeBefore, footholds: investigation.footholds });
      } catch (err) {
        if (attempts >= 3 || !['TransientAwsError', 'ContainmentNotVerifiedError'].includes((err as Error).name)) throw err;
      }
    }
    return { account, investigation, contained, attempts, view: account.view() };
  } finally {
    disconnect();
  }
}
