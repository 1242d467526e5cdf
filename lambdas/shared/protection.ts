/**
 * Protected principals: users the responder must never change (break-glass users...). One rule,
 * used by the dispatcher (its early view), by contain (where the change is made) and by verify.
 *
 * A user is protected when any of these holds:
 * - its name is on the protected list (IAM user names are unique regardless of case: so is the match);
 * - its path starts with a `/path/*` entry of the list (matched regardless of case too: when in
 *   doubt, a user is left alone rather than changed);
 * - it carries the tag {@link PROTECTED_TAG_KEY} with the value `true` (any case).
 */

/** The tag that protects a user; its value must be `true` (any case). */
export const PROTECTED_TAG_KEY = 'exposed-key-responder:protected';

/** The protected list, parsed once (cold start). */
export interface ProtectionRules {
  /** Protected user names, lower-cased, each with the entry as configured. */
  readonly names: ReadonlyMap<string, string>;
  /** `/path/` prefixes, lower-cased, each with the entry as configured (`/path/*`). */
  readonly pathPrefixes: ReadonlyArray<{ readonly prefix: string; readonly entry: string }>;
}

/** What protection looks at: what IAM GetUser says of a user. */
export interface PrincipalFacts {
  readonly name: string;
  readonly path?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

const USER_NAME = /^[\w+=,.@-]{1,64}$/;
/** IAM's path grammar (printable ASCII between slashes), written `/path/*` in the list. */
const PATH_ENTRY = /^(\/(?:[\u0021-\u007E]*\/)?)\*$/;

/**
 * Parses the protected list (the `PROTECTED_USERS` entries). An entry that is neither a user name
 * nor a `/path/*` prefix is a configuration error: thrown, so a typo fails the cold start instead
 * of leaving a user unprotected.
 */
export function parseProtectedPrincipals(entries: readonly string[]): ProtectionRules {
  const names = new Map<string, string>();
  const pathPrefixes: Array<{ prefix: string; entry: string }> = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const path = PATH_ENTRY.exec(entry);
    if (path && path[1].length <= 512) {
      pathPrefixes.push({ prefix: path[1].toLowerCase(), entry });
    } else if (USER_NAME.test(entry)) {
      names.set(entry.toLowerCase(), entry);
    } else {
      throw new Error(`protected principal "${entry}" is neither an IAM user name nor an IAM path prefix written /path/*`);
    }
  }
  return { names, pathPrefixes };
}

/** Why this user must not be changed, or undefined when nothing protects it. */
export function protectionReason(principal: PrincipalFacts, rules: ProtectionRules): string | undefined {
  const byName = rules.names.get(principal.name.toLowerCase());
  if (byName !== undefined) return `user ${principal.name} is on the protected list (entry "${byName}")`;
  const path = (principal.path ?? '/').toLowerCase();
  const byPath = rules.pathPrefixes.find((p) => path.startsWith(p.prefix));
  if (byPath) return `user ${principal.name} has path ${principal.path ?? '/'}, protected by the entry "${byPath.entry}"`;
  const tag = principal.tags?.[PROTECTED_TAG_KEY];
  if (tag !== undefined && tag.toLowerCase() === 'true') return `user ${principal.name} carries the tag ${PROTECTED_TAG_KEY}=${tag}`;
  return undefined;
}
