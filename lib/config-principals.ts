/**
 * Parsing of the context keys that name IAM principals: `protectedUsers` and `protectedRoles`
 * (names and path prefixes), `reporters` (who may report a key by hand) and `incidentReaders` (who may read the
 * incident records). Split from config.ts; every function throws an Error naming its context key.
 */

export function invalid(key: string, message: string): Error {
  return new Error(`Invalid context "${key}": ${message}`);
}

/** `true`/`false` (cdk.json) or `"true"`/`"false"` (`-c`); `fallback` when the key is not set. */
export function flag(key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalid(key, `expected true or false, got ${JSON.stringify(value)}`);
}

/** A comma-separated string (what `-c key=a,b` gives) or a list of strings (cdk.json). */
export function list(key: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = typeof value === 'string'
    ? value.split(',')
    : Array.isArray(value) && value.every((v) => typeof v === 'string')
      ? (value as string[])
      : undefined;
  if (!items) throw invalid(key, `expected a comma-separated string or a list of strings, got ${JSON.stringify(value)}`);
  return items.map((s) => s.trim()).filter(Boolean);
}

function refuse(key: string, bad: string[], what: string): void {
  if (bad.length > 0) throw invalid(key, `${what}: ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
}

/** IAM's pattern for a user (or role) name. */
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
/**
 * IAM's path grammar (`/` or `/segment/.../`, printable ASCII, up to 512 characters), without the
 * characters that are wildcards in a policy ARN (`*`, `?`): a path prefix becomes a Deny resource.
 */
const IAM_PATH = /^\/(?:[\x21-\x29\x2B-\x3E\x40-\x7E]+\/)*$/;
const MAX_PATH_LENGTH = 512;

/** The IAM path of a `/path/*` protected entry (`/breakglass/`), or undefined when it is a name. */
export function protectedPathPrefix(entry: string): string | undefined {
  return entry.startsWith('/') ? entry.slice(0, -1) : undefined;
}

function isProtectedEntry(entry: string): boolean {
  if (!entry.startsWith('/')) return IAM_NAME.test(entry);
  if (!entry.endsWith('/*')) return false;
  const path = entry.slice(0, -1);
  // `/*` alone would protect every user (role): the responder would contain nobody.
  return path !== '/' && path.length <= MAX_PATH_LENGTH && IAM_PATH.test(path);
}

/**
 * An entry of one account (`<12-digit account id>:<entry>`, organization mode): that account and
 * the entry; any other entry: no account (every account).
 */
export function protectedEntryAccount(entry: string): { account?: string; entry: string } {
  const m = /^(\d{12}):(.+)$/.exec(entry);
  return m ? { account: m[1], entry: m[2] } : { entry };
}

/**
 * `protectedUsers`: user names and `/path/*` prefixes, each once; each may be written
 * `<account id>:<entry>` to protect in that account only (organization mode's member accounts).
 */
export function parseProtectedUsers(value: unknown): string[] {
  const entries = list('protectedUsers', value);
  refuse(
    'protectedUsers',
    entries.filter((e) => !isProtectedEntry(protectedEntryAccount(e).entry)),
    'expected IAM user names (1-64 of [A-Za-z0-9_+=,.@-]) or IAM path prefixes written /path/* (printable characters, no * or ? inside the path, not /* alone), each optionally after a 12-digit account id and a colon (123456789012:break-glass)',
  );
  return [...new Set(entries)];
}

/** `protectedRoles`: role names and `/path/*` prefixes, each once (the same grammar as `protectedUsers`). */
export function parseProtectedRoles(value: unknown): string[] {
  return parseProtectedEntries('protectedRoles', 'role', value);
}

function parseProtectedEntries(key: string, kind: 'user' | 'role', value: unknown): string[] {
  const entries = list(key, value);
  refuse(
    key,
    entries.filter((e) => !isProtectedEntry(e)),
    `expected IAM ${kind} names (1-64 of [A-Za-z0-9_+=,.@-]) or IAM path prefixes written /path/* (printable characters, no * or ? inside the path, not /* alone)`,
  );
  return [...new Set(entries)];
}

const PARTITION = 'aws(?:-[a-z]+)*';
/** A path and a name in an ARN: `name` or `path/.../name`, printable, no wildcard. */
const PATH_AND_NAME = '(?:[\\x21-\\x29\\x2B-\\x3E\\x40-\\x7E]+/)*[\\w+=,.@-]{1,64}';
/** The root user, a user or a role of an account, exactly (no wildcard): what a Principal element accepts. */
const PRINCIPAL_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:(?:root|(?:user|role)/${PATH_AND_NAME})$`);

function principalHint(arn: string): string {
  return arn.includes(':sts::') && arn.includes(':assumed-role/')
    ? ' (a session ARN: give the role ARN, arn:aws:iam::<account>:role/<name>)'
    : '';
}

/** Principal ARNs of context `key`, each once; throws naming the key and `what` when one does not match `pattern`. */
function parsePrincipalArns(key: string, value: unknown, pattern: RegExp, what: string): string[] {
  const arns = list(key, value);
  refuse(key, arns.filter((a) => !pattern.test(a)).map((b) => b + principalHint(b)), what);
  return [...new Set(arns)];
}

/** `reporters`: IAM role, user or root ARNs, exactly (they become the Principal of the report bus policy). */
export function parseReporters(value: unknown): string[] {
  return parsePrincipalArns(
    'reporters',
    value,
    PRINCIPAL_ARN,
    'expected ARNs of IAM roles, users or an account root (arn:aws:iam::<account>:role/<name>, :user/<name>, :root), without wildcards',
  );
}

/** Like {@link PRINCIPAL_ARN}, with the `*` and `?` wildcards of ArnLike allowed in the path and name, never in the account. */
const PRINCIPAL_ARN_PATTERN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:(?:root|(?:user|role)/[\\x21-\\x2B\\x2D-\\x7E]{1,576})$`);

/** `incidentReaders`: IAM principal ARNs, `*`/`?` wildcards allowed after the account (compared with aws:PrincipalArn). */
export function parseIncidentReaders(value: unknown): string[] {
  return parsePrincipalArns(
    'incidentReaders',
    value,
    PRINCIPAL_ARN_PATTERN,
    'expected IAM role, user or root ARNs of one account (wildcards * and ? allowed in the role or user part only, e.g. arn:aws:iam::123456789012:role/security-*)',
  );
}
