import { InvalidIncidentError, rethrowAws } from '../shared/errors';
import { Incident } from '../shared/incident';
import { isNoSuchEntity } from '../shared/user-reads';

/** A failed IAM call as the step's error: a missing user or key can never succeed, throttling is retried by the workflow. */
export function fail(incident: Incident, operation: string, err: unknown): never {
  if (isNoSuchEntity(err)) {
    throw new InvalidIncidentError(
      `${operation}: access key ${incident.accessKeyId} of user ${incident.userName} not found: ${(err as Error).message}`,
      { cause: err },
    );
  }
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
