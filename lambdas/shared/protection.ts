/**
 * Protected principals: users (and roles) the responder must never change (break-glass users...).
 * One rule, used by the dispatcher (its early view), by contain (where the change is made), by
 * verify, and by the footholds step (users and roles, each kind with its own list).
 *
 * A principal is protected when any of these holds:
 * - its name is on its kind's protected list (IAM user and role names are unique regardless of
 *   case: so is the match);
 * - its path starts with a `/path/*` entry of the list (matched regardless of case too: when in
 *   doubt, a principal is left alone rather than changed);
 * - it carries the tag {@link PROTECTED_TAG_KEY} with the value `true` (any case).
 */

/** The tag that protects a user or a role; its value must be `true` (any case). */
export const PROTECTED_TAG_KEY = 'exposed-key-responder:protected';

/** The kinds of principal a protected list applies to. */
export type PrincipalKind = 'user' | 'role';

/** The protected list, parsed once (cold start). */
export interface ProtectionRules {
  /** Whom the list names: users (`PROTECTED_USERS`) or roles (`PROTECTED_ROLES`). */
  readonly kind: PrincipalKind;
  /** Protected names, lower-cased, each with the entry as configured. */
  readonly names: ReadonlyMap<string, string>;
  /** `/path/` prefixes, lower-cased, each with the entry as configured (`/path/*`). */
  readonly pathPrefixes: ReadonlyArray<{ readonly prefix: string; readonly entry: string }>;
}

/** What protection looks at: what IAM GetUser (GetRole) says of a user (a role). */
export interface PrincipalFacts {
  readonly name: string;
  readonly path?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** IAM's grammar of a user name, and of a role name. */
const PRINCIPAL_NAME = /^[\w+=,.@-]{1,64}$/;
/** IAM's path grammar (printable ASCII between slashes), written `/path/*` in the list. */
const PATH_ENTRY = /^(\/(?:[\u0021-\u007E]*\/)?)\*$/;

/**
 * Parses a protected list (the `PROTECTED_USERS` entries, or with `kind` 'role' the
 * `PROTECTED_ROLES` ones). An entry that is neither a name nor a `/path/*` prefix is a
 * configuration error: thrown, so a typo fails the cold start instead of leaving a principal
 * unprotected.
 */
export function parseProtectedPrincipals(entries: readonly string[], kind: PrincipalKind = 'user'): ProtectionRules {
  const names = new Map<string, string>();
  const pathPrefixes: Array<{ prefix: string; entry: string }> = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const path = PATH_ENTRY.exec(entry);
    if (path && path[1].length <= 512) {
      pathPrefixes.push({ prefix: path[1].toLowerCase(), entry });
    } else if (PRINCIPAL_NAME.test(entry)) {
      names.set(entry.toLowerCase(), entry);
    } else {
      throw new Error(`protected principal "${entry}" is neither an IAM ${kind} name nor an IAM path prefix written /path/*`);
    }
  }
  return { kind, names, pathPrefixes };
}

/** Why this principal (of the rules' kind) must not be changed, or undefined when nothing protects it. */
export function protectionReason(principal: PrincipalFacts, rules: ProtectionRules): string | undefined {
  const { kind } = rules;
  const byName = rules.names.get(principal.name.toLowerCase());
  if (byName !== undefined) return `${kind} ${principal.name} is on the protected list (entry "${byName}")`;
  const path = (principal.path ?? '/').toLowerCase();
  const byPath = rules.pathPrefixes.find((p) => path.startsWith(p.prefix));
  if (byPath) return `${kind} ${principal.name} has path ${principal.path ?? '/'}, protected by the entry "${byPath.entry}"`;
  const tag = principal.tags?.[PROTECTED_TAG_KEY];
  if (tag !== undefined && tag.toLowerCase() === 'true') return `${kind} ${principal.name} carries the tag ${PROTECTED_TAG_KEY}=${tag}`;
  return undefined;
}

/**
 * One check for users and roles: each principal is judged by the rules of its kind (a role named
 * like a protected user is not protected by that entry, and the other way round).
 */
export function protectionCheck(users: ProtectionRules, roles: ProtectionRules): (principal: PrincipalFacts & { readonly kind: PrincipalKind }) => string | undefined {
  if (users.kind !== 'user' || roles.kind !== 'role') throw new Error(`protectionCheck: expected user rules then role rules, got ${users.kind} and ${roles.kind}`);
  return (principal) => protectionReason(principal, principal.kind === 'role' ? roles : users);
}
