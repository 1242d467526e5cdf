// What the footholds executor tests share: its dependencies, the protection rules of the
// contract (lambdas/shared/protection.ts), and the literal documents they expect.
import { EC2Client } from '@aws-sdk/client-ec2';
import { ec2StopInstance } from '../../../lambdas/footholds/stop-instance';
import { IAMClient } from '@aws-sdk/client-iam';
import { containFootholds, FootholdDeps } from '../../../lambdas/footholds/contain';
import { FootholdContainment, FootholdResult } from '../../../lambdas/footholds/contract';
import { findFootholds } from '../../../lambdas/footholds/find';
import { FootholdConfig, Principal } from '../../../lambdas/footholds/plan';
import { perRegion } from '../../../lambdas/shared/clients';
import { ACCOUNT_ID, anIncident, fakeLogger, REVOKE_BEFORE, REVOKED_BEFORE } from '../helpers';

export const QUARANTINE_ARN = `arn:aws:iam::${ACCOUNT_ID}:policy/exposed-key-responder/ExposedKeyResponder-Quarantine`;
export const NOW = new Date('2026-11-20T10:00:05.000Z');
export const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
export const incident = anIncident();

/** The revoke every contained principal gets, for an execution started at REVOKE_BEFORE. */
export const REVOKE_DOC = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'RevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': REVOKED_BEFORE } } }],
};

/** The contract of lambdas/shared/protection.ts: a listed name, or the protection tag. */
export const protection = (p: Principal): string | undefined =>
  p.name.toLowerCase() === 'breakglass'
    ? 'on the protected list'
    : p.tags?.['exposed-key-responder:protected']?.toLowerCase() === 'true'
      ? 'tagged exposed-key-responder:protected=true'
      : undefined;

/** One action at a time unless `concurrency` says otherwise: the order of writes is then the plan's. */
export function deps(config: Partial<FootholdConfig> = {}, concurrency = 1): FootholdDeps {
  return {
    iam: new IAMClient({ region: 'us-east-1' }),
    stopInstance: ec2StopInstance(perRegion((region) => new EC2Client({ region }))),
    logger: fakeLogger(),
    config: { dryRun: false, quarantinePolicyArn: QUARANTINE_ARN, stopLaunchedInstances: false, revokeBefore: REVOKE_BEFORE, ...config },
    protection,
    now: () => NOW,
    concurrency,
  };
}

/** findFootholds on `records`, then containFootholds, as the wired step will. */
export function contain(records: unknown[], config: Partial<FootholdConfig> = {}, concurrency = 1): Promise<FootholdContainment> {
  return containFootholds(findFootholds(incident, records), incident, deps(config, concurrency));
}

export function result(out: FootholdContainment, id: string): FootholdResult {
  const found = out.results.find((r) => r.id === id);
  if (!found) throw new Error(`no result ${id} in ${out.results.map((r) => r.id).join(', ')}`);
  return found;
}

/** An inline policy of the fake account, parsed. */
export const inline = (owner: { inline: Record<string, string> }, name: string): any => JSON.parse(owner.inline[name]);
