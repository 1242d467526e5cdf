import {
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  paginateListAttachedUserPolicies,
} from '@aws-sdk/client-iam';
import { awsErrorCode, ContainmentNotVerifiedError, rethrowAws } from '../shared/errors';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import { Verification } from '../shared/steps';
import { QUARANTINE_INLINE_POLICY_NAME, REVOKE_SESSIONS_POLICY_NAME, RESPONDER_POLICY_PATH, revocationTime, revokedBefore } from '../shared/policies';

export interface VerifyConfig {
  readonly dryRun: boolean;
  readonly quarantinePolicyArn: string;
}

export interface VerifyDeps {
  readonly iam: IAMClient;
  readonly logger: Log;
  readonly config: VerifyConfig;
  readonly now?: () => Date;
}


/**
 * Reads the account back: the exposed key must be Inactive, the revoke policy must reach at least
 * {@link revocationTime} of the incident's dispatch (not of this execution's start: two keys of one
 * user are two executions started together, and the policy both write holds either one's time), the
 * quarantine policy must be attached. IAM is eventually consistent,
 * so a miss throws {@link ContainmentNotVerifiedError}, which the workflow retries before failing.
 */
export async function verify(incident: Incident, revokeBefore: string, deps: VerifyDeps): Promise<Verification> {
  const checkedAt = (deps.now ?? (() => new Date()))().toISOString();
  if (incident.principalType === 'root' || incident.protectedPrincipal) {
    return { status: 'skipped', otherKeys: [], quarantineAttached: false, checkedAt, problems: [] };
  }
  const [keys, inlineRevoked, attached] = await Promise.all([
    listKeys(incident, deps),
    revokePolicyTime(incident, deps),
    attachedPolicies(incident, deps),
  ]);
  // The managed fallback (inline quota full) is named after the incident: it holds this
  // execution's revocation time.
  const fallback = `${RESPONDER_POLICY_PATH}${REVOKE_SESSIONS_POLICY_NAME}-${incident.incidentId}`;
  const revoked = inlineRevoked ?? (attached.some((arn) => arn.endsWith(fallback)) ? revocationTime(revokeBefore) : undefined);
  const required = revocationTime(incident.dispatchedAt);
  const key = keys.find((k) => k.accessKeyId === incident.accessKeyId);
  // The managed quarantine, or its inline fallback when the user's managed-policy quota was full.
  const quarantineAttached = attached.includes(deps.config.quarantinePolicyArn) || (await hasInlineQuarantine(incident, deps));
  const problems: string[] = [];
  if (!key) problems.push(`access key ${incident.accessKeyId} is not a key of user ${incident.userName}`);
  else if (key.status !== 'Inactive') problems.push(`access key ${incident.accessKeyId} is ${key.status}`);
  if (!revoked || !(Date.parse(revoked) >= Date.parse(required))) {
    problems.push(revoked ? `sessions are revoked only before ${revoked}` : 'no policy revokes the older sessions');
  }
  if (!quarantineAttached) problems.push(`quarantine policy ${deps.config.quarantinePolicyArn} is not attached (nor ${QUARANTINE_INLINE_POLICY_NAME} inline)`);

  const result: Verification = {
    status: deps.config.dryRun ? 'dry-run' : 'verified',
    keyStatus: key?.status,
    otherKeys: keys.filter((k) => k.accessKeyId !== incident.accessKeyId),
    sessionsRevokedBefore: revoked,
    quarantineAttached,
    checkedAt,
    problems,
  };
  if (deps.config.dryRun) {
    deps.logger.info('dry run: account observed, nothing was changed', { problems });
    return result;
  }
  if (problems.length > 0) {
    deps.logger.warn('containment not (yet) visible', { problems });
    throw new ContainmentNotVerifiedError(problems.join('; '));
  }
  deps.logger.info('containment verified', { otherKeys: result.otherKeys.length });
  return result;
}

async function listKeys(incident: Incident, deps: VerifyDeps) {
  try {
    // A user has at most two access keys: one page.
    const out = await deps.iam.send(new ListAccessKeysCommand({ UserName: incident.userName }));
    return (out.AccessKeyMetadata ?? []).map((k) => ({ accessKeyId: k.AccessKeyId ?? '', status: k.Status ?? 'unknown' }));
  } catch (err) {
    return rethrowAws(err, 'ListAccessKeys');
  }
}

/** The time the inline revoke policy revokes before, if there is one. */
async function hasInlineQuarantine(incident: Incident, deps: VerifyDeps): Promise<boolean> {
  try {
    const out = await deps.iam.send(new GetUserPolicyCommand({ UserName: incident.userName, PolicyName: QUARANTINE_INLINE_POLICY_NAME }));
    return Boolean(out?.PolicyDocument);
  } catch (err) {
    const code = awsErrorCode(err);
    if (code === 'NoSuchEntity' || code === 'NoSuchEntityException') return false;
    return rethrowAws(err, 'GetUserPolicy');
  }
}

async function revokePolicyTime(incident: Incident, deps: VerifyDeps): Promise<string | undefined> {
  try {
    const out = await deps.iam.send(new GetUserPolicyCommand({ UserName: incident.userName, PolicyName: REVOKE_SESSIONS_POLICY_NAME }));
    return revokedBefore(JSON.parse(decodeURIComponent(out.PolicyDocument ?? '')));
  } catch (err) {
    const code = awsErrorCode(err);
    if (code === 'NoSuchEntity' || code === 'NoSuchEntityException') return undefined;
    return rethrowAws(err, 'GetUserPolicy');
  }
}

async function attachedPolicies(incident: Incident, deps: VerifyDeps): Promise<string[]> {
  const arns: string[] = [];
  try {
    for await (const page of paginateListAttachedUserPolicies({ client: deps.iam }, { UserName: incident.userName })) {
      for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
    }
  } catch (err) {
    rethrowAws(err, 'ListAttachedUserPolicies');
  }
  return arns;
}
