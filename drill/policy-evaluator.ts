import { actionMatches, QUARANTINE_DENIED_ACTIONS } from '../lambdas/shared/policies';

/**
 * A small IAM policy evaluator for the simulated account's SimulatePrincipalPolicy and
 * SimulateCustomPolicy: Allow/Deny, Action/NotAction with wildcards. Resources are taken as
 * matching and statements with a Condition are skipped, as IAM does when the simulation gives no
 * context values. Enough to say which high-risk actions a user could call; not a full evaluator.
 */
export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Condition?: unknown;
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function applies(s: Statement, action: string): boolean {
  if (s.Condition !== undefined) return false;
  if (s.NotAction !== undefined) return !list(s.NotAction).some((p) => actionMatches(p, action));
  return list(s.Action).some((p) => actionMatches(p, action));
}

function statements(doc: unknown): Statement[] {
  const st = (doc as { Statement?: Statement | Statement[] } | undefined)?.Statement;
  return st === undefined ? [] : Array.isArray(st) ? st : [st];
}

export function evaluate(documents: readonly unknown[], action: string): Decision {
  const all = documents.flatMap(statements);
  if (all.some((s) => s.Effect === 'Deny' && applies(s, action))) return 'explicitDeny';
  if (all.some((s) => s.Effect === 'Allow' && applies(s, action))) return 'allowed';
  return 'implicitDeny';
}

const deny = (actions: readonly string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: [...actions], Resource: '*' }] });
const allow = (actions: string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

/**
 * AWS-managed policies the simulated account knows the documents of. ReadOnlyAccess and the AWS
 * quarantine policies are approximations (the real documents are long lists); any other AWS
 * policy grants nothing here.
 */
export const AWS_MANAGED_DOCUMENTS: Record<string, unknown> = {
  AdministratorAccess: allow(['*']),
  PowerUserAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }] },
  ReadOnlyAccess: allow(['*:Describe*', '*:Get*', '*:List*', 's3:GetObject']),
  AWSCompromisedKeyQuarantine: deny(QUARANTINE_DENIED_ACTIONS.filter((a) => !a.startsWith('cloudtrail:') && !a.startsWith('sts:AssumeRole'))),
  AWSCompromisedKeyQuarantineV2: deny(QUARANTINE_DENIED_ACTIONS),
  AWSCompromisedKeyQuarantineV3: deny(QUARANTINE_DENIED_ACTIONS),
};
