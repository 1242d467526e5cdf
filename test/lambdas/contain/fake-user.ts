import {
  AttachUserPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AwsClientStub } from 'aws-sdk-client-mock';

/** What IAM knows of the user ci-deploy, kept between calls: GetUser, PutUserPolicy, GetUserPolicy. */
export interface FakeUser {
  path: string;
  tags: Record<string, string>;
  /** Inline policies: name -> document text as put. */
  readonly inline: Map<string, string>;
  /** Access keys: id -> status (the exposed key, Active, unless a test says otherwise). */
  readonly keys: Map<string, string>;
  /** ARNs of the attached managed policies. */
  readonly attached: Set<string>;
}

/**
 * Makes `iam` answer for a user as IAM would (stateful inline policies, key statuses, attached
 * policies); other commands answer {}.
 */
export function fakeUser(iam: AwsClientStub<IAMClient>, userName = 'ci-deploy', init: Partial<Pick<FakeUser, 'path' | 'tags'>> = {}): FakeUser {
  const user: FakeUser = { path: init.path ?? '/', tags: init.tags ?? {}, inline: new Map(), keys: new Map([['AKIAIOSFODNN7EXAMPLE', 'Active']]), attached: new Set() };
  iam.onAnyCommand().resolves({});
  iam.on(ListAccessKeysCommand).callsFake(() => ({ AccessKeyMetadata: [...user.keys].map(([AccessKeyId, Status]) => ({ UserName: userName, AccessKeyId, Status })), IsTruncated: false }));
  iam.on(UpdateAccessKeyCommand).callsFake((input: { AccessKeyId: string; Status: string }) => {
    user.keys.set(input.AccessKeyId, input.Status);
    return {};
  });
  iam.on(ListAttachedUserPoliciesCommand).callsFake(() => ({ AttachedPolicies: [...user.attached].map((PolicyArn) => ({ PolicyArn })), IsTruncated: false }));
  iam.on(AttachUserPolicyCommand).callsFake((input: { PolicyArn: string }) => {
    user.attached.add(input.PolicyArn);
    return {};
  });
  iam.on(GetUserCommand).callsFake((input: { UserName: string }) => {
    if (input.UserName !== userName) throw new NoSuchEntityException({ message: `The user with name ${input.UserName} cannot be found.`, $metadata: { httpStatusCode: 404 } });
    return { User: { UserName: userName, Path: user.path, Tags: Object.entries(user.tags).map(([Key, Value]) => ({ Key, Value })) } };
  });
  iam.on(PutUserPolicyCommand).callsFake((input: { PolicyName: string; PolicyDocument: string }) => {
    user.inline.set(input.PolicyName, input.PolicyDocument);
    return {};
  });
  iam.on(GetUserPolicyCommand).callsFake((input: { PolicyName: string }) => {
    const document = user.inline.get(input.PolicyName);
    if (document === undefined) throw new NoSuchEntityException({ message: `The user policy with name ${input.PolicyName} cannot be found.`, $metadata: { httpStatusCode: 404 } });
    // IAM returns the document URL-encoded.
    return { UserName: userName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(document) };
  });
  return user;
}

/** The time the stored revoke policy denies sessions before, read as literally as possible. */
export function storedRevocation(user: FakeUser, policyName: string): string | undefined {
  const text = user.inline.get(policyName);
  return text === undefined ? undefined : JSON.parse(text).Statement[0].Condition.DateLessThan['aws:TokenIssueTime'];
}
