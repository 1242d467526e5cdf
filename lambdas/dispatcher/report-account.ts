// Organization mode, a report by hand: the account of the reported key is what STS says.
import { describeError, isTransientAwsError, rethrowAws } from '../shared/errors';
import { parseDetection } from '../shared/events';
import { ACCOUNT_ID_PATTERN } from '../shared/incident';
import { Log } from '../shared/logger';
import { KeyAccountLookup } from './owners';

export interface ReportAccountDeps {
  readonly keyAccount: KeyAccountLookup;
  /** The responder's own account (the reporters' and the report bus's). */
  readonly ownAccountId: string;
  readonly logger: Log;
}

/**
 * A report by hand is put on the report bus by a reporter of the responder's own account, so its
 * event's `account` is that account, whichever account the key is of. In organization mode the
 * account to act in is the one STS says owns the key (`sts:GetAccessKeyInfo`); the account the
 * report names is a hint only.
 *
 * Returns that account when it is another than the responder's own: the caller then acts there
 * through its member role, or refuses when the role cannot be assumed (an account outside the
 * organization, or without the member stack). Undefined, and the event's account is used as for
 * every event, when: the event is not a report by hand of the responder's own account naming one
 * usable key id; STS says the key is of the responder's own account; STS gives no account id; STS
 * refuses (AccessDenied, a malformed id: IAM of the responder's account then decides, as in
 * per-account mode). An unparseable event is left to the dispatcher (it throws there).
 * A transient STS failure throws TransientAwsError: the invocation fails, EventBridge retries.
 */
export async function reportedKeyAccount(event: unknown, deps: ReportAccountDeps): Promise<string | undefined> {
  if ((event as { account?: unknown } | null)?.account !== deps.ownAccountId) return undefined;
  let accessKeyId: string;
  try {
    const detection = parseDetection(event);
    if (detection.source !== 'manual' || detection.accessKeyIds.length !== 1) return undefined;
    accessKeyId = detection.accessKeyIds[0];
  } catch {
    return undefined;
  }
  let account: string | undefined;
  try {
    account = await deps.keyAccount(accessKeyId);
  } catch (err) {
    // Throttled or unavailable (after the client's retries): transient, the event is retried.
    if (isTransientAwsError(err)) rethrowAws(err, `GetAccessKeyInfo ${accessKeyId}`);
    deps.logger.warn('sts:GetAccessKeyInfo failed: the key is looked up in the responder\'s own account', { accessKeyId, error: describeError(err) });
    return undefined;
  }
  if (account === undefined || !ACCOUNT_ID_PATTERN.test(account) || account === deps.ownAccountId) return undefined;
  deps.logger.info('report by hand of a key of another account (sts:GetAccessKeyInfo)', { accessKeyId, keyAccount: account });
  return account;
}
