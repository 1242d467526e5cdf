import { IAMClient } from '@aws-sdk/client-iam';
import { TransientAwsError } from '../shared/errors';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import { latestTime, REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy } from '../shared/policies';
import { readInlinePolicy, revocationTimeOf } from '../shared/user-reads';
import { revokePolicyEscalation } from './escalation';
import { iamCall, putInlinePolicy } from './iam-call';

/** Writes of the revoke policy one invocation makes at most before leaving it to the workflow's retry. */
export const REVOKE_WRITE_ATTEMPTS = 3;

export interface RevokeDeps {
  readonly iam: IAMClient;
  readonly logger: Log;
}

/** What the revocation left in place. */
export interface Revocation {
  /** The time the user's revoke policy now denies sessions issued before. */
  readonly revokedBefore: string;
  /** This response's own time (its start plus the margin). */
  readonly own: string;
}

function isEarlier(a: string | undefined, b: string): boolean {
  return a === undefined || Number.isNaN(Date.parse(a)) || Date.parse(a) < Date.parse(b);
}

/**
 * Puts the inline revoke policy so that its time only ever moves later: the later of the time
 * already in place (`inPlace`, read before) and this response's own. Two executions (two keys of
 * one user) write the same policy: after writing, it reads the policy back once and, if another
 * execution overwrote it with an earlier time (or another document), writes the later time again
 * (at most {@link REVOKE_WRITE_ATTEMPTS} writes, then a {@link TransientAwsError} so the workflow
 * retries). A policy written but not found when read back (NoSuchEntity: not yet visible, IAM being
 * eventually consistent, or deleted since) is not written again at once, which would not make it
 * visible sooner: a {@link TransientAwsError} at once, and the workflow's retry, after its wait,
 * writes and reads again. A full inline quota cannot be fixed by the responder:
 * EscalationRequiredError with the commands.
 */
export async function revokeSessions(incident: Incident, own: string, inPlace: string | undefined, deps: RevokeDeps): Promise<Revocation> {
  let target = latestTime(inPlace, own) ?? own;
  if (target !== own) deps.logger.info('a later revocation is already in place: keeping it', { inPlace, own });
  for (let attempt = 1; ; attempt++) {
    await put(incident, target, deps);
    deps.logger.info('revoke policy written', { userName: incident.userName, revokedBefore: target, attempt });
    const document = await iamCall(incident, 'GetUserPolicy', () => readInlinePolicy(deps.iam, incident.userName, REVOKE_SESSIONS_POLICY_NAME));
    if (document === undefined) {
      throw new TransientAwsError(
        `GetUserPolicy: the revoke policy ${REVOKE_SESSIONS_POLICY_NAME} of user ${incident.userName} was written (PutUserPolicy succeeded, denying sessions issued before ${target}) but reading it back answered NoSuchEntity: not yet visible (IAM is eventually consistent) or deleted since, so those sessions are not confirmed revoked`,
      );
    }
    const back = revocationTimeOf(document);
    if (!isEarlier(back, target)) return { revokedBefore: back as string, own };
    if (attempt >= REVOKE_WRITE_ATTEMPTS) {
      throw new TransientAwsError(
        back === undefined
          ? `PutUserPolicy: the revoke policy ${REVOKE_SESSIONS_POLICY_NAME} of user ${incident.userName} was replaced by a document that revokes nothing ${REVOKE_WRITE_ATTEMPTS} times (wanted ${target})`
          : `PutUserPolicy: the revoke policy of user ${incident.userName} was overwritten with an earlier time ${REVOKE_WRITE_ATTEMPTS} times (last read: ${back}, wanted ${target})`,
      );
    }
    deps.logger.warn('revoke policy overwritten with an earlier time: writing the later one again', { found: back ?? 'none', wanted: target });
    target = latestTime(back, target) ?? target;
  }
}

function put(incident: Incident, before: string, deps: RevokeDeps): Promise<void> {
  const document = revokeOlderSessionsPolicy(before);
  return putInlinePolicy(deps.iam, incident, REVOKE_SESSIONS_POLICY_NAME, document, (err) => {
    deps.logger.error('inline policy quota full: the revoke policy cannot be written, escalating', { userName: incident.userName });
    return revokePolicyEscalation(incident.userName, REVOKE_SESSIONS_POLICY_NAME, document, err);
  });
}
