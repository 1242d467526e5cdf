import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge, wildcardResourceFinding } from './nag';
import { RoleGrantee } from './role-grantee';

/** The AWS Support API actions the support Lambda may call: find the incident's case, open it, add to it. */
export const SUPPORT_CASE_ACTIONS = ['support:DescribeCases', 'support:DescribeCommunications', 'support:CreateCase', 'support:AddCommunicationToCase'] as const;

/** What the support Lambda may do: open (or update) the incident's AWS Support case. Nothing else. */
export function grantSupportCases(support: RoleGrantee): void {
  support.addToRolePolicy(new iam.PolicyStatement({
    sid: 'OpenIncidentSupportCase',
    actions: [...SUPPORT_CASE_ACTIONS],
    resources: ['*'],
  }));
  acknowledge(
    support.role,
    wildcardResourceFinding(support, '*'),
    'The AWS Support API supports no resource-level permission (its resource must be "*"); the support Lambda may only describe cases and their communications, open a case and add to one.',
  );
}
