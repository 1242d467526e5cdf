// What the key can do: its user's policies (attached, inline, through groups) and two simulations
// of the high-risk actions, now and before containment.
import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { isAwsQuarantinePolicyArn, LEGACY_QUARANTINE_INLINE_POLICY } from '../shared/events';
import { Incident } from '../shared/incident';
import { RESPONDER_POLICY_PATH } from '../shared/policies';
import { HIGH_RISK_ACTIONS, Investigation } from './contract';
import { Context, errorText, Failure, withBackoff } from './deps';

type Reach = Investigation['reach'];

/**
 * The user's policies: attached, inline and through its groups, and two simulations of
 * {@link HIGH_RISK_ACTIONS}:
 *
 * - `allowedHighRisk` / `deniedHighRisk`: SimulatePrincipalPolicy on the user as it is NOW, with
 *   the quarantine (ours, AWS's) and the revoke policy in place. It cannot leave a policy out, so
 *   after containment most of these are denied: that shows the quarantine holds, not what the key
 *   could do.
 * - `allowedBeforeContainment`: SimulateCustomPolicy on the user's own policy documents (managed
 *   via GetPolicy + GetPolicyVersion, inline via GetUserPolicy/GetGroupPolicy) without the
 *   responder's (path `/exposed-key-responder/`, names `ExposedKeyResponder*`) and without AWS's
 *   quarantine, within the user's permissions boundary: what the key could do in the attacker's hands.
 *
 * Both simulate every action on every resource (`*`) and see neither SCPs (the custom one) nor
 * resource policies: an action allowed only on some resources reads as denied. They answer
 * "could the key do this at all", not "on what".
 */
export async function assessReach(incident: Incident, ctx: Context): Promise<{ reach: Reach; failures: Failure[] }> {
  const reach: Reach = { attachedPolicies: [], inlinePolicies: [], groups: [], allowedHighRisk: [], deniedHighRisk: [] };
  if (incident.principalType === 'root') {
    return {
      reach,
      failures: [{ what: 'reach', error: 'root user: IAM policies do not limit it, it can do everything in the account; nothing to list or simulate' }],
    };
  }
  const failures: Failure[] = [];
  const iam = ctx.deps.iam;
  const UserName = incident.userName;
  /** One IAM call with backoff; undefined (and a failure) when it could not be done. */
  const attempt = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withBackoff(ctx, what, call);
    } catch (err) {
      failures.push({ what, error: errorText(err) });
      return undefined;
    }
  };

  const user = await attempt('iam:GetUser', () => iam.send(new GetUserCommand({ UserName })));
  const attached = await attempt('iam:ListAttachedUserPolicies', () =>
    pageAll((Marker) => iam.send(new ListAttachedUserPoliciesCommand({ UserName, Marker })), (o) => o.AttachedPolicies?.map((p) => p.PolicyArn)),
  );
  const inline = await attempt('iam:ListUserPolicies', () =>
    pageAll((Marker) => iam.send(new ListUserPoliciesCommand({ UserName, Marker })), (o) => o.PolicyNames),
  );
  const groupNames = await attempt('iam:ListGroupsForUser', () =>
    pageAll((Marker) => iam.send(new ListGroupsForUserCommand({ UserName, Marker })), (o) => o.Groups?.map((g) => g.GroupName)),
  );
  let groupsComplete = groupNames !== undefined;
  for (const GroupName of groupNames ?? []) {
    const groupAttached = await attempt(`iam:ListAttachedGroupPolicies ${GroupName}`, () =>
      pageAll((Marker) => iam.send(new ListAttachedGroupPoliciesCommand({ GroupName, Marker })), (o) => o.AttachedPolicies?.map((p) => p.PolicyArn)),
    );
    const groupInline = await attempt(`iam:ListGroupPolicies ${GroupName}`, () =>
      pageAll((Marker) => iam.send(new ListGroupPoliciesCommand({ GroupName, Marker })), (o) => o.PolicyNames),
    );
    if (!groupAttached || !groupInline) groupsComplete = false;
    reach.groups.push({ groupName: GroupName, attachedPolicies: groupAttached ?? [], inlinePolicies: groupInline ?? [] });
  }
  reach.attachedPolicies = attached ?? [];
  reach.inlinePolicies = inline ?? [];

  const userArn = user?.User?.Arn;
  if (userArn) {
    const now = await attempt('iam:SimulatePrincipalPolicy', () =>
      simulate((Marker) => iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn, ActionNames: [...HIGH_RISK_ACTIONS], Marker }))),
    );
    if (now) {
      reach.allowedHighRisk = HIGH_RISK_ACTIONS.filter((a) => now.has(a));
      reach.deniedHighRisk = HIGH_RISK_ACTIONS.filter((a) => !now.has(a));
    }
  } else if (user) {
    failures.push({ what: 'iam:SimulatePrincipalPolicy', error: 'GetUser returned no ARN' });
  }

  if (user && attached && inline && groupsComplete) {
    const before = await allowedBeforeContainment(incident, user.User?.PermissionsBoundary?.PermissionsBoundaryArn, reach, attempt, ctx);
    if (before) reach.allowedBeforeContainment = before;
  } else {
    failures.push({ what: 'iam:SimulateCustomPolicy', error: "the user's policies could not all be listed: what it could do before containment is unknown" });
  }
  ctx.deps.logger.debug('reach assessed', { attached: reach.attachedPolicies.length, inline: reach.inlinePolicies.length, groups: reach.groups.length });
  return { reach, failures };
}

type Attempt = <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>;

async function allowedBeforeContainment(
  incident: Incident,
  boundaryArn: string | undefined,
  reach: Reach,
  attempt: Attempt,
  ctx: Context,
): Promise<string[] | undefined> {
  const iam = ctx.deps.iam;
  const managed = [...new Set([...reach.attachedPolicies, ...reach.groups.flatMap((g) => g.attachedPolicies)])].filter((arn) => !isContainmentPolicyArn(arn));
  const documents: Array<string | undefined> = [];
  for (const arn of managed) documents.push(await managedDocument(arn, attempt, ctx));
  for (const PolicyName of reach.inlinePolicies.filter((n) => !isContainmentPolicyName(n))) {
    const out = await attempt(`iam:GetUserPolicy ${PolicyName}`, () => iam.send(new GetUserPolicyCommand({ UserName: incident.userName, PolicyName })));
    documents.push(out && policyJson(out.PolicyDocument));
  }
  for (const group of reach.groups) {
    for (const PolicyName of group.inlinePolicies.filter((n) => !isContainmentPolicyName(n))) {
      const out = await attempt(`iam:GetGroupPolicy ${group.groupName}/${PolicyName}`, () =>
        iam.send(new GetGroupPolicyCommand({ GroupName: group.groupName, PolicyName })),
      );
      documents.push(out && policyJson(out.PolicyDocument));
    }
  }
  const boundary = boundaryArn ? await managedDocument(boundaryArn, attempt, ctx) : undefined;
  if (documents.some((d) => d === undefined) || (boundaryArn && !boundary)) {
    // A policy left out could be the one that allows: no answer rather than a wrong one.
    return undefined;
  }
  if (documents.length === 0) return [];
  const allowed = await attempt('iam:SimulateCustomPolicy', () =>
    simulate((Marker) =>
      iam.send(
        new SimulateCustomPolicyCommand({
          PolicyInputList: documents as string[],
          PermissionsBoundaryPolicyInputList: boundary ? [boundary] : undefined,
          ActionNames: [...HIGH_RISK_ACTIONS],
          Marker,
        }),
      ),
    ),
  );
  return allowed && HIGH_RISK_ACTIONS.filter((a) => allowed.has(a));
}

async function managedDocument(PolicyArn: string, attempt: Attempt, ctx: Context): Promise<string | undefined> {
  const policy = await attempt(`iam:GetPolicy ${PolicyArn}`, () => ctx.deps.iam.send(new GetPolicyCommand({ PolicyArn })));
  const VersionId = policy?.Policy?.DefaultVersionId;
  if (!VersionId) return undefined;
  const version = await attempt(`iam:GetPolicyVersion ${PolicyArn}`, () => ctx.deps.iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId })));
  return version && policyJson(version.PolicyVersion?.Document);
}

/** The responder's own policies and AWS's quarantine: containment, not the key's permissions. */
function isContainmentPolicyArn(arn: string): boolean {
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  return isAwsQuarantinePolicyArn(arn) || arn.includes(`:policy${RESPONDER_POLICY_PATH}`) || isContainmentPolicyName(name);
}

function isContainmentPolicyName(name: string): boolean {
  return name.startsWith('ExposedKeyResponder') || name === LEGACY_QUARANTINE_INLINE_POLICY;
}

/** IAM returns policy documents URL-encoded; as plain JSON, minified. */
function policyJson(document: string | undefined): string | undefined {
  if (!document) return undefined;
  for (const text of [document, safeDecode(document)]) {
    try {
      return JSON.stringify(JSON.parse(text ?? ''));
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

interface Paged {
  IsTruncated?: boolean;
  Marker?: string;
}

/** Every page of an IAM list (Marker / IsTruncated). */
async function pageAll<O extends Paged>(fetch: (marker?: string) => Promise<O>, items: (out: O) => Array<string | undefined> | undefined): Promise<string[]> {
  const all: string[] = [];
  let marker: string | undefined;
  do {
    const out = await fetch(marker);
    for (const item of items(out) ?? []) if (item) all.push(item);
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return all;
}

/** The actions a simulation allows, over every page. */
async function simulate(
  fetch: (marker?: string) => Promise<Paged & { EvaluationResults?: Array<{ EvalActionName?: string; EvalDecision?: string }> }>,
): Promise<Set<string>> {
  const allowed = new Set<string>();
  let marker: string | undefined;
  do {
    const out = await fetch(marker);
    for (const r of out.EvaluationResults ?? []) if (r.EvalActionName && r.EvalDecision === 'allowed') allowed.add(r.EvalActionName);
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return allowed;
}
