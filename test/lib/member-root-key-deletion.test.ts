import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { LAMBDA_NAMES } from '../../lib/bundling';
import { findFunction, responderStack, statementsOfFunction } from './helpers';

const ORGANIZATION = { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh'] };
const TASK_POLICY = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/root-task/IAMDeleteRootUserCredentials']] };
const ANY_ROOT = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:root']] };

/** Every statement of every responder Lambda that names sts:AssumeRoot, by Lambda. */
function assumeRootStatements(template: ReturnType<typeof responderStack>['template']) {
  return Object.fromEntries(
    LAMBDA_NAMES.map((name) => [name, statementsOfFunction(template, name).filter((s) => s.Action.some((a) => a === 'sts:AssumeRoot' || a === 'sts:*' || a === '*'))] as const)
      .filter(([, statements]) => statements.length > 0),
  );
}

describe('deleteMemberRootKeys=true (organization mode)', () => {
  const { stack, template } = responderStack({ organization: { ...ORGANIZATION, deleteMemberRootKeys: true } }, { account: '999988887777', region: 'us-east-1' });

  it('gives sts:AssumeRoot to contain alone: any account\'s root, only with the IAMDeleteRootUserCredentials task policy, never this account\'s own root', () => {
    expect(assumeRootStatements(template)).toEqual({
      contain: [
        { Sid: 'DeleteMemberRootKeys', Effect: 'Allow', Action: ['sts:AssumeRoot'], Resource: ANY_ROOT, Condition: { StringEquals: { 'sts:TaskPolicyArn': TASK_POLICY } } },
        { Sid: 'NeverTheResponderAccountRoot', Effect: 'Deny', Action: ['sts:AssumeRoot'], Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::999988887777:root']] } },
      ],
    });
  });

  it('tells contain to delete (DELETE_MEMBER_ROOT_KEYS "true"), and no other Lambda', () => {
    expect(findFunction(template, 'contain')[1].Properties.Environment.Variables.DELETE_MEMBER_ROOT_KEYS).toBe('true');
    const others = LAMBDA_NAMES.filter((n) => n !== 'contain').filter((n) => findFunction(template, n)[1].Properties.Environment.Variables.DELETE_MEMBER_ROOT_KEYS !== undefined);
    expect(others).toEqual([]);
  });

  it('acknowledges the one cdk-nag finding (any account\'s root) on contain\'s role, saying what the grant allows', () => {
    const role = stack.node.findAll().find((c) => c.node.path === 'Responder/Contain/Role')!;
    const acks = role.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .filter(([id]) => id.includes(':root'));

    expect(acks.map(([id]) => id.replace(/^annotation::/i, ''))).toEqual(['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:root]']);
    expect(acks[0][1]).toContain('only with the task policy IAMDeleteRootUserCredentials (sts:TaskPolicyArn: delete the root user\'s credentials, nothing else)');
    expect(acks[0][1]).toContain('never on this account\'s own root (explicit Deny)');
  });

  it('warns at synth that the deletion is irreversible', () => {
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('deleteMemberRootKeys=true: .*DELETED \\(IRREVERSIBLE: a deleted key cannot be restored\\)'));
  });
});

describe('deleteMemberRootKeys=false (the default)', () => {
  it.each([
    ['organization mode', { organization: ORGANIZATION }],
    ['organization mode, deleteMemberRootKeys false', { organization: { ...ORGANIZATION, deleteMemberRootKeys: false } }],
    ['one account', {}],
  ])('%s: no Lambda may call sts:AssumeRoot, contain is told not to delete, no warning', (_name, config) => {
    const { stack, template } = responderStack(config);

    expect(assumeRootStatements(template)).toEqual({});
    expect(findFunction(template, 'contain')[1].Properties.Environment.Variables.DELETE_MEMBER_ROOT_KEYS).toBe('false');
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('deleteMemberRootKeys'));
  });
});
