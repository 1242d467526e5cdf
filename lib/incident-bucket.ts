import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, IBucket, ObjectLockRetention, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from './nag';

/** Where the responder's Lambdas write incident records: `incidents/<incident id>/...`. */
export const INCIDENT_RECORDS_PREFIX = 'incidents/';
/**
 * Where concurrent investigations of a wave share their CloudTrail searches:
 * `shared-searches/<account>/<region>/` (lambdas/investigate/shared-search.ts).
 */
export const SHARED_SEARCHES_PREFIX = 'shared-searches/';
/** Where S3 writes the incident bucket's server access logs, in the access log bucket. */
export const ACCESS_LOGS_PREFIX = 'incident-bucket/';

export interface IncidentBucketProps {
  /**
   * Object Lock default retention of every record written, in days, in GOVERNANCE mode: nobody
   * can delete or overwrite a record version for that long, except a principal granted
   * `s3:BypassGovernanceRetention` who asks for it explicitly (no role of this stack is).
   * Object Lock needs versioning (always on here). Best decided before the first deployment:
   * `ObjectLockEnabled` is a creation-time property of the bucket, the default retention applies
   * only to records written after it is set, and S3 never lets Object Lock be turned off again.
   * Writers must send a checksum with each PutObject (the AWS SDK v3 does by default).
   * @default - none: no Object Lock; records are still versioned and the bucket is retained
   */
  readonly objectLockRetentionDays?: number;
  /**
   * The IAM principals that may read the records (ARNs compared with `aws:PrincipalArn`,
   * `ArnLike` wildcards allowed): the bucket policy denies `s3:GetObject*` on every object to any
   * other principal, whatever its identity policies allow. The account's root user is always
   * allowed (it can rewrite the bucket policy anyway).
   * @default - no such Deny: who may read the records is left to IAM identity policies
   */
  readonly readers?: readonly string[];
}

/**
 * The S3 bucket of incident records (what the investigation found, the evidence taken, the
 * report), kept as evidence:
 *
 * - versioned (an overwrite keeps the previous version), retained when the stack is deleted;
 * - SSE-S3 encryption: cdk-nag AwsSolutions accepts it as is, and unlike a customer-managed KMS
 *   key it needs no key policy and no kms:* grants (whose `kms:GenerateDataKey*`/`kms:ReEncrypt*`
 *   wildcards would be more acknowledged findings on every writer) and costs nothing per request.
 *   Who may read a record is decided by the bucket and IAM policies alone;
 * - all public access blocked, TLS only (bucket policy), ACLs disabled (bucket owner enforced);
 * - server access logs to a second bucket ({@link accessLogsBucket}) with the same hardening
 *   but never Object Lock (S3 refuses a log destination with a default retention), written by
 *   the S3 logging service through the log bucket's policy (no ACL). cdk-nag AwsSolutions-S1
 *   accepts the log bucket itself as it is the destination of another bucket's logs;
 * - optionally Object Lock ({@link IncidentBucketProps.objectLockRetentionDays});
 * - no lifecycle rule: records and their old versions are kept until a person deletes them (an
 *   expiry would delete evidence silently). Nor on the access logs, for the same reason.
 */
export class IncidentBucket extends Construct {
  /** The incident records. */
  public readonly bucket: IBucket;
  /** The incident bucket's server access logs (under {@link ACCESS_LOGS_PREFIX}). */
  public readonly accessLogsBucket: IBucket;
  /** Roles granted the shared searches: let through the readers-only Deny (their own policy scopes them). */
  private readonly sharedSearchReaders: string[] = [];

  constructor(scope: Construct, id: string, props: IncidentBucketProps = {}) {
    super(scope, id);
    // S3 log delivery through a bucket policy, as CDK does with this (recommended) feature flag;
    // without it CDK would grant the LogDeliveryWrite ACL, which needs ACLs enabled. Set here so
    // the construct behaves the same in any app, whatever its cdk.json says.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    const hardening = {
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;

    this.accessLogsBucket = new Bucket(this, 'AccessLogs', hardening);

    const retentionDays = props.objectLockRetentionDays;
    if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays >= 1)) {
      throw new Error(`objectLockRetentionDays must be a whole number of days, at least 1, got ${retentionDays}`);
    }
    this.bucket = new Bucket(this, 'Bucket', {
      ...hardening,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: ACCESS_LOGS_PREFIX,
      ...(retentionDays !== undefined
        ? { objectLockEnabled: true, objectLockDefaultRetention: ObjectLockRetention.governance(Duration.days(retentionDays)) }
        : {}),
    });

    if (props.readers !== undefined && props.readers.length > 0) {
      const root = Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'root' });
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'OnlyIncidentReadersReadRecords',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject*'],
        resources: [this.bucket.arnForObjects('*')],
        // The shared searches' users read them (their own policy allows shared-searches/* only).
        conditions: { ArnNotLike: { 'aws:PrincipalArn': Lazy.list({ produce: () => [root, ...props.readers!, ...this.sharedSearchReaders] }) } },
      }));
    }
  }

  /**
   * Lets `grantee` write incident records (under {@link INCIDENT_RECORDS_PREFIX}) and nothing else:
   * `s3:PutObject` on `incidents/*` only. No read, no delete, no tagging, no Object Lock retention
   * or legal hold of its own (the bucket's default retention applies), no multipart abort. With
   * SSE-S3 encryption no KMS permission is needed. Acknowledges the `incidents/*` wildcard on the
   * grantee's role (each record is named after its incident, known only at run time).
   */
  public grantPutRecords(grantee: iam.IGrantable): iam.Grant {
    const records = this.bucket.arnForObjects(this.recordsPattern);
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [records] });
    const principal = grantee.grantPrincipal;
    if (Construct.isConstruct(principal)) {
      acknowledge(
        principal,
        wildcardResourceFinding(this, records),
        'Granted by IncidentBucket.grantPutRecords: s3:PutObject on the incident bucket\'s incidents/ prefix only; each record is named after its incident, known only at run time. No read, no delete.',
      );
    }
    return grant;
  }

  /**
   * Lets `role` read and write the CloudTrail searches concurrent investigations share (under
   * {@link SHARED_SEARCHES_PREFIX}): `s3:GetObject` and `s3:PutObject` there only (the lease is a
   * conditional PutObject: no delete). With `readers`, the role is let through the readers-only
   * Deny as well; its own policy still allows nothing outside `shared-searches/*`.
   */
  public grantSharedSearches(role: iam.IRole): iam.Grant {
    const searches = this.bucket.arnForObjects(`${SHARED_SEARCHES_PREFIX}*`);
    const grant = iam.Grant.addToPrincipal({ grantee: role, actions: ['s3:GetObject', 's3:PutObject'], resourceArns: [searches] });
    this.sharedSearchReaders.push(role.roleArn);
    acknowledge(
      role,
      wildcardResourceFinding(this, searches),
      'Granted by IncidentBucket.grantSharedSearches: s3:GetObject and s3:PutObject on the incident bucket\'s shared-searches/ prefix only (the CloudTrail search concurrent incidents of a wave share, named by account, region and time, known only at run time). No delete.',
    );
    return grant;
  }

  /** The object key pattern of the incident records, `incidents/*`. */
  public get recordsPattern(): string {
    return `${INCIDENT_RECORDS_PREFIX}*`;
  }
}
