// The root user of the simulated (member) account, as a root session from sts:AssumeRoot sees it
// (drill/simulated-sts.ts): its access keys, listed and deleted without a UserName, and nothing
// beyond what the task policy allows.
import { awsError, noSuchEntity } from './aws-errors';
import { Scenario } from './scenario';

type RootKey = Scenario['rootAccessKeys'][number];

/**
 * The IAM actions of the AWS managed task policy `IAMDeleteRootUserCredentials`
 * (arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials): deletions and reads of the root
 * user's credentials. No `iam:UpdateAccessKey`: a root session can delete a key, never deactivate it.
 */
export const DELETE_ROOT_CREDENTIALS_ACTIONS: ReadonlySet<string> = new Set([
  'DeactivateMFADevice',
  'DeleteAccessKey',
  'DeleteLoginProfile',
  'DeleteSigningCertificate',
  'DeleteVirtualMFADevice',
  'GetAccessKeyLastUsed',
  'GetLoginProfile',
  'GetUser',
  'ListAccessKeys',
  'ListMFADevices',
  'ListSigningCertificates',
]);

/** What a root session's IAM calls act on: the root user's own credentials. */
export class RootUserOperations {
  constructor(readonly keys: RootKey[]) {}

  /** The root user's own keys: a root session names no other user. */
  private own(input: Record<string, unknown>): void {
    if (input.UserName !== undefined) {
      throw awsError('AccessDenied', `simulated: a root session from sts:AssumeRoot acts on the root user only, not on user ${String(input.UserName)}`);
    }
  }

  protected iam_ListAccessKeys(input: Record<string, unknown>) {
    this.own(input);
    return {
      AccessKeyMetadata: this.keys.map((k) => ({ AccessKeyId: k.accessKeyId, Status: k.status, ...(k.createDate ? { CreateDate: new Date(k.createDate) } : {}) })),
      IsTruncated: false,
    };
  }

  protected iam_DeleteAccessKey(input: Record<string, unknown>) {
    this.own(input);
    const at = this.keys.findIndex((k) => k.accessKeyId === input.AccessKeyId);
    if (at < 0) throw noSuchEntity(`The Access Key with id ${String(input.AccessKeyId)} cannot be found.`);
    this.keys.splice(at, 1);
    return {};
  }
}
