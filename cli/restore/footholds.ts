/**
 * Footholds of the attacker are never restored as a whole: only those the operator names, one by
 * one (`--foothold <id>`, the id the record gives each result). What can be undone by a call is
 * undone only when IAM still shows what the responder did; the rest is refused with the record's
 * own undo command, for a human to judge.
 */
import { StartInstancesCommand } from '@aws-sdk/client-ec2';
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
} from '@aws-sdk/client-iam';
import { EC2Client } from '@aws-sdk/client-ec2';
import { FootholdResult, ROLE_REVOKE_SESSIONS_POLICY_NAME } from '../../lambdas/footholds/contract';
import { REVOKE_SESSIONS_POLICY_NAME } from '../../lambdas/shared/policies';
import { decodePolicyDocument } from '../../lambdas/shared/user-changes';
import { isNoSuchEntity, isPolicyAttached, readInlinePolicy, revocationTimeOf } from '../../lambdas/shared/user-reads';
import { UsageError } from '../errors';
import { IncidentRecord } from '../incidents';
import { REACTIVATION_WARNING } from './plan';

export interface FootholdUndo {
  readonly id: string;
  readonly what: string;
  readonly run: () => Promise<unknown>;
}

export interface FootholdDeps {
  readonly iam: IAMClient;
  readonly ec2: (region: string) => EC2Client;
  readonly quarantinePolicyArn: string;
}

const UNDONE = new Set<FootholdResult['status']>(['done', 'already']);

async function rolePolicy(iam: IAMClient, roleName: string, policyName: string): Promise<string | undefined> {
  try {
    const out = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    return decodePolicyDocument(out.PolicyDocument);
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

/** The undo of one named foothold, or why it is refused. Reads IAM to check the responder's change is still there. */
async function undoOf(result: FootholdResult, deps: FootholdDeps): Promise<FootholdUndo | string> {
  const [, a, b] = result.id.split(' ');
  const byHand = `undo it by hand if it must be: ${result.undo ?? '(the record has no undo command)'}`;
  switch (result.action) {
    case 'deactivate-key':
      return { id: result.id, what: `set access key ${b} of user ${a} Active again. ${REACTIVATION_WARNING}`, run: () => deps.iam.send(new UpdateAccessKeyCommand({ UserName: a, AccessKeyId: b, Status: 'Active' })) };
    case 'deactivate-service-credential':
      return { id: result.id, what: `set service-specific credential ${b} of user ${a} Active again`, run: () => deps.iam.send(new UpdateServiceSpecificCredentialCommand({ UserName: a, ServiceSpecificCredentialId: b, Status: 'Active' })) };
    case 'revoke-user-sessions':
      if (revocationTimeOf(await readInlinePolicy(deps.iam, a, REVOKE_SESSIONS_POLICY_NAME)) === undefined) return `user ${a} has no revoke policy of the responder's any more: nothing to undo, or it was changed: ${byHand}`;
      return { id: result.id, what: `delete inline policy ${REVOKE_SESSIONS_POLICY_NAME} of user ${a}`, run: () => deps.iam.send(new DeleteUserPolicyCommand({ UserName: a, PolicyName: REVOKE_SESSIONS_POLICY_NAME })) };
    case 'quarantine-user':
      if (!(await isPolicyAttached(deps.iam, a, deps.quarantinePolicyArn))) return `the quarantine policy is not attached to user ${a}: nothing to undo (an inline fallback is not undone here): ${byHand}`;
      return { id: result.id, what: `detach ${deps.quarantinePolicyArn} from user ${a}`, run: () => deps.iam.send(new DetachUserPolicyCommand({ UserName: a, PolicyArn: deps.quarantinePolicyArn })) };
    case 'revoke-role-sessions':
      if (revocationTimeOf(await rolePolicy(deps.iam, a, ROLE_REVOKE_SESSIONS_POLICY_NAME)) === undefined) return `role ${a} has no revoke policy any more, or it was changed: ${byHand}`;
      return { id: result.id, what: `delete inline policy ${ROLE_REVOKE_SESSIONS_POLICY_NAME} of role ${a}`, run: () => deps.iam.send(new DeleteRolePolicyCommand({ RoleName: a, PolicyName: ROLE_REVOKE_SESSIONS_POLICY_NAME })) };
    case 'stop-instance':
      return { id: result.id, what: `start instance ${b} in ${a} again`, run: () => deps.ec2(a).send(new StartInstancesCommand({ InstanceIds: [b] })) };
    default:
      return `${result.action} is not undone by restore: ${byHand}`;
  }
}

/** The named footholds' undos and refusals. An id the record does not have is unusable input. */
export async function planFootholds(record: IncidentRecord, ids: readonly string[], deps: FootholdDeps): Promise<{ undos: FootholdUndo[]; refusals: string[] }> {
  const results = record.footholds?.results ?? [];
  const undos: FootholdUndo[] = [];
  const refusals: string[] = [];
  for (const id of ids) {
    const result = results.find((r) => r.id === id);
    if (!result) {
      const known = results.filter((r) => UNDONE.has(r.status)).map((r) => `  ${r.id}`);
      throw new UsageError(`the record has no foothold "${id}"${known.length > 0 ? `; the footholds it changed:\n${known.join('\n')}` : ' (it changed no foothold)'}`);
    }
    if (!UNDONE.has(result.status)) {
      refusals.push(`foothold ${id}: the responder did not change it (${result.status}): nothing to undo`);
      continue;
    }
    const undo = await undoOf(result, deps);
    if (typeof undo === 'string') refusals.push(`foothold ${id}: ${undo}`);
    else undos.push(undo);
  }
  return { undos, refusals };
}
