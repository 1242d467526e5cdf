// The contain step's dependencies for its tests: a mocked IAM client's SDK client, a logger whose
// calls can be read, the stack's quarantine policy, an empty protected list and a fixed clock.
import { IAMClient } from '@aws-sdk/client-iam';
import { ContainConfig, ContainDeps } from '../../../lambdas/contain/contain';
import { parseProtectedPrincipals } from '../../../lambdas/shared/protection';
import { fakeLogger } from '../helpers';

export const QUARANTINE_POLICY_ARN = 'arn:aws:iam::123456789012:policy/exposed-key-responder/ExposedKeyResponder-Quarantine';
export const NOW = new Date('2026-11-20T10:00:01.500Z');

/** `clock` null: no `now`, the step's own clock. */
export function containDeps(config: Partial<ContainConfig> = {}, clock: (() => Date) | null = () => NOW): ContainDeps & { logger: ReturnType<typeof fakeLogger> } {
  return {
    iam: new IAMClient({}),
    logger: fakeLogger(),
    config: { dryRun: false, quarantinePolicyArn: QUARANTINE_POLICY_ARN, protectedPrincipals: parseProtectedPrincipals([]), ...config },
    ...(clock ? { now: clock } : {}),
  };
}
