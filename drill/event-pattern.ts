/**
 * EventBridge event pattern matching, for the drill: an event goes through the synthesized rules'
 * patterns before anything else, as it would in the account. Covers the pattern language the
 * stack and common rules use: exact values, `prefix`, `suffix`, `exists`, `anything-but`
 * (values or prefix), `equals-ignore-case`, `wildcard`, `numeric`, and `$or`. An operator this
 * matcher does not know throws: a pattern is never guessed at.
 */

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Event values at a field: an array field matches when any element does. */
function values(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

function numericMatches(conditions: unknown[], value: unknown): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i];
    const bound = conditions[i + 1] as number;
    const ok =
      op === '=' ? value === bound
      : op === '<' ? value < bound
      : op === '<=' ? value <= bound
      : op === '>' ? value > bound
      : op === '>=' ? value >= bound
      : (() => { throw new Error(`unsupported numeric operator ${String(op)}`); })();
    if (!ok) return false;
  }
  return true;
}

/** One element of a pattern's value array against one present event value. */
function elementMatches(element: unknown, value: unknown): boolean {
  if (!isObject(element)) return element === value;
  const [op, arg] = Object.entries(element)[0] ?? [];
  switch (op) {
    case 'prefix':
      if (isObject(arg) && typeof arg['equals-ignore-case'] === 'string') {
        return typeof value === 'string' && value.toLowerCase().startsWith(arg['equals-ignore-case'].toLowerCase());
      }
      return typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
    case 'suffix':
      return typeof value === 'string' && typeof arg === 'string' && value.endsWith(arg);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof arg === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && typeof arg === 'string' && wildcardToRegExp(arg).test(value);
    case 'numeric':
      return numericMatches(arg as unknown[], value);
    case 'anything-but':
      if (isObject(arg)) return !elementMatches(arg, value);
      return !values(arg).some((a) => a === value);
    default:
      throw new Error(`unsupported event pattern operator ${JSON.stringify(element)}`);
  }
}

function fieldMatches(rule: unknown, eventValue: unknown, present: boolean): boolean {
  if (isObject(rule)) return present && isObject(eventValue) && matchesPattern(rule, eventValue);
  if (!Array.isArray(rule)) throw new Error(`event pattern values must be arrays, got ${JSON.stringify(rule)}`);
  return rule.some((element) => {
    if (isObject(element) && 'exists' in element) return element.exists === present;
    if (!present) return false;
    const vals = values(eventValue);
    if (isObject(element) && 'anything-but' in element) return vals.every((v) => elementMatches(element, v));
    return vals.some((v) => elementMatches(element, v));
  });
}

/** True when `event` matches the EventBridge `pattern`. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') {
      if (!Array.isArray(rule)) throw new Error('$or takes an array of patterns');
      return rule.some((alt) => matchesPattern(alt as Record<string, unknown>, event));
    }
    return fieldMatches(rule, event[key], Object.prototype.hasOwnProperty.call(event, key));
  });
}
