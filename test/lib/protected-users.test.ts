import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { parseProtectedPrincipals, protectionReason } from '../../lambdas/shared/protection';
import { MemberStack } from '../../lib/member-stack';
import { PROTECTED_TAG_KEY, protectedRolesDeny, protectedUsersDeny, protectOwnRoles } from '../../lib/protected-users';
import { responderStack, statementsOfRole, testApp, testStack } from './helpers';

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

describe('protectOwnRoles: the responder\'s own roles are never its target', () => {
  const tagsOfRoles = (template: Template) =>
    Object.values(template.toJSON().Resources as Record<string, { Type: string; Properties: { Tags?: Array<{ Key: string; Value: string }> } }>)
      .filter((r) => r.Type === 'AWS::IAM::Role')
      .map((r) => (r.Properties.Tags ?? []).filter((t) => t.Key === 'exposed-key-responder:protected'));

  it('tags every IAM role of the central stack (Lambdas, workflow, organization mode) exposed-key-responder:protected=true, and nothing else', () => {
    const { template } = responderStack({ organization: { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh'] }, guardDutyMinSeverity: 4 });

    const tags = tagsOfRoles(template);
    expect(tags.length).toBeGreaterThan(10);
    expect(tags.every((t) => t.length === 1 && t[0].Value === 'true')).toBe(true);
    const tagged = Object.values(template.toJSON().Resources as Record<string, { Type: string; Properties: { Tags?: Array<{ Key: string }> } }>)
      .filter((r) => r.Type !== 'AWS::IAM::Role' && (r.Properties?.Tags ?? []).some((t) => t.Key === 'exposed-key-responder:protected'));
    expect(tagged).toEqual([]);
  });

  it('tags the member stack\'s roles (the member role the responder acts through, the forwarder)', () => {
    const stack = new MemberStack(testApp(), 'Member', { organizationId: 'o-a1b2c3d4e5', protectedUsers: [], protectedRoles: [] });

    const tags = tagsOfRoles(Template.fromStack(stack));
    expect(tags).toEqual([[{ Key: 'exposed-key-responder:protected', Value: 'true' }], [{ Key: 'exposed-key-responder:protected', Value: 'true' }]]);
  });

  it('tags a role of any stack it is given, which protectionReason then protects', () => {
    const stack = testStack(testApp(), '123456789012');
    new Role(stack, 'Own', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });

    protectOwnRoles(stack);

    const [[tag]] = tagsOfRoles(Template.fromStack(stack));
    expect(protectionReason({ name: 'own', tags: { [tag.Key]: tag.Value } }, parseProtectedPrincipals([], 'role'))).toBe('role own carries the tag exposed-key-responder:protected=true');
  });
});
