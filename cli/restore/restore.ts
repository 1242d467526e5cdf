/**
 * `restore <incidentId>`: undo what the record says the responder changed on the incident's own
 * user, after saying the plan (and asking, unless --yes). The same code runs in the fire drill
 * (`--restore`) against the simulated account.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { DeleteUserPolicyCommand, DetachUserPolicyCommand, IAMClient, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MEMBER_ROLE_NAME, memberQuarantinePolicyArn } from '../../lambdas/shared/accounts';
import { UserChange } from '../../lambdas/shared/user-changes';
import { isPolicyAttached, readInlinePolicy, readKeyStatus } from '../../lambdas/shared/user-reads';
import { OperationError } from '../errors';
import { readRecord } from '../incidents';
import { AccountAccess } from '../member-access';
import { planFootholds } from './footholds';
import { factKey, planRestore, recordedChanges, RestoreStep } from './plan';

export interface RestoreDeps {
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly sts: STSClient;
  readonly ec2: (region: string) => EC2Client;
  readonly progress: (line: string) => void;
  readonly now: () => Date;
  /** Asked before any change unless `yes`. */
  readonly confirm: (question: string) => Promise<boolean>;
  /**
   * The clients of another account (organization mode: the record is of a member account), or a
   * RestoreRefused error (cli/member-access.ts). Absent: a record of another account is refused.
   */
  readonly inAccount?: (accountId: string) => Promise<AccountAccess>;
}

export interface RestoreTarget {
  readonly bucket: string;
  readonly topicArn: string;
  readonly quarantinePolicyArn: string;
  /** The responder's own account: a record of it is restored with the operator's own clients. */
  readonly accountId: string;
  readonly partition: string;
}

export interface RestoreOptions {
  readonly reactivateKey: boolean;
  readonly yes: boolean;
  /** Foothold result ids to undo too, each named. */
  readonly footholds: readonly string[];
}

/** restore.json: what was undone, by whom, when; what was kept and why. */
export interface RestoreResult {
  readonly incidentId: string;
  readonly status: 'restored' | 'nothing-to-do' | 'declined';
  readonly restoredAt: string;
  readonly by?: string;
  /** The account of the incident, where the changes were undone. */
  readonly accountId: string;
  readonly userName: string;
  readonly done: string[];
  readonly kept: string[];
  readonly recordKey?: string;
}

async function current(iam: IAMClient, change: UserChange): Promise<string | boolean | undefined> {
  switch (change.kind) {
    case 'access-key-status':
      return readKeyStatus(iam, change.userName, change.accessKeyId);
    case 'inline-policy':
      return readInlinePolicy(iam, change.userName, change.policyName);
    case 'managed-policy':
      return isPolicyAttached(iam, change.userName, change.policyArn);
    case 'root-access-key-deleted':
      // Deleted: nothing to read (restore refuses it).
      return undefined;
  }
}

function apply(iam: IAMClient, step: RestoreStep): Promise<unknown> {
  switch (step.kind) {
    case 'reactivate-key':
      return iam.send(new UpdateAccessKeyCommand({ UserName: step.userName, AccessKeyId: step.accessKeyId, Status: 'Active' }));
    case 'delete-user-policy':
      return iam.send(new DeleteUserPolicyCommand({ UserName: step.userName, PolicyName: step.policyName }));
    case 'put-user-policy':
      return iam.send(new PutUserPolicyCommand({ UserName: step.userName, PolicyName: step.policyName, PolicyDocument: step.document }));
    case 'detach-user-policy':
      return iam.send(new DetachUserPolicyCommand({ UserName: step.userName, PolicyArn: step.policyArn }));
  }
}

export async function restoreIncident(incidentId: string, options: RestoreOptions, target: RestoreTarget, deps: RestoreDeps): Promise<RestoreResult> {
  deps.progress(`reading the record of ${incidentId}...`);
  const found = await readRecord(deps.s3, target.bucket, incidentId);
  if (!found) throw new OperationError('NoRecord', `no record of incident ${incidentId} in ${target.bucket}: restore undoes only what a record says was changed, so it refuses (see \`exposed-key-responder show ${incidentId}\`)`);
  const { record } = found;
  const accountId = record.incident.accountId;
  const where = await accountOf(accountId, target, deps);
  const { iam } = where;
  const facts = new Map<string, string | boolean | undefined>();
  for (const change of recordedChanges(record).changes) facts.set(factKey(change), await current(iam, change));
  const plan = planRestore(record, facts, { reactivateKey: options.reactivateKey, quarantinePolicyArn: where.quarantinePolicyArn });
  const named = await planFootholds(record, options.footholds, { iam, ec2: where.ec2, quarantinePolicyArn: where.quarantinePolicyArn });
  const refusals = [...plan.refusals, ...named.refusals];
  if (refusals.length > 0) throw new OperationError('RestoreRefused', `restore of ${incidentId} refused, nothing was changed:\n${refusals.map((r) => `  - ${r}`).join('\n')}`);

  // The key last: a restore that stops halfway leaves the key Inactive rather than Active without its policies.
  const ordered = [...plan.steps.filter((s) => s.kind !== 'reactivate-key'), ...plan.steps.filter((s) => s.kind === 'reactivate-key')];
  const steps = [...ordered.map((s) => ({ what: s.what, run: () => apply(iam, s) })), ...named.undos];
  const userName = record.incident.userName;
  const base = { incidentId, accountId, userName, kept: plan.kept };
  deps.progress(`plan for ${incidentId} (user ${userName} of account ${accountId}${where.identity ? `, as ${where.identity}` : ''}):`);
  for (const s of steps) deps.progress(`  will ${s.what}`);
  for (const k of plan.kept) deps.progress(`  keeps: ${k}`);
  if (steps.length === 0) return { ...base, status: 'nothing-to-do', restoredAt: deps.now().toISOString(), done: [] };
  if (!options.yes && !(await deps.confirm(`apply these ${steps.length} change(s)?`))) {
    return { ...base, status: 'declined', restoredAt: deps.now().toISOString(), done: [] };
  }

  const by = where.identity ?? (await deps.sts.send(new GetCallerIdentityCommand({})).catch(() => undefined))?.Arn;
  const done: string[] = [];
  for (const step of steps) {
    try {
      await step.run();
    } catch (err) {
      const left = steps.slice(done.length).map((s) => s.what);
      throw new OperationError('RestoreFailed', `restore of ${incidentId} stopped: could not ${step.what}: ${(err as Error).name}: ${(err as Error).message}\n  done: ${done.join('; ') || 'nothing'}\n  not done: ${left.join('; ')}`, { cause: err });
    }
    done.push(step.what);
    deps.progress(`  done: ${step.what}`);
  }
  const recordKey = `incidents/${incidentId}/restore.json`;
  const result: RestoreResult = { ...base, status: 'restored', restoredAt: deps.now().toISOString(), ...(by ? { by } : {}), done, recordKey };
  await deps.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: recordKey, Body: `${JSON.stringify(result, null, 2)}\n`, ContentType: 'application/json' }));
  await deps.sns.send(new PublishCommand({
    TopicArn: target.topicArn,
    Subject: `[RESTORED] incident ${incidentId}: user ${userName}`.slice(0, 100),
    Message: [`Incident ${incidentId}: what the responder changed on user ${userName} of account ${accountId} was undone${by ? ` by ${by}` : ''} at ${result.restoredAt}.`, '', 'Done:', ...done.map((d) => `- ${d}`), ...(plan.kept.length > 0 ? ['', 'Kept:', ...plan.kept.map((k) => `- ${k}`)] : []), '', `Written to s3://${target.bucket}/${recordKey}`].join('\n'),
  }));
  return result;
}

/**
 * Where the record's changes are undone: the responder's own account with the operator's clients
 * and the stack's quarantine policy; another (member) account only through `deps.inAccount`, with
 * the member stack's fixed-name quarantine policy there. Nothing else: never the wrong account.
 */
async function accountOf(accountId: string, target: RestoreTarget, deps: RestoreDeps): Promise<{ iam: IAMClient; ec2: (region: string) => EC2Client; quarantinePolicyArn: string; identity?: string }> {
  if (accountId === target.accountId) return { iam: deps.iam, ec2: deps.ec2, quarantinePolicyArn: target.quarantinePolicyArn };
  if (!deps.inAccount) throw new OperationError('RestoreRefused', `nothing was changed: the incident is of account ${accountId}, not the responder's ${target.accountId}, and this restore cannot act there`);
  const access = await deps.inAccount(accountId);
  deps.progress(`account ${accountId} is a member account: acting there as ${access.identity}`);
  return {
    ...access.clients,
    quarantinePolicyArn: memberQuarantinePolicyArn({ ownAccountId: target.accountId, memberRoleName: MEMBER_ROLE_NAME, partition: target.partition }, accountId),
    identity: access.identity,
  };
}
