// What the containment step changed on the exposed key's user, with what was there before: the
// facts the operator's `restore` needs to undo exactly that and nothing else. Light (zod/mini):
// the workflow state, the record and the command line read it.
import * as z from 'zod/mini';

/**
 * One change, with the state before it:
 * - `access-key-status`: the key set Inactive; `before` says whether it already was (then there is
 *   nothing to undo);
 * - `inline-policy`: a responder policy put on the user; `before` is the document found under the
 *   same name (absent: the responder created it), `after` the document it wrote (JSON text);
 * - `managed-policy`: the stack's quarantine attached; `attachedBefore` true when it already was;
 * - `root-access-key-deleted`: a member account's root access key DELETED through centralized root
 *   access (lambdas/contain/root-key.ts). It cannot be undone: `restorable` is always false, and
 *   `restore` must refuse it (a deleted key cannot be restored; only the root user can create a new one).
 */
export const UserChangeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('access-key-status'),
    userName: z.string(),
    accessKeyId: z.string(),
    /** Absent when the status could not be read before the change. */
    before: z.optional(z.enum(['Active', 'Inactive'])),
    after: z.literal('Inactive'),
  }),
  z.object({
    kind: z.literal('inline-policy'),
    userName: z.string(),
    policyName: z.string(),
    before: z.optional(z.string()),
    after: z.string(),
  }),
  z.object({
    kind: z.literal('managed-policy'),
    userName: z.string(),
    policyArn: z.string(),
    /** Absent when the attached policies could not be read before the change. */
    attachedBefore: z.optional(z.boolean()),
  }),
  z.object({
    kind: z.literal('root-access-key-deleted'),
    userName: z.literal('root'),
    /** The member account whose root user's key it was. */
    accountId: z.string(),
    accessKeyId: z.string(),
    /** The key's status when ListAccessKeys of the root user confirmed it, just before the deletion. */
    before: z.optional(z.enum(['Active', 'Inactive'])),
    restorable: z.literal(false),
  }),
]);
export type UserChange = z.infer<typeof UserChangeSchema>;

/** A policy document as IAM returns it (URL-encoded JSON text), decoded; undefined when it is not one. */
export function decodePolicyDocument(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The same JSON value written with its object keys in order: two documents compare by meaning, not by white space. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** Whether two policy documents (JSON text) say the same; a text that is not JSON equals nothing. */
export function sameDocument(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
  } catch {
    return false;
  }
}
