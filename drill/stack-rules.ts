import { STACK_ID } from '../lib/exposed-key-responder-stack';
import { synthesizeForDrill } from '../lib/synth';
import { RulePattern, rulesOfTemplate } from './rules';
import { memberRulesOf } from './simulated-sts';

/**
 * The rules of the stack as `cdk synth` would write it, with the same context (`-c key=value`),
 * and what the stack does with an event their target rejects; in organization mode, the member
 * stack's rules (from the StackSet) too.
 */
export function synthesizedRules(context: Record<string, string>): RulePattern[] {
  const template = synthesizeForDrill(context).toJSON();
  return [...rulesOfTemplate(template, STACK_ID), ...memberRulesOf(template)];
}
