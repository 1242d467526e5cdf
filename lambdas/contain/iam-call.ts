import { IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { awsErrorCode, InvalidIncidentError, isQuotaExceeded, isThrottling, rethrowAws, ThrottledError } from '../shared/errors';
import { Incident } from '../shared/incident';
import { PolicyDocument } from '../shared/policies';
import { isNoSuchEntity } from '../shared/user-reads';

/** A failed IAM call as the step's error: a missing user or key can never succeed, throttling (ThrottledError) and other transient failures are retried by the workflow. */
export function fail(incident: Incident, operation: string, err: unknown): never {
  if (isNoSuchEntity(err)) {
    throw new InvalidIncidentError(
      `${operation}: access key ${incident.accessKeyId} of user ${incident.userName} not found: ${(err as Error).message}`,
      { cause: err },
    );
  }
  // A wave of incidents shares IAM's rate: the workflow waits its turn (its own Retry entry).
  if (isThrottling(err)) throw new ThrottledError(`${operation}: ${awsErrorCode(err)}: ${(err as Error).message}`, { cause: err });
  return rethrowAws(err, operation);
}

/** Runs one IAM call, failing as {@link fail} says. */
export async function iamCall<T>(incident: Incident, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    return fail(incident, operation, err);
  }
}

/**
 * Puts an inline policy on the incident's user. A full inline quota (LimitExceeded) is final: the
 * error `whenFull` makes of it is thrown (the escalation with the commands); any other failure as
 * {@link fail} says.
 */
export async function putInlinePolicy(
  iam: IAMClient,
  incident: Incident,
  policyName: string,
  document: PolicyDocument,
  whenFull: (err: unknown) => Error,
): Promise<void> {
  try {
    await iam.send(new PutUserPolicyCommand({ UserName: incident.userName, PolicyName: policyName, PolicyDocument: JSON.stringify(document) }));
  } catch (err) {
    if (!isQuotaExceeded(err)) fail(incident, 'PutUserPolicy', err);
    throw whenFull(err);
  }
}
