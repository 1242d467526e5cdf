// The whole plan for one of every foothold, written out: ids, descriptions, protection, skips and
// the commands people run (lambdas/footholds/plan.ts). Footholds are given directly, in the
// investigation's output shape, so each branch of the planner is reached.
import { Foothold } from '../../../lambdas/footholds/contract';
import { planFootholdContainment, PlannedAction } from '../../../lambdas/footholds/plan';
import { believed } from '../../../lambdas/footholds/planned';

const Q = 'arn:aws:iam::123456789012:policy/Q';
const REVOKE = `'{"Version":"2012-10-17","Statement":[{"Sid":"RevokeOlderSessions","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-20T10:05:00.000Z"}}}]}'`;
const INCIDENT = { accountId: '123456789012', userName: 'ci-deploy' };
const CONFIG = { dryRun: false, quarantinePolicyArn: Q, stopLaunchedInstances: true, preserved: new Set(['eu-west-1 i-1']), revokeBefore: '2026-11-20T10:00:00.000Z' };
/** The protection rules: alice is on the list. */
const onTheList = (p: { name: string }) => (p.name === 'alice' ? 'on the list' : undefined);

const proof = (eventId: string, eventName = 'X') => ({ eventId, eventTime: '2026-11-20T09:00:00Z', eventName, region: 'us-east-1', callerKeyId: 'AKIAIOSFODNN7EXAMPLE' });

/** One of every kind, in the reverse of the order the plan puts them in. */
const FOOTHOLDS: Foothold[] = [
  { kind: 'resource', type: 'key-pair', region: 'eu-west-1', name: 'kp', values: {}, proof: proof('e13', 'CreateKeyPair') },
  { kind: 'permission-change', targetType: 'user', target: 'bob', values: { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, proof: proof('e11', 'AttachUserPolicy') },
  { kind: 'permission-change', targetType: 'role', target: 'evil', values: {}, proof: proof('e12', 'PutRolePolicy') },
  { kind: 'instance', region: 'eu-west-1', instanceId: 'i-2', instanceType: 'c5.large', launchTime: '2026-11-20T09:01:00Z', via: 'RunInstances', proof: { ...proof('e10'), sourceIp: '203.0.113.9' } },
  { kind: 'instance', region: 'eu-west-1', instanceId: 'i-1', via: 'RunInstances', proof: proof('e9') },
  { kind: 'service-credential', userName: 'alice', serviceName: 'codecommit.amazonaws.com', proof: proof('e8') },
  { kind: 'service-credential', userName: 'alice', serviceName: 'codecommit.amazonaws.com', credentialId: 'ACCA1', proof: proof('e7') },
  { kind: 'external-role', roleArn: 'arn:aws:iam::999999999999:role/path/ext', accountId: '999999999999', proof: proof('e6') },
  { kind: 'created-role', roleName: 'evil', path: '/x/', tags: { a: 'b' }, trustedPrincipals: ['arn:aws:iam::999999999999:root', '123456789012', 'arn:aws:iam::123456789012:root'], proof: proof('e5') },
  { kind: 'assumed-role', roleArn: 'arn:aws:iam::123456789012:role/aws-service-role/x.amazonaws.com/slr', roleName: 'slr', path: '/aws-service-role/x.amazonaws.com/', proof: proof('e4') },
  { kind: 'assumed-role', roleArn: 'arn:aws:iam::123456789012:role/deploy', roleName: 'deploy', path: '/', proof: proof('e3') },
  { kind: 'access-key', userName: 'root', accessKeyId: 'AKIAROOT000000000001', proof: proof('e2r') },
  { kind: 'access-key', userName: 'alice', proof: proof('e2b') },
  { kind: 'access-key', userName: 'alice', accessKeyId: 'AKIAALICE00000000001', proof: proof('e2') },
  { kind: 'login-profile', userName: 'alice', proof: proof('e1b') },
  { kind: 'user', userName: 'backdoor', path: '/ops/', tags: { team: 'x' }, proof: proof('e1') },
];

const row = (a: PlannedAction) => [a.id, a.action, a.description, a.open, a.protection, a.skip, a.command, a.undo];

describe('planFootholdContainment: the whole plan, written out', () => {
  it('plans each foothold: credentials first, then sessions, quarantines, passwords, instances, what people must do, reports', () => {
    const plan = planFootholdContainment(FOOTHOLDS, INCIDENT, CONFIG, onTheList);

    // [id, action, description, open, protection, skip, command, undo]
    expect(plan.map(row)).toEqual([
      ["deactivate-key alice AKIAALICE00000000001", "deactivate-key", "set access key AKIAALICE00000000001 of user alice Inactive", undefined, undefined, "user alice is protected (on the list): nothing was changed, a human must decide", "aws iam update-access-key --user-name alice --access-key-id AKIAALICE00000000001 --status Inactive", "aws iam update-access-key --user-name alice --access-key-id AKIAALICE00000000001 --status Active"],
      ["deactivate-user-keys backdoor", "deactivate-user-keys", "set every active access key and service-specific credential of user backdoor Inactive", undefined, "ignored", undefined, "aws iam list-access-keys --user-name backdoor, then for each Active key: aws iam update-access-key --user-name backdoor --access-key-id '<key id>' --status Inactive; aws iam list-service-specific-credentials --user-name backdoor, then for each Active one: aws iam update-service-specific-credential --user-name backdoor --service-specific-credential-id '<credential id>' --status Inactive", "aws iam update-access-key --user-name backdoor --access-key-id '<key id>' --status Active; aws iam update-service-specific-credential --user-name backdoor --service-specific-credential-id '<credential id>' --status Active"],
      ["deactivate-service-credential alice ACCA1", "deactivate-service-credential", "set codecommit.amazonaws.com credential ACCA1 of user alice Inactive", undefined, undefined, "user alice is protected (on the list): nothing was changed, a human must decide", "aws iam update-service-specific-credential --user-name alice --service-specific-credential-id ACCA1 --status Inactive", "aws iam update-service-specific-credential --user-name alice --service-specific-credential-id ACCA1 --status Active"],
      ["revoke-user-sessions backdoor", "revoke-user-sessions", "deny every session of user backdoor issued before 2026-11-20T10:05:00.000Z (inline policy ExposedKeyResponder-RevokeOlderSessions)", undefined, "ignored", undefined, `aws iam put-user-policy --user-name backdoor --policy-name ExposedKeyResponder-RevokeOlderSessions --policy-document ${REVOKE}`, "aws iam delete-user-policy --user-name backdoor --policy-name ExposedKeyResponder-RevokeOlderSessions"],
      ["revoke-role-sessions evil", "revoke-role-sessions", "deny every session of role evil issued before 2026-11-20T10:05:00.000Z (inline policy AWSRevokeOlderSessions, the console's \"Revoke active sessions\")", undefined, "ignored", undefined, `aws iam put-role-policy --role-name evil --policy-name AWSRevokeOlderSessions --policy-document ${REVOKE}`, "aws iam delete-role-policy --role-name evil --policy-name AWSRevokeOlderSessions"],
      ["revoke-role-sessions slr", "revoke-role-sessions", "deny every session of role slr issued before 2026-11-20T10:05:00.000Z (inline policy AWSRevokeOlderSessions, the console's \"Revoke active sessions\")", undefined, undefined, "role slr is a service-linked role: its sessions cannot be revoked and the responder never changes one", undefined, "aws iam delete-role-policy --role-name slr --policy-name AWSRevokeOlderSessions"],
      ["revoke-role-sessions deploy", "revoke-role-sessions", "deny every session of role deploy issued before 2026-11-20T10:05:00.000Z (inline policy AWSRevokeOlderSessions, the console's \"Revoke active sessions\")", undefined, undefined, undefined, `aws iam put-role-policy --role-name deploy --policy-name AWSRevokeOlderSessions --policy-document ${REVOKE}`, "aws iam delete-role-policy --role-name deploy --policy-name AWSRevokeOlderSessions"],
      ["quarantine-user backdoor", "quarantine-user", "attach quarantine policy arn:aws:iam::123456789012:policy/Q to user backdoor", undefined, "ignored", undefined, `aws iam attach-user-policy --user-name backdoor --policy-arn ${Q}`, "aws iam detach-user-policy --user-name backdoor --policy-arn arn:aws:iam::123456789012:policy/Q"],
      ["quarantine-role evil", "quarantine-role", "put the quarantine deny on role evil (inline policy ExposedKeyResponder-Quarantine)", undefined, "ignored", undefined, `aws iam get-policy-version --policy-arn ${Q} --version-id "$(aws iam get-policy --policy-arn ${Q} --query Policy.DefaultVersionId --output text)" --query PolicyVersion.Document --output json > quarantine.json && aws iam put-role-policy --role-name evil --policy-name ExposedKeyResponder-Quarantine --policy-document file://quarantine.json`, "aws iam delete-role-policy --role-name evil --policy-name ExposedKeyResponder-Quarantine"],
      ["delete-login-profile alice", "delete-login-profile", "delete the console password of user alice (an attacker's password is never legitimate)", undefined, undefined, "user alice is protected (on the list): nothing was changed, a human must decide", "aws iam delete-login-profile --user-name alice", "give the legitimate owner a new password (never the old one): aws iam create-login-profile --user-name alice --password-reset-required --password '<a new temporary password, sent to the owner>'"],
      ["delete-login-profile backdoor", "delete-login-profile", "delete the console password of user backdoor (an attacker's password is never legitimate)", undefined, "ignored", undefined, "aws iam delete-login-profile --user-name backdoor", "give the legitimate owner a new password (never the old one): aws iam create-login-profile --user-name backdoor --password-reset-required --password '<a new temporary password, sent to the owner>'"],
      ["stop-instance eu-west-1 i-1", "stop-instance", "stop instance i-1 (type unknown, eu-west-1, launched 2026-11-20T09:00:00Z, from unknown IP)", undefined, undefined, undefined, "aws ec2 stop-instances --region eu-west-1 --instance-ids i-1", "aws ec2 start-instances --region eu-west-1 --instance-ids i-1"],
      ["action-required eu-west-1 i-2", "action-required", "ACTION REQUIRED: instance i-2 (c5.large, eu-west-1, launched 2026-11-20T09:01:00Z, from 203.0.113.9) is not stopped: its volumes are not snapshotted; snapshot it, then stop it if it is not yours", true, undefined, undefined, "aws ec2 create-snapshots --region eu-west-1 --instance-specification InstanceId=i-2 --copy-tags-from-source volume && aws ec2 stop-instances --region eu-west-1 --instance-ids i-2", undefined],
      ["action-required e8", "action-required", "CloudTrail does not say which codecommit.amazonaws.com credential was created for user alice: set the one created at 2026-11-20T09:00:00Z Inactive", true, undefined, undefined, "aws iam list-service-specific-credentials --user-name alice", undefined],
      ["action-required arn:aws:iam::999999999999:role/path/ext", "action-required", "ACTION REQUIRED: the leaked key assumed role arn:aws:iam::999999999999:role/path/ext of account 999999999999; the owner of account 999999999999 must revoke its sessions issued before 2026-11-20T10:05:00.000Z", true, undefined, undefined, `in account 999999999999: aws iam put-role-policy --role-name ext --policy-name AWSRevokeOlderSessions --policy-document ${REVOKE}`, undefined],
      ["action-required trust evil", "action-required", "role evil trusts arn:aws:iam::999999999999:root: new sessions are quarantined, not denied; delete the role once its evidence is kept", true, undefined, undefined, "aws iam list-role-policies --role-name evil; aws iam list-attached-role-policies --role-name evil; then delete or detach each, and aws iam delete-role --role-name evil", undefined],
      ["action-required e2r", "action-required", "ACTION REQUIRED: a root access key (AKIAROOT000000000001) was created: only the root user can deactivate it (sign in as root, Security credentials)", true, undefined, undefined, undefined, undefined],
      ["action-required e2b", "action-required", "CloudTrail does not say which key was created for user alice: list its keys and set the one created at 2026-11-20T09:00:00Z Inactive", true, undefined, undefined, "aws iam list-access-keys --user-name alice", undefined],
      ["report e13 key-pair kp", "report", "key-pair kp in eu-west-1: not changed automatically, check it and undo it if it is not yours", true, undefined, undefined, undefined, "aws ec2 delete-key-pair --region eu-west-1 --key-name kp"],
      ["report e11 AttachUserPolicy bob", "report", "AttachUserPolicy on user bob (policyArn: arn:aws:iam::aws:policy/AdministratorAccess): not reverted automatically, check it and undo it if it is not yours", true, undefined, undefined, undefined, "aws iam detach-user-policy --user-name bob --policy-arn arn:aws:iam::aws:policy/AdministratorAccess"],
      ["report e12 PutRolePolicy evil", "report", "PutRolePolicy on role evil, which the key created and which is contained: not reverted", false, undefined, undefined, undefined, "aws iam delete-role-policy --role-name evil --policy-name '<policy name>' (or put back its previous document, if it replaced one)"],    ]);
  });
});

describe('planFootholdContainment: what each action acts on', () => {
  it('names the target, the principal whose protection is checked (with the path and tags the record gave) and the document put', () => {
    const plan = planFootholdContainment(FOOTHOLDS, INCIDENT, CONFIG, onTheList);

    // [target, principal, [document name, revoked before]], in the plan's order (above)
    expect(plan.map((a) => [a.target, a.principal, a.document && [a.document.name, a.document.revokedBefore]])).toEqual([
      [{ type: 'access-key', userName: 'alice', accessKeyId: 'AKIAALICE00000000001' }, { kind: 'user', name: 'alice' }, undefined],
      [{ type: 'user', userName: 'backdoor' }, { kind: 'user', name: 'backdoor', path: '/ops/', tags: { team: 'x' } }, undefined],
      [{ type: 'service-credential', userName: 'alice', credentialId: 'ACCA1' }, { kind: 'user', name: 'alice' }, undefined],
      [{ type: 'user', userName: 'backdoor' }, { kind: 'user', name: 'backdoor', path: '/ops/', tags: { team: 'x' } }, ['ExposedKeyResponder-RevokeOlderSessions', '2026-11-20T10:05:00.000Z']],
      [{ type: 'role', roleName: 'evil' }, { kind: 'role', name: 'evil', path: '/x/', tags: { a: 'b' } }, ['AWSRevokeOlderSessions', '2026-11-20T10:05:00.000Z']],
      [{ type: 'role', roleName: 'slr' }, { kind: 'role', name: 'slr', path: '/aws-service-role/x.amazonaws.com/' }, ['AWSRevokeOlderSessions', '2026-11-20T10:05:00.000Z']],
      [{ type: 'role', roleName: 'deploy' }, { kind: 'role', name: 'deploy', path: '/' }, ['AWSRevokeOlderSessions', '2026-11-20T10:05:00.000Z']],
      [{ type: 'user', userName: 'backdoor' }, { kind: 'user', name: 'backdoor', path: '/ops/', tags: { team: 'x' } }, undefined],
      [{ type: 'role', roleName: 'evil' }, { kind: 'role', name: 'evil', path: '/x/', tags: { a: 'b' } }, ['ExposedKeyResponder-Quarantine', undefined]],
      [{ type: 'user', userName: 'alice' }, { kind: 'user', name: 'alice' }, undefined],
      [{ type: 'user', userName: 'backdoor' }, { kind: 'user', name: 'backdoor', path: '/ops/', tags: { team: 'x' } }, undefined],
      [{ type: 'instance', region: 'eu-west-1', instanceId: 'i-1' }, undefined, undefined],
      [{ type: 'instance', region: 'eu-west-1', instanceId: 'i-2' }, undefined, undefined],
      [{ type: 'none' }, undefined, undefined],
      [{ type: 'none' }, undefined, undefined],
      [{ type: 'role', roleName: 'evil' }, undefined, undefined],
      [{ type: 'none' }, undefined, undefined],
      [{ type: 'none' }, undefined, undefined],
      [{ type: 'none' }, undefined, undefined],
      [{ type: 'none' }, undefined, undefined],
      [{ type: 'none' }, undefined, undefined],
    ]);
    expect(JSON.parse(plan[3].document?.json ?? '')).toEqual(JSON.parse(REVOKE.slice(1, -1)));
  });

  it('keeps the first foothold\'s line for an action two footholds need', () => {
    const plan = planFootholdContainment(
      [{ kind: 'user', userName: 'backdoor', proof: proof('e1') }, { kind: 'login-profile', userName: 'backdoor', proof: proof('e2') }],
      INCIDENT, CONFIG, onTheList,
    );

    expect(plan.find((a) => a.action === 'delete-login-profile')?.foothold).toBe('user backdoor: X at 2026-11-20T09:00:00Z in us-east-1, by AKIAIOSFODNN7EXAMPLE (event e1)');
  });

  it('asks the root user for a root key whose id the record does not give', () => {
    const [action] = planFootholdContainment([{ kind: 'access-key', userName: '<root_account>', proof: proof('e2') }], INCIDENT, CONFIG, onTheList);

    expect(action.description).toBe('ACTION REQUIRED: a root access key was created: only the root user can deactivate it (sign in as root, Security credentials)');
  });
});

describe('planFootholdContainment: instances', () => {
  const instance: Foothold = { kind: 'instance', region: 'eu-west-1', instanceId: 'i-1', via: 'StartInstances', proof: proof('e9') };

  it('only asks people to stop an instance when stopLaunchedInstances is off', () => {
    const [action] = planFootholdContainment([instance], INCIDENT, { ...CONFIG, stopLaunchedInstances: false }, onTheList);

    expect(row(action)).toEqual([
      'action-required eu-west-1 i-1', 'action-required',
      'ACTION REQUIRED: instance i-1 (type unknown, eu-west-1, launched 2026-11-20T09:00:00Z, from unknown IP) is not stopped (stopLaunchedInstances is off): stop it if it is not yours',
      true, undefined, undefined, 'aws ec2 stop-instances --region eu-west-1 --instance-ids i-1', undefined,
    ]);
  });

  it('stops an instance when the caller says nothing of snapshots (no restriction)', () => {
    const { preserved: _none, ...config } = CONFIG;

    expect(planFootholdContainment([{ ...instance, instanceId: 'i-9' }], INCIDENT, config, onTheList).map((a) => a.id)).toEqual(['stop-instance eu-west-1 i-9']);
  });

  it('stops no instance when the evidence step preserved none', () => {
    expect(planFootholdContainment([instance], INCIDENT, { ...CONFIG, preserved: new Set() }, onTheList).map((a) => a.id)).toEqual(['action-required eu-west-1 i-1']);
  });
});

describe('planFootholdContainment: the protection tag the leaked key put on', () => {
  const tag = (eventName: string, target: string, tags: string, targetType: 'user' | 'role' = 'user'): Foothold => ({
    kind: 'permission-change', targetType, target, values: { tags }, proof: proof(`t-${target}`, eventName),
  });
  const key = (userName: string): Foothold => ({ kind: 'access-key', userName, accessKeyId: `AKIA${userName.toUpperCase().padEnd(16, 'X')}`, proof: proof(`k-${userName}`) });

  it('is not believed on the principal it was put on (any case), and believed everywhere else', () => {
    const plan = planFootholdContainment(
      [
        tag('TagUser', 'carol', '[{"Key":"Exposed-Key-Responder:Protected","Value":"true"}]'),
        tag('TagUser', 'dave', '[{"Key":"exposed-key-responder:protected-until","Value":"2027"}]'),
        tag('UntagUser', 'erin', '["exposed-key-responder:protected"]'),
        tag('TagRole', 'carol', '[{"Key":"exposed-key-responder:protected","Value":"true"}]', 'role'),
        key('carol'), key('dave'), key('erin'),
      ],
      INCIDENT, CONFIG, onTheList,
    ).filter((a) => a.action === 'deactivate-key');

    expect(plan.map((a) => [a.target, a.protection])).toEqual([
      [{ type: 'access-key', userName: 'carol', accessKeyId: 'AKIACAROLXXXXXXXXXXX' }, 'tag-ignored'],
      [{ type: 'access-key', userName: 'dave', accessKeyId: 'AKIADAVEXXXXXXXXXXXX' }, undefined],
      [{ type: 'access-key', userName: 'erin', accessKeyId: 'AKIAERINXXXXXXXXXXXX' }, undefined],
    ]);
  });

  it('a role the key tagged protected is revoked all the same; the same name as a user is a user', () => {
    const plan = planFootholdContainment(
      [
        tag('TagRole', 'deploy', '[{"Key":"exposed-key-responder:protected","Value":"true"}]', 'role'),
        { kind: 'assumed-role', roleArn: 'arn:aws:iam::123456789012:role/deploy', roleName: 'deploy', path: '/', proof: proof('e3') },
        key('deploy'),
      ],
      INCIDENT, CONFIG, onTheList,
    );

    expect(plan.filter((a) => a.principal).map((a) => [a.id, a.principal, a.protection])).toEqual([
      ['deactivate-key deploy AKIADEPLOYXXXXXXXXXX', { kind: 'user', name: 'deploy' }, undefined],
      ['revoke-role-sessions deploy', { kind: 'role', name: 'deploy', path: '/' }, 'tag-ignored'],
    ]);
  });
});

describe('planFootholdContainment: whom a created role trusts', () => {
  const role = (trustedPrincipals?: string[]): Foothold => ({ kind: 'created-role', roleName: 'r', ...(trustedPrincipals && { trustedPrincipals }), proof: proof('e5') });
  const open = (f: Foothold) => planFootholdContainment([f], INCIDENT, CONFIG, onTheList).filter((a) => a.action === 'action-required').map((a) => a.description);

  it('is open when the record does not show the trust policy', () => {
    expect(open(role())).toEqual(['role r has a trust policy the record does not show: new sessions are quarantined, not denied; delete the role once its evidence is kept']);
  });

  it('is not open when it trusts only this account (its id, its root, its roles and users)', () => {
    expect(open(role(['123456789012', 'arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:role/x', 'arn:aws-cn:iam::123456789012:user/y']))).toEqual([]);
  });

  it('names every principal of another account or a service, and nothing that only looks like this account', () => {
    expect(open(role(['arn:aws:iam::123456789012:root', 'ec2.amazonaws.com', 'xarn:aws:iam::123456789012:root', '1234567890123', 'arn:aws:iam::210987654321:root']))).toEqual([
      'role r trusts ec2.amazonaws.com, xarn:aws:iam::123456789012:root, 1234567890123, arn:aws:iam::210987654321:root: new sessions are quarantined, not denied; delete the role once its evidence is kept',
    ]);
  });
});

describe('planFootholdContainment: what the key created is a user or a role, never both', () => {
  const protectedRole = (p: { kind: string; name: string }) => (p.kind === 'role' && p.name === 'ops' ? 'on the role list' : undefined);

  it('believes the protection of a role named like a user the key created', () => {
    const plan = planFootholdContainment(
      [{ kind: 'user', userName: 'ops', proof: proof('e1') }, { kind: 'assumed-role', roleArn: 'arn:aws:iam::123456789012:role/ops', roleName: 'ops', path: '/', proof: proof('e2') }],
      INCIDENT, CONFIG, protectedRole,
    );

    expect(plan.find((a) => a.action === 'revoke-role-sessions')).toMatchObject({ skip: 'role ops is protected (on the role list): nothing was changed, a human must decide' });
    expect(plan.find((a) => a.action === 'revoke-role-sessions')).not.toHaveProperty('protection');
  });

  it.each([
    ['a role named like a user the key created', 'role', { kind: 'user', userName: 'x', proof: proof('c') }],
    ['a user named like a role the key created', 'user', { kind: 'created-role', roleName: 'x', trustedPrincipals: [], proof: proof('c') }],
    ['a group named like a role the key created', 'group', { kind: 'created-role', roleName: 'x', trustedPrincipals: [], proof: proof('c') }],
  ] as const)('reports a change to %s as open', (_why, targetType, created) => {
    const change: Foothold = { kind: 'permission-change', targetType, target: 'x', values: {}, proof: proof('p', 'AttachUserPolicy') };

    const report = planFootholdContainment([created as Foothold, change], INCIDENT, CONFIG, onTheList).find((a) => a.action === 'report');

    expect(report?.open).toBe(true);
  });

  it('a TagUser whose record gives no tags puts no doubt on the user', () => {
    const plan = planFootholdContainment(
      [{ kind: 'permission-change', targetType: 'user', target: 'alice', values: {}, proof: proof('t', 'TagUser') }, { kind: 'login-profile', userName: 'alice', proof: proof('l') }],
      INCIDENT, CONFIG, onTheList,
    );

    expect(plan.find((a) => a.action === 'delete-login-profile')).toMatchObject({ skip: 'user alice is protected (on the list): nothing was changed, a human must decide' });
    expect(plan.find((a) => a.action === 'delete-login-profile')).not.toHaveProperty('protection');
  });
});

describe('believed: the principal as its protection is judged', () => {
  const principal = { kind: 'user' as const, name: 'carol', tags: { 'Exposed-Key-Responder:Protected': 'true', team: 'ops' } };

  it('drops only the protection tag (any case) when the leaked key put it there', () => {
    expect(believed(principal, 'tag-ignored')).toEqual({ kind: 'user', name: 'carol', tags: { team: 'ops' } });
  });

  it('keeps every tag otherwise', () => {
    expect(believed(principal, undefined)).toBe(principal);
    expect(believed(principal, 'ignored')).toBe(principal);
  });
});
