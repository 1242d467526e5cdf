import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { PROTECTED_TAG_KEY, protectedRolesDeny, protectedUsersDeny } from '../../lib/protected-users';
import { statementsOfRole, testApp, testStack } from './helpers';

const ACTIONS = ['iam:UpdateAccessKey', 'iam:PutUserPolicy'];

/** The Deny statements as the template renders them, in a stack of a known account (literal ARNs). */
function denies(entries: readonly string[]) {
  const stack = testStack(testApp(), '123456789012');
  const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  for (const statement of protectedUsersDeny(stack, entries, ACTIONS)) role.addToPolicy(statement);
  return statementsOfRole(Template.fromStack(stack), stack.getLogicalId(role.node.defaultChild as never));
}

const user = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:user/${resource}`]] });

describe('protectedUsersDeny', () => {
  it('always denies the actions on users tagged exposed-key-responder:protected=true, in any case', () => {
    expect(PROTECTED_TAG_KEY).toBe('exposed-key-responder:protected');
    expect(denies([])).toEqual([{
      Sid: 'NeverTouchTaggedUsers',
      Effect: 'Deny',
      Action: ACTIONS,
      Resource: user('*'),
      Condition: { StringEqualsIgnoreCase: { 'iam:ResourceTag/exposed-key-responder:protected': 'true' } },
    }]);
  });

  it('denies a name with and without a path, and a path prefix with everything below it', () => {
    const [byName] = denies(['break-glass', '/breakglass/*', '/a/b/*']);
    expect(byName).toEqual({
      Sid: 'NeverTouchProtectedUsers',
      Effect: 'Deny',
      Action: ACTIONS,
      Resource: [user('break-glass'), user('*/break-glass'), user('breakglass/*'), user('a/b/*')],
    });
  });
});

describe('protectedRolesDeny', () => {
  const role = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:role/${resource}`]] });

  function roleDenies(entries: readonly string[]) {
    const stack = testStack(testApp(), '123456789012');
    const grantee = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    for (const statement of protectedRolesDeny(stack, entries, ['iam:PutRolePolicy'])) grantee.addToPolicy(statement);
    return statementsOfRole(Template.fromStack(stack), stack.getLogicalId(grantee.node.defaultChild as never));
  }

  it('denies the role names (with and without a path), the path prefixes and the tagged roles', () => {
    expect(roleDenies(['OrgAdmin', '/breakglass/*'])).toEqual([
      { Sid: 'NeverTouchProtectedRoles', Effect: 'Deny', Action: ['iam:PutRolePolicy'], Resource: [role('OrgAdmin'), role('*/OrgAdmin'), role('breakglass/*')] },
      {
        Sid: 'NeverTouchTaggedRoles',
        Effect: 'Deny',
        Action: ['iam:PutRolePolicy'],
        Resource: role('*'),
        Condition: { StringEqualsIgnoreCase: { 'iam:ResourceTag/exposed-key-responder:protected': 'true' } },
      },
    ]);
  });
});
