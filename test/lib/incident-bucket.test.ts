import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ACCESS_LOGS_PREFIX, IncidentBucket, IncidentBucketProps, INCIDENT_RECORDS_PREFIX } from '../../lib/incident-bucket';
import { Resource, statementsOfRole, testApp, testStack } from './helpers';

function synth(props?: IncidentBucketProps, context: Record<string, unknown> = {}) {
  const stack = testStack(testApp(context));
  const incidents = new IncidentBucket(stack, 'Incidents', props);
  const template = Template.fromStack(stack);
  const bucketId = stack.getLogicalId(incidents.bucket.node.defaultChild as never);
  const logsId = stack.getLogicalId(incidents.accessLogsBucket.node.defaultChild as never);
  const buckets = template.findResources('AWS::S3::Bucket') as Record<string, Resource & { UpdateReplacePolicy?: string }>;
  const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as Resource[];
  const policyOf = (id: string) => policies.find((p) => p.Properties.Bucket.Ref === id)!.Properties.PolicyDocument.Statement as any[];
  return { stack, incidents, template, bucketId, logsId, bucket: buckets[bucketId], logs: buckets[logsId], buckets, policyOf };
}

const { template, bucketId, logsId, bucket, logs, buckets, policyOf } = synth();
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const objects = (id: string, pattern = '*') => ({ 'Fn::Join': ['', [arn(id), `/${pattern}`]] });

describe('IncidentBucket', () => {
  it('is two buckets: the records and their access logs', () => {
    expect(Object.keys(buckets).sort()).toEqual([bucketId, logsId].sort());
  });

  describe.each([
    ['the incident bucket', () => [bucket, bucketId] as const],
    ['the access log bucket', () => [logs, logsId] as const],
  ])('%s', (_name, get) => {
    it('is versioned', () => {
      const [b] = get();
      expect(b.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    });

    it('is encrypted with S3-managed keys (SSE-S3)', () => {
      const [b] = get();
      expect(b.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
    });

    it('blocks all public access and disables ACLs (bucket owner enforced)', () => {
      const [b] = get();
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(b.Properties.AccessControl).toBeUndefined();
    });

    it('refuses every request without TLS', () => {
      const [, id] = get();
      expect(policyOf(id)).toContainEqual({
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: [arn(id), objects(id)],
      });
    });

    it('is retained when the stack is deleted or the bucket replaced (evidence outlives the stack)', () => {
      const [b] = get();
      expect(b.DeletionPolicy).toBe('Retain');
      expect(b.UpdateReplacePolicy).toBe('Retain');
    });

    it('has no lifecycle rule by default: nothing expires on its own', () => {
      const [b] = get();
      expect(b.Properties.LifecycleConfiguration).toBeUndefined();
    });
  });

  it('logs server access to the log bucket, under its own prefix', () => {
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logsId }, LogFilePrefix: ACCESS_LOGS_PREFIX });
    expect(ACCESS_LOGS_PREFIX).toBe('incident-bucket/');
  });

  it('lets S3 log delivery write to the log bucket by bucket policy, for this bucket and account only', () => {
    expect(policyOf(logsId)).toContainEqual({
      Action: 's3:PutObject',
      Condition: {
        ArnLike: { 'aws:SourceArn': arn(bucketId) },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Resource: objects(logsId, `${ACCESS_LOGS_PREFIX}*`),
    });
  });

  it('uses the log bucket policy even when the app does not set the serverAccessLogsUseBucketPolicy flag', () => {
    const { logs: l } = synth(undefined, { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': false });
    expect(l.Properties.AccessControl).toBeUndefined();
    expect(l.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('has no Object Lock by default', () => {
    expect(bucket.Properties.ObjectLockEnabled).toBeUndefined();
    expect(bucket.Properties.ObjectLockConfiguration).toBeUndefined();
  });

  it('locks every new record version for objectLockRetentionDays in GOVERNANCE mode, on the incident bucket only', () => {
    const locked = synth({ objectLockRetentionDays: 30 });
    expect(locked.bucket.Properties.ObjectLockEnabled).toBe(true);
    expect(locked.bucket.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
    });
    expect(locked.bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    // S3 refuses a server access log destination with a default retention.
    expect(locked.logs.Properties.ObjectLockEnabled).toBeUndefined();
    expect(locked.logs.Properties.ObjectLockConfiguration).toBeUndefined();
  });

  it.each([0, -1, 1.5])('refuses objectLockRetentionDays %p', (days) => {
    expect(() => synth({ objectLockRetentionDays: days })).toThrow(/objectLockRetentionDays/);
  });

  it('grants writing records under incidents/ only: s3:PutObject, no read, no delete, no tagging, retention or legal hold', () => {
    const stack = testStack();
    const incidents = new IncidentBucket(stack, 'Incidents');
    const role = new Role(stack, 'Writer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    incidents.grantPutRecords(role);
    const t = Template.fromStack(stack);
    const id = stack.getLogicalId(incidents.bucket.node.defaultChild as never);
    expect(incidents.recordsPattern).toBe(`${INCIDENT_RECORDS_PREFIX}*`);
    expect(statementsOfRole(t, stack.getLogicalId(role.node.defaultChild as never))).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: objects(id, 'incidents/*'),
      },
    ]);
  });

  it('has no Deny of reading records by default: reading is left to IAM identity policies', () => {
    expect(policyOf(bucketId).filter((st) => st.Effect === 'Deny' && JSON.stringify(st.Action).includes('GetObject'))).toEqual([]);
  });

  it('with readers, denies s3:GetObject* on every record to every principal but them and the account\'s root user', () => {
    const readers = ['arn:aws:iam::123456789012:role/security-*', 'arn:aws:iam::123456789012:user/auditor'];
    const { bucketId: id, policyOf: policy } = synth({ readers });
    expect(policy(id)).toContainEqual({
      Sid: 'OnlyIncidentReadersReadRecords',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:GetObject*',
      Resource: objects(id),
      Condition: {
        ArnNotLike: {
          'aws:PrincipalArn': [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
            ...readers,
          ],
        },
      },
    });
  });

  describe('grantSharedSearches (the CloudTrail search a wave\'s investigations share)', () => {
    function granted(props?: IncidentBucketProps) {
      const stack = testStack();
      const incidents = new IncidentBucket(stack, 'Incidents', props);
      const role = new Role(stack, 'Investigator', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      incidents.grantSharedSearches(role);
      const template = Template.fromStack(stack);
      const bucketId = stack.getLogicalId(incidents.bucket.node.defaultChild as never);
      const roleId = stack.getLogicalId(role.node.defaultChild as never);
      const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as Resource[];
      const bucketPolicy = policies.find((p) => p.Properties.Bucket.Ref === bucketId)!.Properties.PolicyDocument.Statement as any[];
      return { bucketId, statements: statementsOfRole(template, roleId), roleId, bucketPolicy };
    }

    it('lets the role read and write shared-searches/* of the incident bucket and nothing else (no delete)', () => {
      const { statements, bucketId: id } = granted();

      expect(statements).toEqual([{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects(id, 'shared-searches/*') }]);
    });

    it('with readers, lets the role through the readers-only Deny (its own policy still stops it at shared-searches/*)', () => {
      const readers = ['arn:aws:iam::123456789012:user/auditor'];
      const { bucketPolicy, roleId } = granted({ readers });

      const deny = bucketPolicy.find((st) => st.Sid === 'OnlyIncidentReadersReadRecords');

      expect(deny.Condition.ArnNotLike['aws:PrincipalArn']).toEqual([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
        ...readers,
        arn(roleId),
      ]);
    });
  });

  it('adds nothing else to the template', () => {
    expect(Object.keys(template.toJSON().Resources).map((id) => template.toJSON().Resources[id].Type).sort()).toEqual([
      'AWS::S3::Bucket',
      'AWS::S3::Bucket',
      'AWS::S3::BucketPolicy',
      'AWS::S3::BucketPolicy',
    ]);
  });
});
