import { DeleteUserPolicyCommand, DetachUserPolicyCommand, GetUserPolicyCommand, ListAccessKeysCommand, ListAttachedUserPoliciesCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsError, body, BUCKET, cli, iam, noCredentials, QUARANTINE, resetMocks, s3, sns, stackAnswers, stackMissing, sts, TOPIC } from './harness';
import { aRecord, INCIDENT, KEY, REVOKE_DOC } from './record';


/** IAM as the response left it: key Inactive, the revoke policy and the quarantine in place. */
function contained(revokeDocument = REVOKE_DOC) {
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Inactive' }] });
  iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: encodeURIComponent(revokeDocument) } as never);
  iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: QUARANTINE }] });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::123456789012:user/oncall' });
}

beforeEach(() => {
  resetMocks();
  s3.on(GetObjectCommand).resolves(body(JSON.stringify(aRecord())));
});

describe('restore', () => {
  it('removes the revoke policy and the quarantine the responder put, keeps the key Inactive, writes restore.json and tells the topic', async () => {
    contained();

    const r = await cli(['restore', INCIDENT, '--yes']);

    expect(r.code).toBe(0);
    expect(iam.commandCalls(DeleteUserPolicyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'ci-deploy', PolicyName: 'ExposedKeyResponder-RevokeOlderSessions' }]);
    expect(iam.commandCalls(DetachUserPolicyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'ci-deploy', PolicyArn: QUARANTINE }]);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
    const [put] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(put).toMatchObject({ Bucket: BUCKET, Key: `incidents/${INCIDENT}/restore.json` });
    expect(JSON.parse(String(put.Body))).toMatchObject({ status: 'restored', by: 'arn:aws:iam::123456789012:user/oncall', userName: 'ci-deploy' });
    expect(sns.commandCalls(PublishCommand)[0].args[0].input).toMatchObject({ TopicArn: TOPIC, Subject: `[RESTORED] incident ${INCIDENT}: user ci-deploy` });
    expect(r.stdout).toContain(`stays Inactive (--reactivate-key sets it Active). AWS advises that an exposed access key be replaced, not reused`);
  });

  it('sets the key Active only with --reactivate-key, after the policies, and says AWS\'s warning', async () => {
    contained();

    const r = await cli(['restore', INCIDENT, '--yes', '--reactivate-key']);

    expect(r.code).toBe(0);
    expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'ci-deploy', AccessKeyId: KEY, Status: 'Active' }]);
    const order = iam.calls().map((c) => c.args[0].constructor.name).filter((n) => /^(Delete|Detach|Update)/.test(n));
    expect(order).toEqual(['DeleteUserPolicyCommand', 'DetachUserPolicyCommand', 'UpdateAccessKeyCommand']);
    expect(r.stderr).toContain('AWS advises that an exposed access key be replaced, not reused');
  });

  it('changes nothing when not confirmed (no --yes, the operator says no): exit 1', async () => {
    contained();

    const r = await cli(['restore', INCIDENT], { confirm: false });

    expect(r.code).toBe(1);
    expect(iam.commandCalls(DeleteUserPolicyCommand)).toHaveLength(0);
    expect(r.stderr).toContain('will delete inline policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy (the responder created it)');
  });

  it('refuses when the revoke policy is no longer the responder\'s document', async () => {
    contained(REVOKE_DOC.replace('2026-11-20T10:05:00.000Z', '2026-11-21T10:05:00.000Z'));

    const r = await cli(['restore', INCIDENT, '--yes']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no longer the document the responder wrote');
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(0);
  });

  it('refuses a record written before the facts were kept, naming the undo commands', async () => {
    const record = aRecord();
    s3.on(GetObjectCommand).resolves(body(JSON.stringify({ ...record, containment: record.containment.map(({ changes: _c, ...c }) => c) })));
    contained();

    const r = await cli(['restore', INCIDENT, '--yes']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the record does not say what deactivate-key found before it');
  });

  it('refuses an unknown incident (no record): exit 1', async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey'));

    const r = await cli(['restore', INCIDENT, '--yes', '--json']);

    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('NoRecord');
  });

  it('says the stack is missing', async () => {
    stackAnswers(stackMissing());

    const r = await cli(['restore', INCIDENT, '--yes']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stack ExposedKeyResponder not found in us-east-1');
  });

  it('says there are no credentials', async () => {
    stackAnswers(noCredentials());

    const r = await cli(['restore', INCIDENT, '--yes']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no usable AWS credentials');
  });

  it('says access is denied when IAM refuses the change', async () => {
    contained();
    iam.on(DeleteUserPolicyCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:DeleteUserPolicy'));

    const r = await cli(['restore', INCIDENT, '--yes']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not delete inline policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy (the responder created it): AccessDenied');
  });

  it('rejects a malformed incident id and --json without --yes as unusable input: exit 2', async () => {
    expect((await cli(['restore', '../etc/passwd', '--yes'])).code).toBe(2);
    expect((await cli(['restore', INCIDENT, '--json'])).code).toBe(2);
  });
});
