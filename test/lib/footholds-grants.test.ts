// The footholds Lambda in the stack: its environment and exactly what its role may do.
import { FOOTHOLD_READ_ACTIONS, FOOTHOLD_ROLE_WRITE_ACTIONS, FOOTHOLD_USER_WRITE_ACTIONS } from '../../lambdas/footholds/contract';
import { allowedActions, ANY_USER_ARN, findFunction, responderStack, statementsOfFunction } from './helpers';

const { template } = responderStack();
const iamArn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:${resource}`]] });
const ANY_ROLE_ARN = iamArn('role/*');
const TAGGED = { StringEqualsIgnoreCase: { 'iam:ResourceTag/exposed-key-responder:protected': 'true' } };

describe('footholds Lambda', () => {
  it('reads DRY_RUN, QUARANTINE_POLICY_ARN, STOP_LAUNCHED_INSTANCES (false by default), PROTECTED_USERS and PROTECTED_ROLES', () => {
    const { stack, template: t } = responderStack({ protectedUsers: ['break-glass', '/admins/*'], protectedRoles: ['OrgAdmin', '/breakglass/*'] });
    const env = findFunction(t, 'footholds')[1].Properties.Environment.Variables;

    expect(env).toMatchObject({
      DRY_RUN: 'false',
      STOP_LAUNCHED_INSTANCES: 'false',
      PROTECTED_USERS: 'break-glass,/admins/*',
      PROTECTED_ROLES: 'OrgAdmin,/breakglass/*',
      QUARANTINE_POLICY_ARN: stack.resolve(stack.quarantinePolicy.policyArn),
    });
  });

  it('may only read users and roles, contain users, revoke role sessions, and attach the quarantine policy alone', () => {
    const statements = statementsOfFunction(template, 'footholds');

    expect(allowedActions(statements)).toEqual([
      'iam:AttachUserPolicy', 'iam:DeleteLoginProfile', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:GetUser', 'iam:GetUserPolicy',
      'iam:ListAccessKeys', 'iam:ListAttachedUserPolicies', 'iam:ListServiceSpecificCredentials', 'iam:PutRolePolicy', 'iam:PutUserPolicy',
      'iam:UpdateAccessKey', 'iam:UpdateServiceSpecificCredential', 'logs:CreateLogStream', 'logs:PutLogEvents',
    ]);
    for (const a of [...FOOTHOLD_READ_ACTIONS, ...FOOTHOLD_USER_WRITE_ACTIONS, ...FOOTHOLD_ROLE_WRITE_ACTIONS]) expect(allowedActions(statements)).toContain(a);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Allow', Action: ['iam:PutRolePolicy'], Resource: ANY_ROLE_ARN }));
    expect(statements).toContainEqual(expect.objectContaining({
      Effect: 'Allow',
      Action: ['iam:UpdateAccessKey', 'iam:PutUserPolicy', 'iam:DeleteLoginProfile', 'iam:UpdateServiceSpecificCredential'],
      Resource: ANY_USER_ARN,
    }));
    const attach = statements.filter((s) => s.Effect === 'Allow' && s.Action.includes('iam:AttachUserPolicy'));
    expect(attach).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: ANY_USER_ARN, Condition: { ArnEquals: { 'iam:PolicyARN': expect.anything() } } })]);
  });

  it('is explicitly denied role writes on service-linked roles', () => {
    expect(statementsOfFunction(template, 'footholds')).toContainEqual({
      Sid: 'NeverTouchServiceLinkedRoles', Effect: 'Deny', Action: ['iam:PutRolePolicy'], Resource: iamArn('role/aws-service-role/*'),
    });
  });

  it('is explicitly denied every write on tagged users and roles, and on the protected ones named by context', () => {
    const { template: t } = responderStack({ protectedUsers: ['break-glass'], protectedRoles: ['OrgAdmin', '/breakglass/*'] });
    const denies = statementsOfFunction(t, 'footholds').filter((s) => s.Effect === 'Deny' && s.Sid !== 'NeverTouchServiceLinkedRoles');

    expect(denies).toEqual([
      { Sid: 'NeverTouchProtectedUsers', Effect: 'Deny', Action: [...FOOTHOLD_USER_WRITE_ACTIONS], Resource: [iamArn('user/break-glass'), iamArn('user/*/break-glass')] },
      { Sid: 'NeverTouchTaggedUsers', Effect: 'Deny', Action: [...FOOTHOLD_USER_WRITE_ACTIONS], Resource: ANY_USER_ARN, Condition: TAGGED },
      { Sid: 'NeverTouchProtectedRoles', Effect: 'Deny', Action: ['iam:PutRolePolicy'], Resource: [iamArn('role/OrgAdmin'), iamArn('role/*/OrgAdmin'), iamArn('role/breakglass/*')] },
      { Sid: 'NeverTouchTaggedRoles', Effect: 'Deny', Action: ['iam:PutRolePolicy'], Resource: ANY_ROLE_ARN, Condition: TAGGED },
    ]);
  });

  it('may stop instances (and nothing else of EC2) only with stopLaunchedInstances=true', () => {
    expect(allowedActions(statementsOfFunction(template, 'footholds')).filter((a) => a.startsWith('ec2:'))).toEqual([]);

    const { template: t } = responderStack({ stopLaunchedInstances: true });
    const ec2 = statementsOfFunction(t, 'footholds').filter((s) => s.Action.some((a) => a.startsWith('ec2:')));

    expect(findFunction(t, 'footholds')[1].Properties.Environment.Variables.STOP_LAUNCHED_INSTANCES).toBe('true');
    expect(ec2).toEqual([{
      Sid: 'StopLaunchedInstances',
      Effect: 'Allow',
      Action: ['ec2:StopInstances'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:*:', { Ref: 'AWS::AccountId' }, ':instance/*']] },
    }]);
  });

  it('is not invoked by the workflow until its definition references it', () => {
    const invoke = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }).Properties.PolicyDocument.Statement)
      .filter((s) => ([] as unknown[]).concat(s.Action).includes('lambda:InvokeFunction'));
    const [footholdsId] = findFunction(template, 'footholds');

    expect(JSON.stringify(invoke)).not.toContain(footholdsId);
  });
});
