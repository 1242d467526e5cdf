import { synthesizeForDrill } from '../lib/synth';
import { RulePattern, rulesOfTemplate } from './rules';
import { memberRulesOf } from './simulated-sts';

/**
 * The rules of the stack as `cdk synth` would write it, with the same context (`-c key=value`);
 * in organization mode, the member stack's (from the StackSet) too.
 */
export function synthesizedRules(context: Record<string, string>): RulePattern[] {
  const template = synthesizeForDrill(context).toJSON();
  return [...rulesOfTemplate(template), ...memberRulesOf(template)];
}
