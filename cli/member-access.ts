/**
 * Organization mode: the operator's commands that change IAM (restore) act in the account of the
 * incident's record, which may be a member account, never in another. The records are central
 * (the responder's bucket, read with the operator's own credentials); the changes are made with
 * credentials in the member account, given by the operator:
 *
 * - `--member-role <name>`: a role of the member account that the operator's credentials may
 *   assume (`sts:AssumeRole`), e.g. `OrganizationAccountAccessRole`;
 * - `--member-profile <profile>`: an AWS CLI profile whose credentials are of that account (an IAM
 *   Identity Center permission set...).
 *
 * Not the member role `exposed-key-responder-member`: it trusts only the responder's Lambda roles,
 * and it has none of the permissions that undo a containment (iam:DeleteUserPolicy,
 * iam:DetachUserPolicy), by design. Either way the account the credentials sign in is checked
 * against the record's before anything is read or changed.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { MEMBER_ROLE_NAME, sessionNameFor } from '../lambdas/shared/accounts';
import { awsErrorCode } from '../lambdas/shared/errors';
import { OperationError, UsageError } from './errors';

/** The clients that act in one account. */
export interface AccountClients {
  readonly iam: IAMClient;
  readonly ec2: (region: string) => EC2Client;
  readonly sts: STSClient;
}

/** Builds the clients of one account, from credentials (an assumed role) or an AWS CLI profile. */
export type AccountClientFactory = (access: { readonly credentials: AwsCredentialIdentityProvider } | { readonly profile: string }) => AccountClients;

export interface MemberAccessOptions {
  readonly memberRole?: string;
  readonly memberProfile?: string;
}

/** The clients of the record's account, and who they act as (written in restore.json as `by`). */
export interface AccountAccess {
  readonly clients: Pick<AccountClients, 'iam' | 'ec2'>;
  readonly identity: string;
}

const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** `--member-role` and `--member-profile`: at most one, a role name (with its path, if any), not an ARN. */
export function parseMemberAccess(values: { 'member-role'?: string; 'member-profile'?: string }): MemberAccessOptions {
  const role = values['member-role'];
  const profile = values['member-profile'];
  if (role !== undefined && profile !== undefined) throw new UsageError('--member-role and --member-profile: give one of them');
  if (role !== undefined && !ROLE_NAME.test(role)) {
    throw new UsageError(`--member-role "${role}" is not a role name (the role's name, with its path if it has one; the account is the incident's)`);
  }
  if (profile !== undefined && !/^[\w+=,.@:/-]{1,128}$/.test(profile)) throw new UsageError(`--member-profile "${profile}" is not a profile name`);
  return { ...(role !== undefined && { memberRole: role }), ...(profile !== undefined && { memberProfile: profile }) };
}

function refused(accountId: string, why: string, cause?: unknown): OperationError {
  return new OperationError('RestoreRefused', `nothing was changed: the incident is of account ${accountId} and restore acts there only; ${why}`, cause === undefined ? undefined : { cause });
}

/**
 * The clients of `accountId` (the record's), with the operator's `options`: the role assumed with
 * the operator's own STS client, or the profile; refused (RestoreRefused, nothing read or changed
 * there) without either, when the role cannot be assumed, or when the credentials are of another account.
 */
export async function accessAccount(
  accountId: string,
  incidentId: string,
  options: MemberAccessOptions,
  deps: { readonly sts: STSClient; readonly forAccount: AccountClientFactory; readonly partition: string },
): Promise<AccountAccess> {
  if (options.memberRole !== undefined) {
    const roleArn = `arn:${deps.partition}:iam::${accountId}:role/${options.memberRole}`;
    let out;
    try {
      out = await deps.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionNameFor(`restore-${incidentId}`) }));
    } catch (err) {
      throw refused(accountId, `your credentials could not assume ${roleArn} (${awsErrorCode(err) ?? (err as Error).name}: ${(err as Error).message}). The role must trust your principal and allow what restore does there (README, "Many accounts")`, err);
    }
    const c = out.Credentials;
    const identity = out.AssumedRoleUser?.Arn ?? '';
    if (!c?.AccessKeyId || !c.SecretAccessKey || identity.split(':')[4] !== accountId) {
      throw refused(accountId, `AssumeRole of ${roleArn} answered no credentials of that account (${identity || 'no identity'})`);
    }
    const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), ...(c.Expiration ? { expiration: c.Expiration } : {}) };
    return { clients: deps.forAccount({ credentials: async () => credentials }), identity };
  }
  if (options.memberProfile !== undefined) {
    const clients = deps.forAccount({ profile: options.memberProfile });
    let who;
    try {
      who = await clients.sts.send(new GetCallerIdentityCommand({}));
    } catch (err) {
      throw refused(accountId, `profile ${options.memberProfile} gave no usable credentials (${awsErrorCode(err) ?? (err as Error).name}: ${(err as Error).message})`, err);
    }
    if (who.Account !== accountId) throw refused(accountId, `profile ${options.memberProfile} signs in account ${who.Account ?? 'unknown'} (${who.Arn ?? ''}), not ${accountId}`);
    return { clients, identity: who.Arn ?? options.memberProfile };
  }
  throw refused(
    accountId,
    `give credentials there: --member-role <a role of account ${accountId} your credentials may assume, e.g. OrganizationAccountAccessRole> or --member-profile <an AWS CLI profile of account ${accountId}>. ` +
      `(Not ${MEMBER_ROLE_NAME}: it trusts only the responder's Lambdas, and cannot undo a containment.)`,
  );
}
