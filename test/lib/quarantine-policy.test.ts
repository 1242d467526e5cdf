import { Template } from 'aws-cdk-lib/assertions';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SSE_C_ALGORITHM_KEY } from '../../lambdas/shared/policies';
import { QuarantinePolicy } from '../../lib/quarantine-policy';
import { EXPECTED_QUARANTINE_DOCUMENT } from '../lambdas/quarantine-literals';
import { ANY_USER_ARN, statementsOfRole, testApp, testStack } from './helpers';

function synth() {
  const stack = testStack();
  const quarantine = new QuarantinePolicy(stack, 'QuarantinePolicy');
  const role = new Role(stack, 'Contain', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  quarantine.grantAttach(role);
  const template = Template.fromStack(stack);
  return { stack, quarantine, role, template };
}

const { stack, quarantine, role, template } = synth();
const policyId = stack.getLogicalId(quarantine.policy.node.defaultChild as never);

describe('QuarantinePolicy', () => {
  it('is the document of lambdas/shared/policies.ts as it is (conditions included), deny-only, under /exposed-key-responder/', () => {
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as Array<{ Properties: { Path: string; PolicyDocument: { Statement: Array<Record<string, unknown>> } } }>;
    expect(policy.Properties.Path).toBe('/exposed-key-responder/');
    expect(policy.Properties.PolicyDocument).toEqual(EXPECTED_QUARANTINE_DOCUMENT);
    expect(policy.Properties.PolicyDocument.Statement.map((s) => [s.Sid, s.Effect])).toEqual([
      ['DenyHighRiskActions', 'Deny'],
      ['DenyResponderTampering', 'Deny'],
      ['DenyUploadsWithCustomerKeys', 'Deny'],
    ]);
    expect(policy.Properties.PolicyDocument.Statement[2].Condition).toEqual({ Null: { [SSE_C_ALGORITHM_KEY]: 'false' } });
  });

  it('keeps the logical id of a policy made directly in the stack (a new id would replace a policy attached to users)', () => {
    const plain = testStack(testApp());
    const direct = new ManagedPolicy(plain, 'QuarantinePolicy', { statements: [] });
    expect(policyId).toBe(plain.getLogicalId(direct.node.defaultChild as never));
  });

  it('grantAttach: iam:AttachUserPolicy on any user, of this policy only', () => {
    expect(statementsOfRole(template, stack.getLogicalId(role.node.defaultChild as never))).toEqual([{
      Effect: 'Allow',
      Action: ['iam:AttachUserPolicy'],
      Resource: ANY_USER_ARN,
      Condition: { ArnEquals: { 'iam:PolicyARN': [{ Ref: policyId }] } },
    }]);
    expect(quarantine.policyArn).toBe(quarantine.policy.managedPolicyArn);
  });
});
