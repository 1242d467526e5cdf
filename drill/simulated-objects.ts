// S3's conditional writes in the simulated account (the shared CloudTrail searches of a wave take
// their lease with If-None-Match / If-Match, as S3 has allowed since 2024). GetObject, with the
// object's ETag: drill/simulated-operator.ts.
import { awsError } from './aws-errors';

/** An object written to the simulated S3, by `bucket/key`. */
export interface SimulatedObject {
  readonly body: string;
  readonly contentType?: string;
  readonly etag?: string;
}

/** Throws what S3 answers when a conditional PutObject's condition does not hold (412 PreconditionFailed). */
export function preconditionHolds(existing: SimulatedObject | undefined, input: Record<string, unknown>): void {
  const refused = () => awsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  if (input.IfNoneMatch === '*' && existing) throw refused();
  if (input.IfMatch !== undefined && existing?.etag !== input.IfMatch) {
    if (!existing) throw awsError('NoSuchKey', 'The specified key does not exist.');
    throw refused();
  }
}
