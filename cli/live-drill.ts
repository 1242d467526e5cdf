/**
 * `npm run live-drill`: proves the deployed responder in a sandbox account. It creates a canary user
 * with a key and no permission, reports the key with the command line's own report, waits for the
 * record, checks the key Inactive and the policies in place, restores, and deletes the canary (also
 * when something failed). Refuses to run unless EKR_LIVE_ACCOUNT is the caller's account.
 */
import {
  CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteUserCommand, DeleteUserPolicyCommand, DetachUserPolicyCommand,
  ListAccessKeysCommand, ListAttachedUserPoliciesCommand, ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { reportKeys } from '../lambdas/report/record';
import { REVOKE_SESSIONS_POLICY_NAME } from '../lambdas/shared/policies';
import { isPolicyAttached, readInlinePolicy, readKeyStatus } from '../lambdas/shared/user-reads';
import { Clients } from './context';
import { OperationError } from './errors';
import { putKeyReport, waitForExecution } from './report-key';
import { restoreIncident, RestoreResult } from './restore/restore';
import { Deployment, responderAccount } from './stack';

export interface LiveDrillDeps {
  readonly clients: Pick<Clients, 'sts' | 'iam' | 'sfn' | 's3' | 'sns' | 'ec2' | 'events'>;
  readonly deployment: Deployment;
  /** EKR_LIVE_ACCOUNT: the account the operator says is a sandbox. */
  readonly expectedAccount: string | undefined;
  readonly progress: (line: string) => void;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** How long to wait for the execution, then for its record. @default 5 minutes */
  readonly timeoutMs?: number;
}

export interface LiveDrillResult {
  readonly account: string;
  readonly canary: { readonly userName: string; readonly accessKeyId: string; readonly deleted: boolean };
  readonly incidentId?: string;
  /** Each time with its source: the report (this machine), Step Functions, the contain Lambda, S3. */
  readonly times: Record<string, string>;
  /** Seconds from the report to each. */
  readonly seconds: Record<string, number>;
  readonly checks: Array<{ check: string; ok: boolean }>;
  readonly restore?: RestoreResult;
  readonly ok: boolean;
}

const CANARY_TAG = { Key: 'exposed-key-responder:canary', Value: 'true' };

function canaryName(at: Date): string {
  return `ekr-canary-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', 't').toLowerCase()}`;
}

/** Deletes the canary: its keys, inline and attached policies, then the user. True when it is gone. */
async function deleteCanary(deps: LiveDrillDeps, userName: string): Promise<boolean> {
  const { iam } = deps.clients;
  try {
    for (const k of (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? []) await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: k.AccessKeyId }));
    for (const p of (await iam.send(new ListUserPoliciesCommand({ UserName: userName }))).PolicyNames ?? []) await iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: p }));
    for (const p of (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies ?? []) await iam.send(new DetachUserPolicyCommand({ UserName: userName, PolicyArn: p.PolicyArn }));
    await iam.send(new DeleteUserCommand({ UserName: userName }));
    deps.progress(`canary ${userName} deleted`);
    return true;
  } catch (err) {
    deps.progress(`could not delete canary ${userName} (${(err as Error).name}: ${(err as Error).message}): delete it by hand (aws iam delete-user after removing its keys and policies)`);
    return false;
  }
}

export async function liveDrill(deps: LiveDrillDeps): Promise<LiveDrillResult> {
  const { clients, deployment: d } = deps;
  const account = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  if (!deps.expectedAccount || deps.expectedAccount !== account) {
    throw new OperationError('NotTheSandbox', `the live drill creates and contains a user in the caller's account ${account}: it runs only when EKR_LIVE_ACCOUNT=${account} says this account is a sandbox (it is ${deps.expectedAccount ? `"${deps.expectedAccount}"` : 'not set'})`);
  }
  const timeoutMs = deps.timeoutMs ?? 300_000;
  const userName = canaryName(deps.now());
  deps.progress(`creating canary user ${userName} (a key, no permission)...`);
  await clients.iam.send(new CreateUserCommand({ UserName: userName, Tags: [CANARY_TAG] }));
  let accessKeyId = '';
  const times: Record<string, string> = {};
  const checks: Array<{ check: string; ok: boolean }> = [];
  let incidentId: string | undefined;
  let restore: RestoreResult | undefined;
  let deleted = false;
  try {
    accessKeyId = (await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey?.AccessKeyId ?? '';
    const reportedAt = deps.now();
    times['reported (this machine)'] = reportedAt.toISOString();
    await putKeyReport(clients.events, d.reportBusName, { accessKeyId, userName, reason: 'exposed-key-responder live drill: a canary key, no permission' }, reportedAt);
    deps.progress(`reported ${accessKeyId}; waiting for the execution...`);
    const started = await waitForExecution(clients.sfn, d.stateMachineArn, accessKeyId, reportedAt, { sleep: deps.sleep, now: deps.now, timeoutMs, until: 'started' });
    incidentId = started.incidentId;
    if (started.execution.startDate) times['execution started (Step Functions)'] = started.execution.startDate.toISOString();
    deps.progress(`execution ${incidentId} started; waiting for its record...`);
    const deadline = deps.now().getTime() + timeoutMs;
    let written;
    while (!(written = await clients.s3.send(new GetObjectCommand({ Bucket: d.bucket, Key: reportKeys(incidentId).jsonKey })).catch(() => undefined))) {
      if (deps.now().getTime() >= deadline) throw new OperationError('Timeout', `no record of ${incidentId} after ${timeoutMs / 1000} s: see \`exposed-key-responder show ${incidentId}\``);
      await deps.sleep(5000);
    }
    if (written.LastModified) times['record written (S3)'] = written.LastModified.toISOString();
    const record = JSON.parse((await written.Body?.transformToString()) ?? '{}') as { containment?: Array<{ action: string; at?: string }> };
    const inactive = record.containment?.find((c) => c.action === 'deactivate-key')?.at;
    if (inactive) times['key Inactive (contain Lambda)'] = inactive;
    checks.push({ check: 'key Inactive', ok: (await readKeyStatus(clients.iam, userName, accessKeyId)) === 'Inactive' });
    checks.push({ check: `${REVOKE_SESSIONS_POLICY_NAME} in place`, ok: (await readInlinePolicy(clients.iam, userName, REVOKE_SESSIONS_POLICY_NAME)) !== undefined });
    checks.push({ check: 'quarantine attached', ok: await isPolicyAttached(clients.iam, userName, d.quarantinePolicyArn) });
    for (const c of checks) deps.progress(`${c.ok ? 'OK ' : 'NOT'} ${c.check}`);
    restore = await restoreIncident(incidentId, { reactivateKey: false, yes: true, footholds: [] }, { ...d, ...responderAccount(d) }, { ...clients, progress: deps.progress, now: deps.now, confirm: async () => true });
    checks.push({ check: 'restored', ok: restore.status === 'restored' });
  } finally {
    // Also when something failed: the canary never outlives the drill.
    deleted = await deleteCanary(deps, userName);
  }
  const from = Date.parse(times['reported (this machine)']);
  const seconds = Object.fromEntries(Object.entries(times).filter(([k]) => !k.startsWith('reported')).map(([k, t]) => [k, Math.round((Date.parse(t) - from) / 100) / 10]));
  return { account, canary: { userName, accessKeyId, deleted }, ...(incidentId && { incidentId }), times, seconds, checks, ...(restore && { restore }), ok: deleted && checks.every((c) => c.ok) };
}
