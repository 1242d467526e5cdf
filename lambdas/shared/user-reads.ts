import { GetUserCommand, GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import { awsErrorCode } from './errors';
import { REVOKE_SESSIONS_POLICY_NAME, revokedBefore } from './policies';
import { PrincipalFacts, protectionReason, ProtectionRules } from './protection';
import { decodePolicyDocument } from './user-changes';

/**
 * The reads of a user that contain and verify both make before they decide. AWS errors are thrown
 * as the SDK gives them: each caller decides what a failure means at its step.
 */

export function isNoSuchEntity(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code === 'NoSuchEntity' || code === 'NoSuchEntityException';
}

/** Name, path and tags of the user, as IAM says now (one GetUser). */
export async function readUserFacts(iam: IAMClient, userName: string): Promise<PrincipalFacts> {
  const { User: user } = await iam.send(new GetUserCommand({ UserName: userName }));
  // Never guess "not protected" from an answer that says nothing about the user.
  if (!user) throw new Error(`GetUser: IAM answered without user ${userName}`);
  const tags: Record<string, string> = {};
  for (const t of user.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  return { name: user.UserName ?? userName, path: user.Path ?? '/', tags };
}

/** Why the user must not be changed (name, path or tag, as IAM says now), or undefined. */
export async function userProtection(iam: IAMClient, userName: string, rules: ProtectionRules): Promise<string | undefined> {
  return protectionReason(await readUserFacts(iam, userName), rules);
}

/** The document (JSON text, decoded) of the user's inline policy `policyName`, or undefined when it has none (NoSuchEntity). */
export async function readInlinePolicy(iam: IAMClient, userName: string, policyName: string): Promise<string | undefined> {
  try {
    const out = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: policyName }));
    // IAM returns the document URL-encoded.
    return decodePolicyDocument(out.PolicyDocument ?? '');
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

/** The time a revoke policy document (JSON text) revokes before, or undefined when it is not a revocation. */
export function revocationTimeOf(document: string | undefined): string | undefined {
  if (document === undefined) return undefined;
  try {
    return revokedBefore(JSON.parse(document));
  } catch {
    return undefined;
  }
}

/**
 * The time the responder's inline revoke policy revokes sessions before, or undefined when the
 * user has no such policy (NoSuchEntity) or its document is not a revocation (not ours any more).
 */
export async function readRevocationTime(iam: IAMClient, userName: string): Promise<string | undefined> {
  return revocationTimeOf(await readInlinePolicy(iam, userName, REVOKE_SESSIONS_POLICY_NAME));
}

/** The status of one access key of the user (`Active`, `Inactive`), or undefined when the user has no such key. */
export async function readKeyStatus(iam: IAMClient, userName: string, accessKeyId: string): Promise<string | undefined> {
  let marker: string | undefined;
  do {
    const out = await iam.send(new ListAccessKeysCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
    const key = (out.AccessKeyMetadata ?? []).find((k) => k.AccessKeyId === accessKeyId);
    if (key) return key.Status;
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return undefined;
}

/** Whether the managed policy `policyArn` is attached to the user now. */
export async function isPolicyAttached(iam: IAMClient, userName: string, policyArn: string): Promise<boolean> {
  let marker: string | undefined;
  do {
    const out = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName, ...(marker ? { Marker: marker } : {}) }));
    if ((out.AttachedPolicies ?? []).some((p) => p.PolicyArn === policyArn)) return true;
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return false;
}
