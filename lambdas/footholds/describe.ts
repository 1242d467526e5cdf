// One human line per foothold, with the record that proves it: the record, email and Slack show these.
import { Foothold } from './contract';

export function valuesLine(values: Record<string, string>): string {
  return Object.entries(values).map(([k, v]) => `${k}: ${v}`).join('; ') || 'no values recorded';
}

/** One line: what, and the record that proves it. */
export function describeFoothold(f: Foothold): string {
  const proof = `${f.proof.eventName} at ${f.proof.eventTime} in ${f.proof.region}${f.proof.sourceIp ? ` from ${f.proof.sourceIp}` : ''}, by ${f.proof.callerKeyId} (event ${f.proof.eventId})`;
  switch (f.kind) {
    case 'access-key':
      return `access key ${f.accessKeyId ?? '(id not recorded)'} of user ${f.userName}: ${proof}`;
    case 'user':
      return `user ${f.userName}: ${proof}`;
    case 'login-profile':
      return `console password of user ${f.userName}: ${proof}`;
    case 'assumed-role':
      return `role ${f.roleArn} assumed${f.sessionName ? ` as ${f.sessionName}` : ''}: ${proof}`;
    case 'external-role':
      return `role ${f.roleArn} of account ${f.accountId} assumed: ${proof}`;
    case 'created-role':
      return `role ${f.roleName}: ${proof}`;
    case 'permission-change':
      return `${f.targetType} ${f.target} changed: ${proof}`;
    case 'service-credential':
      return `${f.serviceName} credential ${f.credentialId ?? '(id not recorded)'} of user ${f.userName}: ${proof}`;
    case 'instance':
      return `instance ${f.instanceId}: ${proof}`;
    case 'resource':
      return `${f.type} ${f.name}: ${proof}`;
  }
}
