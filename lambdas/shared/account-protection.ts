import { parseProtectedPrincipals, PrincipalKind, ProtectionRules } from './protection';

/**
 * Protected users of one account (organization mode): an entry of the protected list written
 * `<12-digit account id>:<entry>` (`111122223333:break-glass`, `111122223333:/admins/*`) protects in
 * that account only; an entry without an account protects in every account. The protection tag
 * works in every account as before.
 */
const ACCOUNT_ENTRY = /^(\d{12}):(.+)$/;

/** The entries that apply in `accountId`: those of no account, and that account's without their prefix. */
export function protectedEntriesFor(entries: readonly string[], accountId: string): string[] {
  return entries.flatMap((raw) => {
    const m = ACCOUNT_ENTRY.exec(raw.trim());
    if (!m) return [raw];
    return m[1] === accountId ? [m[2]] : [];
  });
}

/**
 * The protection rules of each account, parsed once per account. Every entry (its account part
 * taken off) is checked at once: a typo fails the cold start, never an incident later.
 */
export function protectionByAccount(entries: readonly string[], kind: PrincipalKind = 'user'): (accountId: string) => ProtectionRules {
  parseProtectedPrincipals(entries.map((raw) => ACCOUNT_ENTRY.exec(raw.trim())?.[2] ?? raw), kind);
  const rules = new Map<string, ProtectionRules>();
  return (accountId) => {
    let found = rules.get(accountId);
    if (!found) {
      found = parseProtectedPrincipals(protectedEntriesFor(entries, accountId), kind);
      rules.set(accountId, found);
    }
    return found;
  };
}
