import { synthesizeForDrill } from '../lib/synth';
import { RulePattern, rulesOfTemplate } from './rules';

/** The rules of the stack as `cdk synth` would write it, with the same context (`-c key=value`). */
export function synthesizedRules(context: Record<string, string>): RulePattern[] {
  return rulesOfTemplate(synthesizeForDrill(context).toJSON());
}
