import { STACK_ID } from '../lib/exposed-key-responder-stack';
import { synthesizeForDrill } from '../lib/synth';
import { RulePattern, rulesOfTemplate } from './rules';

/**
 * The rules of the stack as `cdk synth` would write it, with the same context (`-c key=value`),
 * and what the stack does with an event their target rejects.
 */
export function synthesizedRules(context: Record<string, string>): RulePattern[] {
  return rulesOfTemplate(synthesizeForDrill(context).toJSON(), STACK_ID);
}
