// The AWS CLI commands people run: to finish an action by hand, or to undo one. Values come from
// CloudTrail records, which an attacker shapes (names, documents): every one is shell-quoted, so a
// command copied from an email runs what it says and nothing else.
import { PolicyDocument } from '../shared/policies';
import { Foothold } from './contract';

/** One shell word: plain when it is only safe characters, else single-quoted. */
export function sh(value: string): string {
  return /^[A-Za-z0-9_+=,.@:/%-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `aws <words...>`, each value quoted; flags (`--x`) and the service/operation are written as given. */
export function aws(...words: string[]): string {
  return ['aws', ...words.map((w) => (/^--[a-z-]+$/.test(w) ? w : sh(w)))].join(' ');
}

export function json(document: PolicyDocument): string {
  return JSON.stringify(document);
}

export const cli = {
  deactivateKey: (userName: string, keyId: string) => aws('iam', 'update-access-key', '--user-name', userName, '--access-key-id', keyId, '--status', 'Inactive'),
  activateKey: (userName: string, keyId: string) => aws('iam', 'update-access-key', '--user-name', userName, '--access-key-id', keyId, '--status', 'Active'),
  listKeys: (userName: string) => aws('iam', 'list-access-keys', '--user-name', userName),
  putUserPolicy: (userName: string, name: string, doc: PolicyDocument) =>
    aws('iam', 'put-user-policy', '--user-name', userName, '--policy-name', name, '--policy-document', json(doc)),
  deleteUserPolicy: (userName: string, name: string) => aws('iam', 'delete-user-policy', '--user-name', userName, '--policy-name', name),
  attachUserPolicy: (userName: string, arn: string) => aws('iam', 'attach-user-policy', '--user-name', userName, '--policy-arn', arn),
  detachUserPolicy: (userName: string, arn: string) => aws('iam', 'detach-user-policy', '--user-name', userName, '--policy-arn', arn),
  deleteLoginProfile: (userName: string) => aws('iam', 'delete-login-profile', '--user-name', userName),
  /** A legitimate user's console access back: a new password the owner must change, never the attacker's. */
  createLoginProfile: (userName: string) =>
    `${aws('iam', 'create-login-profile', '--user-name', userName, '--password-reset-required', '--password')} '<a new temporary password, sent to the owner>'`,
  putRolePolicy: (roleName: string, name: string, doc: PolicyDocument) =>
    aws('iam', 'put-role-policy', '--role-name', roleName, '--policy-name', name, '--policy-document', json(doc)),
  /** The stack's managed quarantine document, copied inline onto a role (runnable; short enough for a message). */
  putRoleQuarantine: (roleName: string, name: string, managedArn: string) =>
    `${aws('iam', 'get-policy-version', '--policy-arn', managedArn, '--version-id')} "$(${aws('iam', 'get-policy', '--policy-arn', managedArn, '--query', 'Policy.DefaultVersionId', '--output', 'text')})" --query PolicyVersion.Document --output json > quarantine.json && ${aws('iam', 'put-role-policy', '--role-name', roleName, '--policy-name', name, '--policy-document')} file://quarantine.json`,
  deleteRolePolicy: (roleName: string, name: string) => aws('iam', 'delete-role-policy', '--role-name', roleName, '--policy-name', name),
  deactivateServiceCredential: (userName: string, id: string) =>
    aws('iam', 'update-service-specific-credential', '--user-name', userName, '--service-specific-credential-id', id, '--status', 'Inactive'),
  activateServiceCredential: (userName: string, id: string) =>
    aws('iam', 'update-service-specific-credential', '--user-name', userName, '--service-specific-credential-id', id, '--status', 'Active'),
  listServiceCredentials: (userName: string) => aws('iam', 'list-service-specific-credentials', '--user-name', userName),
  stopInstance: (region: string, id: string) => aws('ec2', 'stop-instances', '--region', region, '--instance-ids', id),
  startInstance: (region: string, id: string) => aws('ec2', 'start-instances', '--region', region, '--instance-ids', id),
  snapshotInstance: (region: string, id: string) =>
    aws('ec2', 'create-snapshots', '--region', region, '--instance-specification', `InstanceId=${id}`, '--copy-tags-from-source', 'volume'),
  deleteRole: (roleName: string) =>
    `${aws('iam', 'list-role-policies', '--role-name', roleName)}; ${aws('iam', 'list-attached-role-policies', '--role-name', roleName)}; then delete or detach each, and ${aws('iam', 'delete-role', '--role-name', roleName)}`,
};

/** The command that undoes what the attacker did, for a foothold that is only reported. */
export function undoReported(f: Extract<Foothold, { kind: 'permission-change' | 'resource' }>): string {
  if (f.kind === 'resource') return undoResource(f);
  const v = f.values;
  switch (f.proof.eventName) {
    case 'AttachRolePolicy':
      return aws('iam', 'detach-role-policy', '--role-name', f.target, '--policy-arn', v.policyArn ?? '<policy arn>');
    case 'AttachUserPolicy':
      return cli.detachUserPolicy(f.target, v.policyArn ?? '<policy arn>');
    case 'AttachGroupPolicy':
      return aws('iam', 'detach-group-policy', '--group-name', f.target, '--policy-arn', v.policyArn ?? '<policy arn>');
    case 'PutRolePolicy':
      return `${cli.deleteRolePolicy(f.target, v.policyName ?? '<policy name>')} (or put back its previous document, if it replaced one)`;
    case 'PutUserPolicy':
      return `${cli.deleteUserPolicy(f.target, v.policyName ?? '<policy name>')} (or put back its previous document, if it replaced one)`;
    case 'PutGroupPolicy':
      return `${aws('iam', 'delete-group-policy', '--group-name', f.target, '--policy-name', v.policyName ?? '<policy name>')} (or put back its previous document, if it replaced one)`;
    case 'AddUserToGroup':
      return aws('iam', 'remove-user-from-group', '--user-name', f.target, '--group-name', v.groupName ?? '<group name>');
    case 'UpdateAssumeRolePolicy':
      return `${aws('iam', 'update-assume-role-policy', '--role-name', f.target, '--policy-document')} file://previous-trust-policy.json (the previous trust policy is not in the record: take it from AWS Config or your infrastructure code)`;
    case 'CreatePolicyVersion': {
      const version = f.versionId ?? '<the version it created>';
      const setBack = v.setAsDefault === 'true' ? `${aws('iam', 'set-default-policy-version', '--policy-arn', f.target, '--version-id')} <the previous default version>; then ` : '';
      return `${setBack}${aws('iam', 'delete-policy-version', '--policy-arn', f.target, '--version-id', version)}`;
    }
    case 'SetDefaultPolicyVersion':
      return `${aws('iam', 'set-default-policy-version', '--policy-arn', f.target, '--version-id')} <the previous default version: see ${aws('iam', 'list-policy-versions', '--policy-arn', f.target)}>`;
    default:
      return `undo ${f.proof.eventName} on ${f.target} by hand`;
  }
}

function undoResource(f: Extract<Foothold, { kind: 'resource' }>): string {
  const region = f.region;
  switch (f.type) {
    case 'lambda-function':
      return `${aws('lambda', 'get-function', '--region', region, '--function-name', f.name)} (keep its code as evidence), then ${aws('lambda', 'delete-function', '--region', region, '--function-name', f.name)}`;
    case 'key-pair':
      return aws('ec2', 'delete-key-pair', '--region', region, '--key-name', f.name);
    case 'security-group-ingress':
      if (f.values.ruleIds) return aws('ec2', 'revoke-security-group-ingress', '--region', region, '--group-id', f.name, '--security-group-rule-ids', ...f.values.ruleIds.split(' '));
      return `${aws('ec2', 'revoke-security-group-ingress', '--region', region, f.values.byName ? '--group-name' : '--group-id', f.name, '--ip-permissions')} '<the rules the record shows opened>'`;
    case 'bucket-policy':
      return `${aws('s3api', 'delete-bucket-policy', '--bucket', f.name)} (or put back the previous policy, if it replaced one)`;
    case 'ses-identity':
      return f.values.api === 'sesv2'
        ? aws('sesv2', 'delete-email-identity', '--region', region, '--email-identity', f.name)
        : aws('ses', 'delete-identity', '--region', region, '--identity', f.name);
  }
}
