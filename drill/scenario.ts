import { z } from 'zod';
import { ScenarioTrailEntry } from './scenario-cloudtrail';
import { LimitsSchema } from './simulated-limits';

/**
 * The simulated account before the incident (contract in docs/drill.md "Scenario"); every field is
 * optional. Unknown fields are rejected so that a typo is an error, not a silently empty account.
 */
const PolicyDocument = z.record(z.string(), z.unknown());
/** IAM's path grammar: `/` or `/segment/.../`. */
const IamPath = z.string().regex(/^\/(?:[\u0021-\u007E]*\/)?$/, 'an IAM path starts and ends with /').max(512);

/** An access key, of a user or of the root user. */
const AccessKey = z.strictObject({
  accessKeyId: z.string().regex(/^\w{16,128}$/),
  status: z.enum(['Active', 'Inactive']).default('Active'),
  createDate: z.string().optional(),
});

export const ScenarioSchema = z.strictObject({
  accountId: z.string().regex(/^\d{12}$/).default('123456789012'),
  supportPlan: z.enum(['basic', 'developer', 'business', 'enterprise-on-ramp', 'enterprise']).default('business'),
  regions: z.array(z.string().min(1)).min(1).default(['us-east-1']),
  users: z
    .array(
      z.strictObject({
        userName: z.string().regex(/^[\w+=,.@-]{1,64}$/),
        /** The user's IAM path (default `/`). */
        path: IamPath.optional(),
        tags: z.record(z.string(), z.string()).optional(),
        accessKeys: z.array(AccessKey).max(2, 'IAM allows at most two access keys per user').default([]),
        loginProfile: z.boolean().default(false),
        attachedPolicyArns: z.array(z.string()).default([]),
        inlinePolicies: z.record(z.string(), PolicyDocument).default({}),
        groups: z.array(z.string()).optional(),
        /** Service-specific credentials (Bedrock API keys, CodeCommit...). */
        serviceSpecificCredentials: z
          .array(
            z.strictObject({
              serviceSpecificCredentialId: z.string().regex(/^\w{20,128}$/),
              serviceName: z.string().min(1),
              status: z.enum(['Active', 'Inactive']).default('Active'),
              createDate: z.string().optional(),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
  /**
   * The root user's access keys (AWS allows two). IAM lists them only to a root session
   * (organization mode: sts:AssumeRoot, drill/simulated-root.ts); no IAM user owns them.
   */
  rootAccessKeys: z.array(AccessKey).max(2, 'the root user has at most two access keys').default([]),
  roles: z
    .array(
      z.strictObject({
        roleName: z.string().regex(/^[\w+=,.@-]{1,64}$/),
        /** The role's IAM path (default `/`); `/aws-service-role/...` makes it service-linked. */
        path: IamPath.optional(),
        tags: z.record(z.string(), z.string()).optional(),
        attachedPolicyArns: z.array(z.string()).default([]),
        inlinePolicies: z.record(z.string(), PolicyDocument).default({}),
      }),
    )
    .default([]),
  instances: z
    .array(
      z.strictObject({
        region: z.string(),
        instanceId: z.string(),
        state: z.string().default('running'),
        volumeIds: z.array(z.string()).default([]),
        /** EC2 instance type (DescribeInstances `InstanceType`): priced from the simulated price list. */
        instanceType: z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'an instance type, e.g. m5.large').optional(),
        /** When it was launched (ISO 8601; DescribeInstances `LaunchTime`). */
        launchTime: z.iso.datetime({ offset: true }).optional(),
      }),
    )
    .default([]),
  /** CloudTrail records as captured, or the flat shortcut (drill/scenario-cloudtrail.ts), served by LookupEvents. */
  cloudTrail: z.array(ScenarioTrailEntry).default([]),
  supportCases: z
    .array(
      z.strictObject({
        caseId: z.string(),
        /** The number the Support Center shows (Trusted Advisor's "Case ID"); generated when absent. */
        displayId: z.string().optional(),
        subject: z.string().default(''),
        status: z.string().default('opened'),
        severityCode: z.string().default('normal'),
        communications: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  faults: z
    .array(
      z.strictObject({
        /** `service:Operation`, e.g. `iam:UpdateAccessKey`. */
        operation: z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/, 'operation is service:Operation, e.g. iam:UpdateAccessKey'),
        /** The AWS error code to answer with, e.g. Throttling, AccessDenied, LimitExceeded. */
        error: z.string().min(1),
        /** How many calls fail before the operation answers normally. */
        times: z.number().int().min(1).default(1),
        /** How many calls of the operation answer normally before the first failure (e.g. 1: the dispatcher's AssumeRole, not the steps'). */
        after: z.number().int().min(0).default(0),
      }),
    )
    .default([]),
  /** Account-wide API rates, shared by every caller (drill/simulated-limits.ts). */
  limits: LimitsSchema,
});

export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export function parseScenario(raw: unknown): Scenario {
  const parsed = ScenarioSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(scenario)'}: ${i.message}`).join('; ');
    throw new Error(`scenario is not usable: ${issues}`);
  }
  return parsed.data;
}
