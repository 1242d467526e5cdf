import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { USER_REASON } from './containment-grants';
import { IncidentBucket } from './incident-bucket';
import { acknowledge, wildcardResourceFinding } from './nag';
import { userArn } from './protected-users';
import { RoleGrantee } from './role-grantee';

/**
 * What the investigation Lambda may do: read what the key did (CloudTrail, every region) and
 * what its user may do (IAM, simulated), and write the findings to the incident bucket. Nothing
 * else is changed. Without `incidents` (the member role of organization mode, which reads for the
 * central Lambda), the reads only: the central Lambda writes the records with its own role.
 */
export function grantInvestigation(investigate: RoleGrantee, incidents?: IncidentBucket): void {
  const stack = Stack.of(investigate);
  const userArns = userArn(stack, '*');
  const groupArns = stack.formatArn({ service: 'iam', region: '', resource: 'group', resourceName: '*' });
  const accountPolicyArns = stack.formatArn({ service: 'iam', region: '', resource: 'policy', resourceName: '*' });
  const awsManagedPolicyArns = stack.formatArn({ service: 'iam', region: '', account: 'aws', resource: 'policy', resourceName: '*' });
  investigate.addToRolePolicy(new iam.PolicyStatement({
    sid: 'LookupKeyActivity',
    actions: ['cloudtrail:LookupEvents', 'ec2:DescribeRegions'],
    resources: ['*'],
  }));
  investigate.addToRolePolicy(new iam.PolicyStatement({
    sid: 'ReadUserPermissions',
    actions: [
      'iam:GetUser',
      'iam:ListAttachedUserPolicies',
      'iam:ListUserPolicies',
      'iam:GetUserPolicy',
      'iam:ListGroupsForUser',
      'iam:SimulatePrincipalPolicy',
    ],
    resources: [userArns],
  }));
  investigate.addToRolePolicy(new iam.PolicyStatement({
    sid: 'ReadGroupPermissions',
    actions: ['iam:ListAttachedGroupPolicies', 'iam:ListGroupPolicies', 'iam:GetGroupPolicy'],
    resources: [groupArns],
  }));
  investigate.addToRolePolicy(new iam.PolicyStatement({
    sid: 'ReadManagedPolicies',
    actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
    resources: [accountPolicyArns, awsManagedPolicyArns],
  }));
  investigate.addToRolePolicy(new iam.PolicyStatement({
    sid: 'SimulateCustomPolicy',
    actions: ['iam:SimulateCustomPolicy'],
    resources: ['*'],
  }));
  incidents?.grantPutRecords(investigate);
  // A wave: one CloudTrail search per account, region and window, shared through the bucket.
  incidents?.grantSharedSearches(investigate.role);
  acknowledge(
    investigate.role,
    wildcardResourceFinding(stack, '*'),
    'cloudtrail:LookupEvents, ec2:DescribeRegions and iam:SimulateCustomPolicy support no resource-level permission (their resource must be "*"); all three only read: the key\'s activity in each region, and what a set of policies allows.',
  );
  acknowledge(investigate.role, wildcardResourceFinding(stack, userArns), `${USER_REASON} The investigation only reads the user and simulates its policies.`);
  acknowledge(
    investigate.role,
    wildcardResourceFinding(stack, groupArns),
    'The groups of the exposed key\'s user are known only at run time (ListGroupsForUser): the investigation reads the policies of any group of the account, read-only.',
  );
  acknowledge(
    investigate.role,
    wildcardResourceFinding(stack, accountPolicyArns),
    'The customer managed policies attached to the user and its groups are known only at run time: the investigation reads any policy of the account and its versions (GetPolicy, GetPolicyVersion), read-only.',
  );
  acknowledge(
    investigate.role,
    wildcardResourceFinding(stack, awsManagedPolicyArns),
    'The AWS managed policies (arn:aws:iam::aws:policy/...) attached to the user and its groups are known only at run time: the investigation reads their documents (GetPolicy, GetPolicyVersion), read-only.',
  );
}

/**
 * What the evidence Lambda may do: snapshot the EBS volumes of the instances the key launched or
 * started, in their regions, tagged at creation, and read their hourly on-demand price from the AWS
 * Price List API. Nothing is stopped, terminated or deleted.
 */
export function grantEvidence(evidence: RoleGrantee): void {
  const stack = Stack.of(evidence);
  const instanceArns = stack.formatArn({ service: 'ec2', region: '*', resource: 'instance', resourceName: '*' });
  const volumeArns = stack.formatArn({ service: 'ec2', region: '*', resource: 'volume', resourceName: '*' });
  // Snapshot ARNs have no account: arn:<partition>:ec2:<region>::snapshot/<id>.
  const snapshotArns = stack.formatArn({ service: 'ec2', region: '*', account: '', resource: 'snapshot', resourceName: '*' });
  evidence.addToRolePolicy(new iam.PolicyStatement({
    sid: 'DescribeInstancesAndSnapshots',
    actions: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots'],
    resources: ['*'],
  }));
  evidence.addToRolePolicy(new iam.PolicyStatement({
    sid: 'LookUpOnDemandPrices',
    actions: ['pricing:GetProducts'],
    resources: ['*'],
  }));
  evidence.addToRolePolicy(new iam.PolicyStatement({
    sid: 'SnapshotInstanceVolumes',
    actions: ['ec2:CreateSnapshots'],
    resources: [instanceArns, volumeArns, snapshotArns],
  }));
  evidence.addToRolePolicy(new iam.PolicyStatement({
    sid: 'TagSnapshotsAtCreation',
    actions: ['ec2:CreateTags'],
    resources: [snapshotArns],
    conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
  }));
  acknowledge(
    evidence.role,
    wildcardResourceFinding(stack, '*'),
    'ec2:DescribeInstances, ec2:DescribeSnapshots and pricing:GetProducts support no resource-level permission (their resource must be "*"); they only read (GetProducts: AWS\'s public price list, for the cost of the instances the key launched).',
  );
  const instanceReason = 'The instances to preserve are the ones the exposed key launched or started, known only at run time and in any region: CreateSnapshots needs the instance and its volumes, which it reads and never changes.';
  acknowledge(evidence.role, wildcardResourceFinding(stack, instanceArns), instanceReason);
  acknowledge(evidence.role, wildcardResourceFinding(stack, volumeArns), instanceReason);
  acknowledge(
    evidence.role,
    wildcardResourceFinding(stack, snapshotArns),
    'A new snapshot\'s id is made by EC2, in the instance\'s region: CreateSnapshots must be allowed on snapshot/* to create any, and CreateTags on it only while creating them (ec2:CreateAction = CreateSnapshots), never on an existing snapshot.',
  );
}
