// Commands a message tells a human to run, copied from it as they are.

/**
 * A value as one shell word: IAM names, key ids, regions and instance ids are as they are; anything
 * else (never from IAM, but the incident may come from a report) is single-quoted, so a command
 * copied from a message does only what it says.
 */
export function shellArg(value: string): string {
  return /^[\w+=,.@/:-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
