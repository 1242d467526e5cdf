import { EscalationRequiredError } from '../shared/errors';
import { INLINE_USER_POLICY_QUOTA, PolicyDocument, policySize } from '../shared/policies';

/** The shell command that puts an inline policy (the document in single quotes: it has none). */
function putUserPolicy(userName: string, policyName: string, document: PolicyDocument): string {
  return `aws iam put-user-policy --user-name ${userName} --policy-name ${policyName} --policy-document '${JSON.stringify(document)}'`;
}

/** The commands that free room among a user's inline policies. */
function makeInlineRoom(userName: string): string[] {
  return [
    `aws iam list-user-policies --user-name ${userName}`,
    `aws iam get-user-policy --user-name ${userName} --policy-name <one of them>    # keep a copy (move it to a managed policy if the user still needs it)`,
    `aws iam delete-user-policy --user-name ${userName} --policy-name <one of them>`,
  ];
}

function commands(lines: string[]): string {
  return lines.map((l) => `  ${l}`).join('\n');
}

/** The revoke policy could not be written: the user's inline policies are full. */
export function revokePolicyEscalation(userName: string, policyName: string, document: PolicyDocument, cause: unknown): EscalationRequiredError {
  return new EscalationRequiredError(
    `inline policy ${policyName} could not be put on user ${userName}: the user's inline policies are at IAM's quota ` +
      `(${INLINE_USER_POLICY_QUOTA} characters for all of them together; this one needs ${policySize(document)}), so sessions ` +
      `issued before the incident are NOT revoked. A human must make room for ${policyName}, then put it:\n` +
      commands([...makeInlineRoom(userName), putUserPolicy(userName, policyName, document)]),
    { cause },
  );
}

/**
 * The quarantine could not be put in place: the user has its quota of managed policies and no room
 * for the compact inline quarantine either.
 */
export function quarantineEscalation(
  userName: string,
  quarantinePolicyArn: string,
  inlineName: string,
  inlineDocument: PolicyDocument,
  cause: unknown,
): EscalationRequiredError {
  return new EscalationRequiredError(
    `user ${userName} could not be quarantined: it has IAM's quota of managed policies (10), and its inline policies have no ` +
      `room for ${inlineName} (${policySize(inlineDocument)} of ${INLINE_USER_POLICY_QUOTA} characters). A human must either ` +
      `detach one managed policy and attach the quarantine:\n` +
      commands([
        `aws iam list-attached-user-policies --user-name ${userName}`,
        `aws iam detach-user-policy --user-name ${userName} --policy-arn <one of them>`,
        `aws iam attach-user-policy --user-name ${userName} --policy-arn ${quarantinePolicyArn}`,
      ]) +
      `\nor make room for ${inlineName} among its inline policies, then put it:\n` +
      commands([...makeInlineRoom(userName), putUserPolicy(userName, inlineName, inlineDocument)]),
    { cause },
  );
}
