import { GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, paginateListAttachedUserPolicies } from '@aws-sdk/client-iam';
import { ContainmentNotVerifiedError, rethrowAws } from '../shared/errors';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import { QUARANTINE_INLINE_POLICY_NAME, revocationTime } from '../shared/policies';
import { ProtectionRules } from '../shared/protection';
import { Verification } from '../shared/steps';
import { isNoSuchEntity, readRevocationTime, userProtection } from '../shared/user-reads';

export interface VerifyConfig {
  readonly dryRun: boolean;
  readonly quarantinePolicyArn: string;
  /** Users never changed (PROTECTED_USERS): the same rule as contain, against what IAM says now. */
  readonly protectedPrincipals: ProtectionRules;
}

export interface VerifyDeps {
  readonly iam: IAMClient;
  readonly logger: Log;
  readonly config: VerifyConfig;
  readonly now?: () => Date;
}

/** Runs one read, turning throttling into TransientAwsError. */
async function read<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    return rethrowAws(err, operation);
  }
}

/**
 * Reads the account back: the exposed key must be Inactive, the revoke policy must reach at least
 * {@link revocationTime} of the incident's dispatch (the floor: any later time passes, as the time
 * only ever moves later and two keys of one user are two executions writing one policy), the
 * quarantine policy must be attached (or its inline fallback put). A protected user (name, path or
 * tag, as IAM says now: the same rule contain applies) is `skipped`, not a failure. IAM is
 * eventually consistent, so a miss throws {@link ContainmentNotVerifiedError}, which the workflow
 * retries before failing. All reads run in parallel.
 */
export async function verify(incident: Incident, deps: VerifyDeps): Promise<Verification> {
  const checkedAt = (deps.now ?? (() => new Date()))().toISOString();
  const skipped: Verification = { status: 'skipped', otherKeys: [], quarantineAttached: false, checkedAt, problems: [] };
  if (incident.principalType === 'root' || incident.protectedPrincipal) return skipped;
  const protection = read('GetUser', () => userProtection(deps.iam, incident.userName, deps.config.protectedPrincipals));
  const reads = Promise.all([
    read('ListAccessKeys', () => listKeys(incident, deps)),
    read('GetUserPolicy', () => readRevocationTime(deps.iam, incident.userName)),
    read('ListAttachedUserPolicies', () => attachedPolicies(incident, deps)),
    read('GetUserPolicy', () => hasInlineQuarantine(incident, deps)),
  ]);
  reads.catch(() => undefined); // a protected user's reads do not matter: never an unhandled rejection
  const reason = await protection;
  if (reason) {
    deps.logger.warn('verification skipped: the user is protected', { userName: incident.userName, reason });
    return skipped;
  }
  const [keys, revoked, attached, inlineQuarantine] = await reads;
  const required = revocationTime(incident.dispatchedAt);
  const key = keys.find((k) => k.accessKeyId === incident.accessKeyId);
  const quarantineAttached = attached.includes(deps.config.quarantinePolicyArn) || inlineQuarantine;
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
  deps.logger.info('containment verified', { otherKeys: result.otherKeys.length, sessionsRevokedBefore: revoked, required });
  return result;
}

async function listKeys(incident: Incident, deps: VerifyDeps) {
  // A user has at most two access keys: one page.
  const out = await deps.iam.send(new ListAccessKeysCommand({ UserName: incident.userName }));
  return (out.AccessKeyMetadata ?? []).map((k) => ({ accessKeyId: k.AccessKeyId ?? '', status: k.Status ?? 'unknown' }));
}

/** Whether the inline fallback of the quarantine is there. */
async function hasInlineQuarantine(incident: Incident, deps: VerifyDeps): Promise<boolean> {
  try {
    const out = await deps.iam.send(new GetUserPolicyCommand({ UserName: incident.userName, PolicyName: QUARANTINE_INLINE_POLICY_NAME }));
    return Boolean(out?.PolicyDocument);
  } catch (err) {
    if (isNoSuchEntity(err)) return false;
    throw err;
  }
}

async function attachedPolicies(incident: Incident, deps: VerifyDeps): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of paginateListAttachedUserPolicies({ client: deps.iam }, { UserName: incident.userName })) {
    for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
  }
  return arns;
}
