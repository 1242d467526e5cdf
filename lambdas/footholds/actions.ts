// One function per containment action. Each reads first and writes only what is not yet in place,
// so running the whole plan again changes nothing twice and says "already".
import {
  AttachUserPolicyCommand,
  DeleteLoginProfileCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListServiceSpecificCredentialsCommand,
  paginateListAttachedUserPolicies,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
} from '@aws-sdk/client-iam';
import { awsErrorCode, isQuotaExceeded } from '../shared/errors';
import { compactQuarantinePolicy, QUARANTINE_INLINE_POLICY_NAME, revokedBefore } from '../shared/policies';
import { isNoSuchEntity } from '../shared/user-reads';
import { cli } from './commands';
import { PlannedAction } from './planned';
import type { StopInstance } from './stop-instance';

export interface ActionContext {
  readonly iam: IAMClient;
  /** Stops an instance in its region (lambdas/footholds/stop-instance.ts). */
  readonly stopInstance: StopInstance;
  readonly quarantinePolicyArn: string;
}

export interface Outcome {
  readonly status: 'done' | 'already';
  readonly detail: string;
  /** The change was made but reading it back does not show it yet (IAM is eventually consistent). */
  readonly unverified?: boolean;
  /** What it acts on no longer exists, or never did: nothing to undo. */
  readonly gone?: boolean;
  /** The undo of exactly what this run changed, when the plan could not know it (which keys). */
  readonly undo?: string;
}

/** An action the executor could not finish, with the reason in its detail. */
export class ActionFailed extends Error {
  public override readonly name = 'ActionFailed';
  constructor(
    public readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Run = (a: PlannedAction, ctx: ActionContext) => Promise<Outcome>;

export const RUN: Partial<Record<PlannedAction['action'], Run>> = {
  'deactivate-key': async (a, ctx) => {
    const { userName, accessKeyId } = target(a, 'access-key');
    const key = (await keysOf(ctx, userName)).find((k) => k.id === accessKeyId);
    if (!key) return { status: 'already', gone: true, detail: `access key ${accessKeyId} of user ${userName} no longer exists: it cannot be used` };
    if (key.status === 'Inactive') return { status: 'already', detail: `access key ${accessKeyId} of user ${userName} was already Inactive` };
    await ctx.iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }));
    const after = (await keysOf(ctx, userName)).find((k) => k.id === accessKeyId);
    return { status: 'done', detail: `${a.description} (read back: ${after?.status ?? 'gone'})`, unverified: after?.status === 'Active' };
  },

  'deactivate-user-keys': async (a, ctx) => {
    // Access keys and service-specific credentials (a Bedrock API key, CodeCommit): each signs in by itself.
    const { userName } = target(a, 'user');
    const read = async () => [
      ...(await keysOf(ctx, userName)).map((k) => ({ ...k, kind: 'access key' as const })),
      ...(await serviceCredentialsOf(ctx, userName)).map((c) => ({ ...c, kind: 'service-specific credential' as const })),
    ];
    const active = (await read()).filter((c) => c.status === 'Active');
    if (active.length === 0) return { status: 'already', detail: `user ${userName} has no active access key nor service-specific credential` };
    for (const c of active) {
      if (c.kind === 'access key') await ctx.iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: c.id, Status: 'Inactive' }));
      else await ctx.iam.send(new UpdateServiceSpecificCredentialCommand({ UserName: userName, ServiceSpecificCredentialId: c.id, Status: 'Inactive' }));
    }
    const stillActive = (await read()).filter((c) => c.status === 'Active' && active.some((x) => x.id === c.id));
    const list = active.map((c) => `${c.kind} ${c.id}`).join(', ');
    const back = stillActive.length === 0 ? 'Inactive' : `${stillActive.map((c) => c.id).join(', ')} still Active`;
    const undo = active.map((c) => (c.kind === 'access key' ? cli.activateKey(userName, c.id) : cli.activateServiceCredential(userName, c.id))).join('; ');
    return { status: 'done', detail: `set ${list} of user ${userName} Inactive (read back: ${back})`, unverified: stillActive.length > 0, undo };
  },

  'revoke-user-sessions': async (a, ctx) => {
    const { userName } = target(a, 'user');
    return revoke(a, `user ${userName}`, `user ${userName}'s inline policies are full (2,048 characters)`, {
      read: (PolicyName) => ctx.iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName })),
      put: (PolicyName, PolicyDocument) => ctx.iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName, PolicyDocument })),
    });
  },

  'quarantine-user': async (a, ctx) => {
    const { userName } = target(a, 'user');
    const attached: string[] = [];
    for await (const page of paginateListAttachedUserPolicies({ client: ctx.iam }, { UserName: userName })) {
      for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) attached.push(p.PolicyArn);
    }
    if (attached.includes(ctx.quarantinePolicyArn)) return { status: 'already', detail: `quarantine policy was already attached to user ${userName}` };
    const inline = await readInline(() => ctx.iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: QUARANTINE_INLINE_POLICY_NAME })));
    if (inline !== undefined) return { status: 'already', detail: `user ${userName} already has the inline quarantine ${QUARANTINE_INLINE_POLICY_NAME}` };
    try {
      await ctx.iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: ctx.quarantinePolicyArn }));
      return { status: 'done', detail: a.description };
    } catch (err) {
      if (!isQuotaExceeded(err)) throw err;
    }
    // Ten managed policies already: the compact inline quarantine, as contain does for the exposed key's user.
    await limited(
      () => ctx.iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: QUARANTINE_INLINE_POLICY_NAME, PolicyDocument: JSON.stringify(compactQuarantinePolicy()) })),
      `user ${userName} has 10 managed policies and full inline policies`,
    );
    return { status: 'done', detail: `put inline quarantine policy ${QUARANTINE_INLINE_POLICY_NAME} on user ${userName} (its managed-policy quota is full)` };
  },

  'delete-login-profile': async (a, ctx) => {
    const { userName } = target(a, 'user');
    try {
      await ctx.iam.send(new DeleteLoginProfileCommand({ UserName: userName }));
      return { status: 'done', detail: a.description };
    } catch (err) {
      // No password to delete (none was made, or a first attempt deleted it): nothing here to undo.
      if (isNoSuchEntity(err)) return { status: 'already', gone: true, detail: `user ${userName} has no console password` };
      throw err;
    }
  },

  'revoke-role-sessions': async (a, ctx) => {
    const { roleName } = target(a, 'role');
    return revoke(a, `role ${roleName}`, `role ${roleName}'s inline policies are full (10,240 characters)`, {
      read: (PolicyName) => ctx.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName })),
      put: (PolicyName, PolicyDocument) => ctx.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName, PolicyDocument })),
    });
  },

  'quarantine-role': async (a, ctx) => {
    const { roleName } = target(a, 'role');
    const doc = document(a);
    const existing = await readInline(() => ctx.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: doc.name })));
    if (existing !== undefined) return { status: 'already', detail: `role ${roleName} already has the inline quarantine ${doc.name}` };
    await limited(() => ctx.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: doc.name, PolicyDocument: doc.json })), `role ${roleName}'s inline policies are full (10,240 characters)`);
    return { status: 'done', detail: a.description };
  },

  'deactivate-service-credential': async (a, ctx) => {
    const { userName, credentialId } = target(a, 'service-credential');
    const read = async () => (await serviceCredentialsOf(ctx, userName)).find((c) => c.id === credentialId);
    const credential = await read();
    if (!credential) return { status: 'already', gone: true, detail: `credential ${credentialId} of user ${userName} no longer exists: it cannot be used` };
    if (credential.status === 'Inactive') return { status: 'already', detail: `credential ${credentialId} of user ${userName} was already Inactive` };
    await ctx.iam.send(new UpdateServiceSpecificCredentialCommand({ UserName: userName, ServiceSpecificCredentialId: credentialId, Status: 'Inactive' }));
    const after = await read();
    return { status: 'done', detail: `${a.description} (read back: ${after?.status ?? 'gone'})`, unverified: after?.status === 'Active' };
  },

  'stop-instance': async (a, ctx) => {
    const { region, instanceId } = target(a, 'instance');
    try {
      const was = await ctx.stopInstance(region, instanceId);
      if (was === 'stopped' || was === 'stopping') return { status: 'already', detail: `instance ${instanceId} in ${region} was already ${was}` };
      return { status: 'done', detail: `${a.description}: stopping (was ${was ?? 'unknown'})` };
    } catch (err) {
      if (awsErrorCode(err) === 'InvalidInstanceID.NotFound') return { status: 'already', gone: true, detail: `instance ${instanceId} in ${region} no longer exists` };
      throw err;
    }
  },
};

interface InlinePolicies {
  read(name: string): Promise<{ PolicyDocument?: string }>;
  put(name: string, document: string): Promise<unknown>;
}

/**
 * The revoke deny on a user or a role: written only when none revokes as late already, then read
 * back. Another response (another key of the same attacker) may write the same policy at the same
 * moment with an earlier time: a read-back earlier than ours is "not yet visible", and the
 * workflow's retry writes the later time again (a revocation time only moves later).
 */
async function revoke(a: PlannedAction, owner: string, full: string, policies: InlinePolicies): Promise<Outcome> {
  const doc = document(a);
  const wanted = Date.parse(doc.revokedBefore ?? '');
  const timeInPlace = async () => {
    const existing = await readInline(() => policies.read(doc.name));
    return existing === undefined ? undefined : revokedBefore(existing);
  };
  const at = await timeInPlace();
  if (at && Date.parse(at) >= wanted) {
    return { status: 'already', detail: `sessions of ${owner} were already revoked before ${at} (a revocation time only moves later)` };
  }
  await limited(() => policies.put(doc.name, doc.json), full);
  const back = await timeInPlace();
  return { status: 'done', detail: `${a.description} (read back: ${back ?? 'none'})`, unverified: !(back && Date.parse(back) >= wanted) };
}

function target<T extends PlannedAction['target']['type']>(a: PlannedAction, type: T): Extract<PlannedAction['target'], { type: T }> {
  if (a.target.type !== type) throw new Error(`${a.id}: target is ${a.target.type}, not ${type}`);
  return a.target as Extract<PlannedAction['target'], { type: T }>;
}

function document(a: PlannedAction): NonNullable<PlannedAction['document']> {
  if (!a.document) throw new Error(`${a.id}: no policy document planned`);
  return a.document;
}

async function keysOf(ctx: ActionContext, userName: string): Promise<Array<{ id: string; status: string }>> {
  // A user has at most two access keys: one page.
  const out = await ctx.iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return (out.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId ?? '', status: k.Status ?? 'unknown' }));
}

async function serviceCredentialsOf(ctx: ActionContext, userName: string): Promise<Array<{ id: string; status: string }>> {
  // A user has at most two credentials per service: one page.
  const out = await ctx.iam.send(new ListServiceSpecificCredentialsCommand({ UserName: userName }));
  return (out.ServiceSpecificCredentials ?? []).map((c) => ({ id: c.ServiceSpecificCredentialId ?? '', status: c.Status ?? 'unknown' }));
}

/** An inline policy's document (IAM returns it URL-encoded), or undefined when there is none. */
async function readInline(call: () => Promise<{ PolicyDocument?: string }>): Promise<unknown> {
  try {
    const raw = (await call()).PolicyDocument ?? '';
    for (const text of [raw, safeDecode(raw)]) {
      try {
        return JSON.parse(text);
      } catch {
        // the next reading
      }
    }
    return {}; // there, but unreadable: not ours to trust, rewritten when it is a revoke
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function limited(call: () => Promise<unknown>, why: string): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (isQuotaExceeded(err)) throw new ActionFailed(awsErrorCode(err) ?? 'LimitExceeded', `${why}: make room, then run the command`);
    throw err;
  }
}
