import { RejectionPath, rejectionPathOf } from './dead-letters';
import { matchesPattern } from './event-pattern';

/** One EventBridge rule of the synthesized stack. */
export interface RulePattern {
  /** The rule's construct path, readable: `DetectionRules/HealthRisk`. */
  readonly name: string;
  /** The pattern as synthesized: it may hold `{"Ref": "AWS::AccountId"}` where the account is only known at deployment. */
  readonly pattern: Record<string, unknown>;
  /** What the stack does with an event its target rejects (read from the template with the stack's name). */
  readonly onRejection?: RejectionPath;
  /** Organization mode: a rule of the member stack (in the member account), not of the central stack. */
  readonly member?: boolean;
}

/** What CloudFormation would put for the pseudo parameters of a pattern, in the drill: the scenario's account. */
export interface DeploymentValues {
  /** `AWS::AccountId`: the simulated account's id. */
  readonly accountId: string;
}

/**
 * Reads the rules and their event patterns out of a synthesized CloudFormation template; given the
 * stack's name, each rule's {@link RulePattern.onRejection} too.
 */
export function rulesOfTemplate(template: { Resources?: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, unknown> }> }, stackName?: string): RulePattern[] {
  const resources = template.Resources ?? {};
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern)
    .map(([logicalId, r]) => {
      const onRejection = stackName === undefined ? undefined : rejectionPathOf(resources, r.Properties?.Targets?.[0]?.Arn, stackName);
      return {
        name: String(r.Metadata?.['aws:cdk:path'] ?? logicalId).replace(/^[^/]+\//, '').replace(/\/Resource$/, ''),
        pattern: r.Properties!.EventPattern as Record<string, unknown>,
        ...(onRejection ? { onRejection } : {}),
      };
    });
}

/**
 * The pattern as deployed into `values`' account: `{"Ref": "AWS::AccountId"}` becomes the account
 * id. Any other CloudFormation reference or function throws: a pattern is never guessed at.
 */
export function resolvePattern(pattern: unknown, values: DeploymentValues): unknown {
  if (Array.isArray(pattern)) return pattern.map((p) => resolvePattern(p, values));
  if (typeof pattern !== 'object' || pattern === null) return pattern;
  const entries = Object.entries(pattern);
  if (entries.length === 1 && entries[0][0] === 'Ref' && entries[0][1] === 'AWS::AccountId') return values.accountId;
  const intrinsic = entries.find(([key]) => key === 'Ref' || key.startsWith('Fn::'));
  if (intrinsic) throw new Error(`cannot resolve ${JSON.stringify(pattern)} in an event pattern (only {"Ref":"AWS::AccountId"} is known to the drill)`);
  return Object.fromEntries(entries.map(([key, value]) => [key, resolvePattern(value, values)]));
}

/** The names of the rules `event` matches, the rules deployed into `values`' account. */
export function matchingRules(rules: readonly RulePattern[], event: unknown, values: DeploymentValues): string[] {
  return rules
    .filter((r) => matchesPattern(resolvePattern(r.pattern, values) as Record<string, unknown>, event))
    .map((r) => r.name);
}
