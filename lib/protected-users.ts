import { Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { PROTECTED_TAG_KEY } from '../lambdas/shared/protection';
import { protectedEntryAccount, protectedPathPrefix } from './config-principals';

/** The tag that protects a user (a role) whatever `protectedUsers` (`protectedRoles`) says (value `true`, any case), as the Lambdas read it. */
export { PROTECTED_TAG_KEY };

/** `arn:<partition>:iam::<account>:user/<resourceName>` of the stack's account. */
export function userArn(scope: IConstruct, resourceName: string): string {
  return Stack.of(scope).formatArn({ service: 'iam', region: '', resource: 'user', resourceName });
}

/** `arn:<partition>:iam::<account>:role/<resourceName>` of the stack's account. */
export function roleArn(scope: IConstruct, resourceName: string): string {
  return Stack.of(scope).formatArn({ service: 'iam', region: '', resource: 'role', resourceName });
}

/**
 * Tags every IAM role of `scope` (the responder's own: its Lambdas', the workflow's, the member
 * account's roles) with the protection tag, so that no finding or foothold can make the responder
 * revoke or quarantine its own roles (a GuardDuty finding about one of its sessions would otherwise
 * have it deny itself). Both guards already read the tag: the Lambdas' check (GetRole just before
 * acting) and the `NeverTouchTaggedRoles` Deny on every role allowed to change roles.
 */
export function protectOwnRoles(scope: IConstruct): void {
  Tags.of(scope).add(PROTECTED_TAG_KEY, 'true', { includeResourceTypes: ['AWS::IAM::Role'] });
}

/**
 * The explicit Deny statements that keep `actions` off the protected users, whatever else a
 * role is allowed (an explicit Deny always wins in IAM):
 *
 * - `NeverTouchProtectedUsers`, when `entries` is not empty: a name `n` as `user/n` and
 *   `user/<any path>/n`; a path prefix `/p/*` as `user/p/*` (users whose path starts with `/p/`);
 * - `NeverTouchTaggedUsers`, always: any user tagged `exposed-key-responder:protected` = `true`
 *   (StringEqualsIgnoreCase on `iam:ResourceTag/...`).
 *
 * What the Deny cannot cover: IAM compares ARNs in a policy case-sensitively while user names are
 * unique case-insensitively, so `Break-Glass` is not denied by the entry `break-glass`. The
 * containment Lambda's own check (names matched case-insensitively, the path and the tag read with
 * iam:GetUser just before it acts) covers that; this Deny is the backstop for a bug there.
 * Reads are not denied: the Lambda must read a protected user's path and tags to know it is one.
 */
export function protectedUsersDeny(scope: IConstruct, entries: readonly string[], actions: readonly string[]): iam.PolicyStatement[] {
  return protectedPrincipalsDeny(scope, 'user', entries, actions);
}

/**
 * The same for roles (`protectedRoles`: names and `/path/*` prefixes, and the protection tag):
 * `NeverTouchProtectedRoles` on `role/n`, `role/<any path>/n` and `role/p/*`, and
 * `NeverTouchTaggedRoles` on any role tagged `exposed-key-responder:protected` = `true`.
 */
export function protectedRolesDeny(scope: IConstruct, entries: readonly string[], actions: readonly string[]): iam.PolicyStatement[] {
  return protectedPrincipalsDeny(scope, 'role', entries, actions);
}

function protectedPrincipalsDeny(scope: IConstruct, kind: 'user' | 'role', entries: readonly string[], actions: readonly string[]): iam.PolicyStatement[] {
  const arn = kind === 'user' ? userArn : roleArn;
  const Kind = kind === 'user' ? 'Users' : 'Roles';
  const statements = [
    new iam.PolicyStatement({
      sid: `NeverTouchTagged${Kind}`,
      effect: iam.Effect.DENY,
      actions: [...actions],
      resources: [arn(scope, '*')],
      conditions: { StringEqualsIgnoreCase: { [`iam:ResourceTag/${PROTECTED_TAG_KEY}`]: 'true' } },
    }),
  ];
  if (entries.length > 0) {
    statements.unshift(new iam.PolicyStatement({
      sid: `NeverTouchProtected${Kind}`,
      effect: iam.Effect.DENY,
      actions: [...actions],
      resources: entries.flatMap((written) => {
        // `<account>:<entry>`: an ARN of that account only (it matches nothing in any other).
        const { account, entry } = protectedEntryAccount(written);
        const of = (name: string) => (account === undefined ? arn(scope, name) : Stack.of(scope).formatArn({ service: 'iam', region: '', account, resource: kind, resourceName: name }));
        const path = protectedPathPrefix(entry);
        return path !== undefined ? [of(`${path.slice(1)}*`)] : [of(entry), of(`*/${entry}`)];
      }),
    }));
  }
  return statements;
}
