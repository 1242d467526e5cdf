import { GetUserCommand, GetUserPolicyCommand, IAMClient, NoSuchEntityException, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AwsClientStub } from 'aws-sdk-client-mock';

/** What IAM knows of the user ci-deploy, kept between calls: GetUser, PutUserPolicy, GetUserPolicy. */
export interface FakeUser {
  path: string;
  tags: Record<string, string>;
  /** Inline policies: name -> document text as put. */
  readonly inline: Map<string, string>;
}

/** Makes `iam` answer for a user as IAM would (stateful inline policies); other commands answer {}. */
export function fakeUser(iam: AwsClientStub<IAMClient>, userName = 'ci-deploy', init: Partial<Pick<FakeUser, 'path' | 'tags'>> = {}): FakeUser {
  const user: FakeUser = { path: init.path ?? '/', tags: init.tags ?? {}, inline: new Map() };
  iam.onAnyCommand().resolves({});
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
