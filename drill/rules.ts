import { matchesPattern } from './event-pattern';

/** One EventBridge rule of the synthesized stack. */
export interface RulePattern {
  /** The rule's construct path, readable: `DetectionRules/HealthRisk`. */
  readonly name: string;
  readonly pattern: Record<string, unknown>;
}

/** Reads the rules and their event patterns out of a synthesized CloudFormation template. */
export function rulesOfTemplate(template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }> }): RulePattern[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern)
    .map(([logicalId, r]) => ({
      name: String(r.Metadata?.['aws:cdk:path'] ?? logicalId).replace(/^[^/]+\//, '').replace(/\/Resource$/, ''),
      pattern: r.Properties!.EventPattern as Record<string, unknown>,
    }));
}

/** The names of the rules `event` matches. */
export function matchingRules(rules: readonly RulePattern[], event: unknown): string[] {
  return rules.filter((r) => matchesPattern(r.pattern, event)).map((r) => r.name);
}
