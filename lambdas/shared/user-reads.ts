import { GetUserCommand, GetUserPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { awsErrorCode } from './errors';
import { REVOKE_SESSIONS_POLICY_NAME, revokedBefore } from './policies';
import { PrincipalFacts, protectionReason, ProtectionRules } from './protection';

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

/**
 * The time the responder's inline revoke policy revokes sessions before, or undefined when the
 * user has no such policy (NoSuchEntity) or its document is not a revocation (not ours any more).
 */
export async function readRevocationTime(iam: IAMClient, userName: string): Promise<string | undefined> {
  let document: string | undefined;
  try {
    const out = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: REVOKE_SESSIONS_POLICY_NAME }));
    document = out.PolicyDocument;
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
  try {
    // IAM returns the document URL-encoded.
    return revokedBefore(JSON.parse(decodeURIComponent(document ?? '')));
  } catch {
    return undefined;
  }
}
